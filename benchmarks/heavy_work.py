"""Heavy work beside practice: a 100,000-answer learner's /mydata and /forgetme, and an
admin's /board chart and /board export over a 300-member class, while eight learners keep
answering at a steady pace.

    .venv/bin/python -m benchmarks.heavy_work                  # about a minute and a half
    .venv/bin/python -m benchmarks.heavy_work --baseline-src /path/to/old/checkout/src

The bot is the real Application in a child process (answer_path.py's BotProcess, the
shipped 30 messages/s limit) on a SQLite file, against the Bot API stand-in. After the bot
has migrated the file, the heavy learner's answers and the class's members (with 20 answers
each) are written into it directly. --practising learners answer after a think time; each
answer's latency runs from its enqueueing at the stand-in to the sendMessage carrying the
next problem (one clock, the stand-in's). After --quiet seconds, the heavy phase runs, in
order: /mydata (until the document arrives), /forgetme and its Delete button (until the
toast), then /board chart and /board export --boards times each (until the photo and the
document arrive); it lasts at least --heavy seconds.

Reported: the practising learners' p50/p99 quiet and heavy (targets: heavy p99 within 2x
quiet), how far their stored response times are from the true ones (target: within 50 ms),
the bot's resident memory at the end of the quiet phase and its highest sample (every 50
ms) during the heavy phase (target: at most 50 MiB more), and how long each heavy step took.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from benchmarks.answer_path import DEEP_LINKS, TOKEN
from benchmarks.practising import (
    Learner,
    Practising,
    loaded_bot_options,
    practise_through_quiet,
    quiet_vs_loaded,
    run_and_report,
    start_bot,
    stored_vs_true,
)
from dojobot.storage.connect import open_url
from telegram_standin import ApiCall, BotApiStandIn

HEAVY = 700_000
TEACHER = 700_001
GROUP = -700_002
MEMBERS_FROM = 710_000
DAY_MS = 86_400_000


class Room(Practising):
    """The stand-in, the practising learners, and who waits for which heavy reply."""

    def __init__(self, think: float, seed: int) -> None:
        super().__init__(BotApiStandIn(token=TOKEN), think, seed, ("quiet", "heavy"))
        self.arrived: dict[tuple[int, str], asyncio.Event] = {}
        self.step = "warmup"  # the heavy step under way
        self.slow: list[tuple[float, str]] = []  # (latency ms, step) of heavy-phase answers

    async def answer(self, learner: Learner) -> float:
        """As Practising's, noting which heavy step each answer's wait overlapped."""
        step = self.step
        seconds = await super().answer(learner)
        if self.phase == "heavy":
            self.slow.append((round(seconds * 1000, 1), step if step == self.step
                              else f"{step} -> {self.step}"))
        return seconds

    async def start(self, practising: int) -> None:
        """Serve and create the learners."""
        await self.standin.start()
        self.standin.on_call = self._on_call
        for i in range(practising):
            user = await self.standin.user(900_000 + i, f"Practising {i}")
            self.learners[user.id] = Learner(user, DEEP_LINKS[i % len(DEEP_LINKS)])

    def expect(self, chat_id: int, method: str) -> asyncio.Event:
        """An event set when the bot's next `method` call to `chat_id` succeeds."""
        event = self.arrived[(chat_id, method)] = asyncio.Event()
        return event

    def _on_call(self, call: ApiCall) -> None:
        chat_id = call.params.get("chat_id")
        waiting = self.arrived.get((chat_id, call.method)) if isinstance(chat_id, int) else None
        if waiting is not None and call.ok:
            waiting.set()
        self.saw(call)


async def fill(database_url: str, now_ms: int, answers: int, members: int) -> None:
    """The heavy learner's answers and the class's members, written beside the running bot
    (in the same SQL on either engine)."""
    users = [(HEAVY, "Heavy")] + [(MEMBERS_FROM + i, f"Member {i}") for i in range(members)]
    db = await open_url(database_url, create=False)
    try:
        async with db.transaction() as tx:
            await tx.executemany(
                'INSERT INTO "user" (user_id, first_name, created_at, last_seen_at)'
                " VALUES (?, ?, 0, 0) ON CONFLICT DO NOTHING", users)
            for user_id, count in [(HEAVY, answers)] + [(u, 20) for u, _ in users[1:]]:
                # Within the last hour for the members: on this week's board, even on Monday.
                start = now_ms - (400 * DAY_MS if user_id == HEAVY else 3_600_000)
                row = await tx.fetchone(
                    "INSERT INTO session (user_id, topic_id, stage_id, start_time, end_time,"
                    " total_reps, correct_reps) VALUES (?, 1, 1, ?, ?, ?, ?)"
                    " RETURNING session_id",
                    (user_id, start, start + count * 1000, count, count))
                assert row is not None
                await tx.executemany(
                    "INSERT INTO attempt (session_id, user_id, topic_id, stage_id, question,"
                    " expected, given, correct, response_ms, answered_at) VALUES (?, ?, 1, 1,"
                    " '3 + 4', '7', '7', 1, ?, ?)",
                    [(row[0], user_id, 900 + i % 700, start + i * 1000) for i in range(count)])
                await tx.execute(
                    "INSERT INTO user_progress (user_id, topic_id, stage_id, total_reps,"
                    " correct_reps, stage_started_at, last_practised_at)"
                    " VALUES (?, 1, 1, ?, ?, ?, ?)",
                    (user_id, count, count, start, start + count * 1000))
            await tx.executemany(
                "INSERT INTO class_member (chat_id, user_id, joined_at) VALUES (?, ?, ?)",
                [(GROUP, u, now_ms - DAY_MS) for u, _ in users[1:]])
    finally:
        await db.close()


def rss_mib(pid: int) -> float:
    """The process's resident memory now."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def sample_rss(pid: int, peak: list[float], stop: asyncio.Event) -> None:
    """Keep the highest resident memory seen in peak[0] until `stop`."""
    while not stop.is_set():
        peak[0] = max(peak[0], rss_mib(pid))
        await asyncio.sleep(0.05)


async def heavy_steps(room: Room, boards: int) -> dict[str, float]:
    """/mydata, /forgetme, then /board chart and /board export: seconds each took."""
    s = room.standin
    heavy, teacher = await s.user(HEAVY, "Heavy"), await s.user(TEACHER, "Ms Tanaka")
    group = await s.group(GROUP, "Big Class")
    took: dict[str, float] = {}

    async def step(name: str, chat: int, method: str, send: Any) -> None:
        print(f"  {name}", file=sys.stderr)
        room.step = name
        arrived = room.expect(chat, method)
        started = time.monotonic()
        await send()
        await asyncio.wait_for(arrived.wait(), 120)
        took[name] = round(time.monotonic() - started, 2)

    await step("/mydata", HEAVY, "sendDocument", lambda: s.send_text(heavy, "/mydata"))
    asked = room.expect(HEAVY, "sendMessage")
    await s.send_text(heavy, "/forgetme")
    await asyncio.wait_for(asked.wait(), 60)
    room.step = "/forgetme (Delete)"
    confirm = s.messages(heavy)[-1]
    data = confirm.flat_buttons[0].callback_data
    assert data is not None, confirm.plain_text
    started = time.monotonic()
    qid = await s.press_data(heavy, None, confirm.message_id, data)
    while qid not in s.callback_answers:
        await s.wait_for_change(timeout=120)
    took["/forgetme (Delete)"] = round(time.monotonic() - started, 2)
    room.step = "between steps"
    for i in range(boards):
        await step(f"/board chart {i + 1}", GROUP, "sendPhoto",
                   lambda: s.send_text(teacher, "/board chart", chat=group))
        await step(f"/board export {i + 1}", TEACHER, "sendDocument",
                   lambda: s.send_text(teacher, "/board export", chat=group))
    return took


async def make_class(room: Room) -> None:
    """The teacher's group with the bot; /board creates the class; a private chat for the
    export."""
    s = room.standin
    teacher = await s.user(TEACHER, "Ms Tanaka")
    group = await s.group(GROUP, "Big Class")
    await s.set_admins(group, teacher, [])
    welcome = room.expect(GROUP, "sendMessage")
    await s.add_bot_to_group(group, teacher)
    await asyncio.wait_for(welcome.wait(), 60)
    panel = room.expect(GROUP, "sendMessage")
    await s.send_text(teacher, "/board", chat=group)
    await asyncio.wait_for(panel.wait(), 60)
    hello = room.expect(TEACHER, "sendMessage")
    await s.send_text(teacher, "/start")
    await asyncio.wait_for(hello.wait(), 60)


async def one_run(
    args: argparse.Namespace, label: str, src: str | None, database_url: str
) -> dict[str, Any]:
    """A fresh database and bot: quiet practice, then the heavy steps."""
    room = Room(args.think, args.seed)
    await room.start(args.practising)
    bot = start_bot(room.standin, database_url, src)
    await bot.ready(timeout=60)
    print(f"{label}: bot ready; the class, then the data", file=sys.stderr)
    await make_class(room)
    await fill(database_url, int(time.time() * 1000), args.answers, args.members)
    tasks = await practise_through_quiet(room, list(room.learners.values()), args.quiet)
    quiet_rss = rss_mib(bot.pid)
    peak = [quiet_rss]
    sampling_done = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(bot.pid, peak, sampling_done))
    room.phase = "heavy"
    print(f"{label}: heavy phase", file=sys.stderr)
    started = time.monotonic()
    took = await heavy_steps(room, args.boards)
    room.step = "after the steps"
    await asyncio.sleep(max(0.0, args.heavy - (time.monotonic() - started)))
    heavy_s = time.monotonic() - started
    room.phase = "done"
    sampling_done.set()
    await sampler
    room.stop.set()
    await asyncio.wait(tasks, timeout=120)
    code = await bot.stop()
    await room.standin.stop()
    return {
        **quiet_vs_loaded(room, label, src, "heavy"),
        "stored_minus_true": await stored_vs_true_heavy(database_url, room),
        "rss_quiet_mib": round(quiet_rss, 1),
        "rss_peak_heavy_mib": round(peak[0], 1),
        "rss_growth_mib": round(peak[0] - quiet_rss, 1),
        "heavy_steps_s": took,
        "slowest_heavy_answers": sorted(room.slow, reverse=True)[:5],
        "heavy_phase_s": round(heavy_s, 1),
        "exit_code": code,
    }


async def stored_vs_true_heavy(database_url: str, room: Room) -> dict[str, dict[str, float]]:
    """crowded_classroom's comparison, over this run's phases."""
    for learner in room.learners.values():  # its phases are named quiet and flood
        learner.true_ms = [("flood" if p == "heavy" else p, ms) for p, ms in learner.true_ms]
    found = await stored_vs_true(database_url, list(room.learners.values()))
    return {"quiet": found["quiet"], "heavy": found["flood"]}


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = loaded_bot_options(__doc__, practising=8, quiet=20.0)
    p.add_argument("--heavy", type=float, default=20.0, help="least seconds of heavy phase")
    p.add_argument("--answers", type=int, default=100_000, help="the heavy learner's")
    p.add_argument("--members", type=int, default=300)
    p.add_argument("--boards", type=int, default=2, help="charts and exports, each")
    return run_and_report(p.parse_args(argv), one_run, summary)


def summary(r: dict[str, Any]) -> str:
    """One run in a line."""
    return (f"{r['bot']}: p99 quiet {r['latency_quiet']['p99_ms']} ms, heavy "
            f"{r['latency_heavy']['p99_ms']} ms ({r['p99_ratio']}x); |stored-true| p99 "
            f"{r['stored_minus_true']['heavy']['abs_p99_ms']} ms; memory +"
            f"{r['rss_growth_mib']} MiB")


if __name__ == "__main__":
    sys.exit(main())
