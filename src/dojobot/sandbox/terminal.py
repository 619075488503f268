"""The person-facing side of `dojobot sandbox`: chat with the bot in a terminal."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import tempfile
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TextIO

from telegram_standin import BotApiStandIn, BotMessage, User

__all__ = ["HINT", "chat_in_terminal", "format_message", "stdin_lines"]

HINT = "Type a message, #N to press button N, /quit to leave."
_BUTTON_REF = re.compile(r"^#\s*(\d+)$")
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "text/csv": ".csv"}


def format_message(message: BotMessage, *, edited: bool = False, saved: Path | None = None) -> str:
    """Render a bot message as plain text lines, buttons numbered from 1 across rows."""
    head = "bot (edited):" if edited else "bot:"
    lines: list[str] = []
    if saved is not None:
        lines.append(f"[{message.kind} saved to {saved}]")
    if message.plain_text:
        lines.extend(message.plain_text.splitlines() or [""])
    if not lines:
        lines.append("")
    out = [f"{head} {lines[0]}".rstrip()]
    pad = " " * (len(head) + 1)
    out.extend(f"{pad}{line}".rstrip() for line in lines[1:])
    number = 1
    for row in message.buttons:
        cells = []
        for button in row:
            cells.append(f"[{number}] {button.text}")
            number += 1
        out.append(pad + "  ".join(cells))
    return "\n".join(out)


class _Printer:
    """Prints new bot messages and edits in one chat, each exactly once."""

    def __init__(self, standin: BotApiStandIn, chat_id: int, out: TextIO, files_dir: Path) -> None:
        self.standin = standin
        self.chat_id = chat_id
        self.out = out
        self.files_dir = files_dir
        self.printed: dict[int, int] = {}  # message_id -> edit count printed
        self.texts: dict[int, str] = {}  # message_id -> text printed
        self.saved: dict[int, Path] = {}
        self.calls_seen = 0

    def skip_existing(self) -> None:
        for message in self.standin.messages(self.chat_id):
            self.printed[message.message_id] = message.edited
            self.texts[message.message_id] = message.text
        self.calls_seen = len(self.standin.calls)

    def _report_failed_calls(self) -> None:
        # A refused call is invisible in a real chat; in the sandbox the developer wants it.
        calls = self.standin.calls
        if self.calls_seen > len(calls):  # reset_calls() was used
            self.calls_seen = 0
        for call in calls[self.calls_seen :]:
            if call.ok or call.params.get("chat_id", self.chat_id) != self.chat_id:
                continue
            self.out.write(f"(bot's {call.method} failed: {call.description})\n")
        self.calls_seen = len(calls)

    def drain(self) -> None:
        """Print everything not printed yet (no awaits: output order stays deterministic)."""
        self._report_failed_calls()
        for message in self.standin.messages(self.chat_id):
            seen = self.printed.get(message.message_id)
            if seen is not None and seen >= message.edited:
                continue
            text_before = self.texts.get(message.message_id)
            self.printed[message.message_id] = message.edited
            self.texts[message.message_id] = message.text
            if seen is not None and text_before == message.text and not message.buttons:
                continue  # only the buttons went away; reprinting the text would be noise
            saved = self._save(message)
            self.out.write(format_message(message, edited=seen is not None, saved=saved) + "\n")
        self.out.flush()

    def _save(self, message: BotMessage) -> Path | None:
        if message.file_bytes is None:
            return None
        path = self.saved.get(message.message_id)
        if path is None:
            suffix = Path(message.file_name).suffix if message.file_name else ""
            if not suffix:
                suffix = _EXTENSIONS.get(message.mime_type or "", ".bin")
            path = self.files_dir / f"{message.kind}_{message.message_id}{suffix}"
            path.write_bytes(message.file_bytes)
            self.saved[message.message_id] = path
        return path

    async def follow(self) -> None:
        while True:
            self.drain()
            await self.standin.wait_for_change()


def _latest_with_buttons(standin: BotApiStandIn, chat_id: int) -> BotMessage | None:
    for message in reversed(standin.messages(chat_id)):
        if message.buttons:
            return message
    return None


async def chat_in_terminal(
    standin: BotApiStandIn,
    user: User,
    *,
    lines: AsyncIterator[str],
    out: TextIO,
    files_dir: Path | None = None,
    echo: bool = False,
) -> None:
    """Let a person chat with the bot as `user` until /quit or end of input.

    Bot messages print as they arrive; after each line sent, the chat waits for the bot to
    settle so replies print before the next prompt. `echo` also prints the person's lines
    (useful for transcripts, where input is not shown by a terminal). Set the stand-in's
    `bot_busy`: a chart can take a second to draw, with no call to the stand-in meanwhile,
    and piped input must not end the chat before its reply.
    """
    if files_dir is None:
        files_dir = Path(tempfile.mkdtemp(prefix="dojobot-sandbox-"))
    files_dir.mkdir(parents=True, exist_ok=True)
    printer = _Printer(standin, user.id, out, files_dir)
    printer.skip_existing()
    out.write(HINT + "\n")
    out.flush()
    follower = asyncio.create_task(printer.follow())
    try:
        async for raw in lines:
            line = raw.strip()
            if not line:
                continue
            if echo:
                out.write(f"you: {line}\n")
            if line == "/quit":
                break
            ref = _BUTTON_REF.match(line)
            if ref:
                if not await _press(standin, user, int(ref.group(1)), out):
                    continue
            else:
                await standin.send_text(user, line)
            try:
                await standin.settle()
            except TimeoutError:
                out.write("(the bot is still busy; its replies will show up when they come)\n")
            printer.drain()
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
    printer.drain()


async def _press(standin: BotApiStandIn, user: User, number: int, out: TextIO) -> bool:
    message = _latest_with_buttons(standin, user.id)
    if message is None:
        out.write("(no message with buttons to press)\n")
        return False
    buttons = message.flat_buttons
    if not 1 <= number <= len(buttons):
        out.write(f"(no button #{number}; the latest message has {len(buttons)})\n")
        return False
    button = buttons[number - 1]
    if button.callback_data is None:
        out.write(f"(button #{number} opens {button.url}; nothing sent)\n")
        return False
    await standin.press(user, number - 1, message_id=message.message_id)
    return True


async def stdin_lines() -> AsyncIterator[str]:
    """Lines typed on stdin, read without blocking the event loop; ends at EOF.

    Each read runs in a daemon thread: the executor behind asyncio.to_thread would make
    interpreter shutdown wait for a pending read (until the person pressed Enter).
    """
    loop = asyncio.get_running_loop()
    while True:
        future: asyncio.Future[str] = loop.create_future()

        def read(fut: asyncio.Future[str] = future) -> None:
            try:
                line = sys.stdin.readline()
            except (OSError, ValueError):
                line = ""  # a closed or broken stdin ends the chat like EOF
            with contextlib.suppress(RuntimeError):  # the loop may be closed by now
                loop.call_soon_threadsafe(lambda: None if fut.done() else fut.set_result(line))

        threading.Thread(target=read, name="dojobot-stdin", daemon=True).start()
        line = await future
        if line == "":
            return
        yield line.rstrip("\r\n")
