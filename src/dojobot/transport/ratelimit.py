"""Telegram's flood limits with priorities: replies to people first, broadcasts in the rest.

Telegram allows a bot about 30 messages in any one second and 20 a minute in each group.
`AIORateLimiter` enforces them with leaky buckets, which let a full bucket go at once and
then refill: a burst right after a quiet spell breaks the "any one second" window, and the
429 that follows pauses every send of the bot. It has no notion of priority either, so a
broadcast queued ahead of a learner's reply delays the reply.

`PriorityRateLimiter` keeps AIORateLimiter's request handling (its retry of 429s, the
counting of errors) but applies the limits itself, as sliding windows over the calls that
Telegram counts (messages sent and edited; not getChatMember, callback answers or polls):

- a reply (the default) goes as soon as the last second holds fewer than the cap;
- a reply to a chat that already had `BUSY_CHAT` messages in the last second (one learner
  sending /progress thirty times) goes only while no other reply is waiting and the last
  second holds fewer than two thirds of the cap: one chat cannot take the whole second's
  budget and queue everyone else's answers behind its own;
- a broadcast (inside `background()`: nudges, weekly posts) goes only while no reply is
  waiting and the last second holds fewer than the cap minus `REPLY_RESERVE`, so a reply
  arriving mid-broadcast finds a free slot at once; and its sends start at most one per
  1/cap s, so they also end, and free their slots a second later, evenly.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from enum import IntEnum
from typing import Any

from telegram.error import TelegramError
from telegram.ext import AIORateLimiter

from dojobot.ops.metrics import API_ERRORS, error_code

# Slots of each sliding second that broadcasts leave to replies. A reply arriving while
# a broadcast keeps the window full would otherwise wait for the next slot (~35 ms).
REPLY_RESERVE = 2
# Messages to one chat in a second past which its replies yield to other chats' replies
# (Telegram asks for about one a second per chat; an answer's reply is one message).
BUSY_CHAT = 3
YIELD_POLL = 0.005  # seconds between looks while a higher lane is waiting
# Telegram's documented limits.
OVERALL_SPAN = 1.0
GROUP_LIMIT = (20, 60.0)
IN_FLIGHT_POLL = 0.01  # seconds between looks while the window is full of unfinished sends
# What Telegram counts against the limits (PTB's endpoint names).
COUNTED = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendAnimation", "sendVideo", "sendAudio",
    "sendVoice", "sendSticker", "sendMediaGroup", "sendLocation", "sendPoll", "copyMessage",
    "forwardMessage", "editMessageText", "editMessageCaption", "editMessageReplyMarkup",
    "editMessageMedia",
})

_BACKGROUND: ContextVar[bool] = ContextVar("dojobot_background_send", default=False)


class Lane(IntEnum):
    """Who goes first for the overall cap: a lower lane's waiting sends hold back higher."""

    REPLY = 0
    BUSY_REPLY = 1  # a reply to a chat past BUSY_CHAT messages in the last second
    BACKGROUND = 2


@contextlib.contextmanager
def background() -> Iterator[None]:
    """Sends made inside (and in tasks created inside) yield to replies."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


class SlidingWindow:
    """At most `limit` sends in any `span` seconds, as the receiver counts them.

    A send is counted from its slot until `span` after it completes: Telegram receives it
    somewhere in between (a request can wait for a connection or a busy event loop, and
    then arrive bunched with later ones), so only a completed send may age out."""

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self._ends: list[list[float]] = []  # per send: [completion time], inf in flight

    def wait(self, now: float, limit: int | None = None) -> float:
        """Seconds until one more send fits under `limit` (default: the window's)."""
        cap = self.limit if limit is None else limit
        self._ends = [end for end in self._ends if end[0] > now - self.span]
        if len(self._ends) < cap:
            return 0.0
        ages_out = sorted(end[0] for end in self._ends)[len(self._ends) - cap]
        return IN_FLIGHT_POLL if ages_out == math.inf else ages_out + self.span - now

    def start(self) -> list[float]:
        """Count one send from now; set the returned cell to its completion time."""
        end = [math.inf]
        self._ends.append(end)
        return end

    def idle(self, now: float) -> bool:
        """No send in the window any more: safe to forget."""
        return self.wait(now, 1) <= 0


class CountingRateLimiter(AIORateLimiter):
    """AIORateLimiter that counts every failed Bot API attempt, retried 429s included."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Wrap the request so each attempt's error is counted, then rate-limit as usual."""

        async def counted(*a: Any, **kw: Any) -> Any:
            try:
                return await callback(*a, **kw)
            except TelegramError as exc:
                API_ERRORS.labels(error_code(exc)).inc()
                raise

        return await super().process_request(
            counted, args, kwargs, endpoint, data, rate_limit_args
        )


class PriorityRateLimiter(CountingRateLimiter):
    """AIORateLimiter's retries, with sliding-window limits that put replies first."""

    def __init__(self, max_per_second: int, *, max_retries: int = 3, replicas: int = 1) -> None:
        # The parent's own buckets are off: the windows below replace them.
        super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
        self._overall = SlidingWindow(max_per_second, OVERALL_SPAN) if max_per_second else None
        # How full the last second may be for a send of each lane to go. A busy chat leaves
        # a third (at least one slot) to other chats: priority alone only decides who takes
        # the next freed slot, and a flooding chat that filled the whole second would still
        # make the others wait for its sends to age out (up to a second).
        self._caps = {
            Lane.REPLY: max_per_second,
            Lane.BUSY_REPLY: max_per_second - max(1, max_per_second // 3),
            Lane.BACKGROUND: max_per_second - REPLY_RESERVE,
        }
        # Replicas share each group's 20 a minute as they share the overall limit (the
        # caller passes this replica's share of that): each takes its part.
        limit, span = GROUP_LIMIT
        self._group_limit = (max(1, limit // replicas), span)
        self._groups: dict[int | str, SlidingWindow] = {}  # Telegram's 20 a minute
        self._chats: dict[int | str, SlidingWindow] = {}  # BUSY_CHAT a second: no limit
        self._waiting = dict.fromkeys(Lane, 0)  # sends waiting for the overall cap, by lane
        self._turns = {lane: asyncio.Lock() for lane in Lane}
        # Broadcast sends start evenly spaced. Let through as slots free up, they started in
        # bunches (the whole free second after a quiet spell, or after a pause of the event
        # loop) and so freed the next second's slots in bunches, with gaps between: a reply
        # that found the two reserved slots taken waited out such a gap (p99 ~200-400 ms in
        # the broadcast benchmark). Spaced, the next slot is never more than ~1/30 s away.
        self._next_background = 0.0  # loop time before which no broadcast send starts

    def group_has_room(self, chat_id: int | str) -> bool:
        """Whether a message to this group could go now, within its 20 a minute."""
        window = self._groups.get(chat_id)
        return window is None or window.wait(asyncio.get_running_loop().time()) <= 0

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Wait for a slot (each try, retries included), then send as AIORateLimiter does."""
        if endpoint not in COUNTED:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        chat = data.get("chat_id")
        group = _group_of(chat)
        chat_window = self._window(self._chats, chat, BUSY_CHAT, OVERALL_SPAN) \
            if isinstance(chat, int | str) else None

        async def paced(*a: Any, **kw: Any) -> Any:
            lane = Lane.BACKGROUND if _BACKGROUND.get() else Lane.REPLY
            if lane is Lane.REPLY and chat_window is not None \
                    and chat_window.wait(asyncio.get_running_loop().time()) > 0:
                lane = Lane.BUSY_REPLY
            ends = await self._slot(group, lane)
            if chat_window is not None:
                ends.append(chat_window.start())
            try:
                return await callback(*a, **kw)
            finally:
                done = asyncio.get_running_loop().time()
                for end in ends:
                    end[0] = done

        return await super().process_request(
            paced, args, kwargs, endpoint, data, rate_limit_args
        )

    async def _slot(self, group: int | str | None, lane: Lane) -> list[list[float]]:
        loop = asyncio.get_running_loop()
        group_window = None
        if group is not None:
            group_window = self._window(self._groups, group, *self._group_limit)
        while True:
            if group_window is not None:  # a group's minute is waited out before queueing
                await _sleep_until_free(group_window, loop)
            # One waiter per lane watches the overall window, the others queue in order:
            # no herd of sleepers waking for every freed slot.
            async with self._turns[lane]:
                await self._overall_turn(lane, loop)
                if group_window is None or group_window.wait(loop.time()) <= 0:
                    windows = [self._overall] if self._overall is not None else []
                    if group_window is not None:
                        windows.append(group_window)
                    return [window.start() for window in windows]

    async def _overall_turn(self, lane: Lane, loop: asyncio.AbstractEventLoop) -> None:
        if self._overall is None:
            return
        cap = self._caps[lane]
        self._waiting[lane] += 1
        try:
            while True:
                delay = self._overall.wait(loop.time(), cap)
                if lane is Lane.BACKGROUND:
                    delay = max(delay, self._next_background - loop.time())
                if delay <= 0 and any(self._waiting[ahead] for ahead in Lane if ahead < lane):
                    delay = YIELD_POLL  # a send of a lane ahead waits for this slot
                if delay <= 0:
                    if lane is Lane.BACKGROUND:
                        self._next_background = loop.time() + OVERALL_SPAN / self._overall.limit
                    return
                await asyncio.sleep(delay)
        finally:
            self._waiting[lane] -= 1

    @staticmethod
    def _window(
        windows: dict[int | str, SlidingWindow], key: int | str, limit: int, span: float
    ) -> SlidingWindow:
        window = windows.get(key)
        if window is None:
            if len(windows) > 512:  # forget chats that sent nothing for a while
                now = asyncio.get_running_loop().time()
                for idle in [k for k, w in windows.items() if w.idle(now)]:
                    del windows[idle]
            window = windows[key] = SlidingWindow(limit, span)
        return window


async def _sleep_until_free(window: SlidingWindow, loop: asyncio.AbstractEventLoop) -> None:
    while True:
        delay = window.wait(loop.time())
        if delay <= 0:
            return
        await asyncio.sleep(delay)


def _group_of(chat_id: object) -> int | str | None:
    """Group and channel ids are negative (or @usernames); private chats are not limited."""
    if isinstance(chat_id, str):
        with contextlib.suppress(ValueError):
            chat_id = int(chat_id)
    if isinstance(chat_id, int):
        return chat_id if chat_id < 0 else None
    return chat_id if isinstance(chat_id, str) else None
