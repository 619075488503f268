"""Telegram's flood limits, shared fairly: each active chat its turn, broadcasts a floor.

Telegram allows a bot about 30 messages in any one second and 20 a minute in each group.
`AIORateLimiter` enforces them with leaky buckets, which let a full bucket go at once and
then refill: a burst right after a quiet spell breaks the "any one second" window, and the
429 that follows pauses every send of the bot. It has no notion of priority or fairness
either, so a broadcast or one chat's burst queued ahead of a learner's reply delays it.

`PriorityRateLimiter` keeps AIORateLimiter's request handling (its retry of 429s, the
counting of errors) but applies the limits itself, as sliding windows over the calls that
Telegram counts (messages sent and edited; not getChatMember, callback answers or polls).
One dispatcher hands out the overall window's slots, one at a time:

- **Replies take turns by chat** (round robin): each chat with a reply waiting gets the
  next slot in turn, so a chat's burst (thirty /progress) takes one slot in N while N chats
  wait, never the second's whole budget; a chat's own sends keep their order. A chat may
  hold at most `CHAT_SHARE` of the last second; and a *busy* chat (`BUSY_CHAT` messages in
  the last second: thirty /progress) takes a slot only while the second holds fewer than
  `CHAT_SHARE` of the cap, leaving the rest to other chats' replies, which find it at
  once (its sends would otherwise fill the second and age out together, a second later),
  unless its send has waited `BUSY_WAIT_S` already: its turn is late, never lost. Strict
  lanes had made a busy chat wait for as long as any other reply waited: in a closed loop
  of 20 learners at Telegram's 30 a second, some got no reply for over 10 s.
- **Broadcasts** (inside `background()`: nudges, weekly posts) take what replies leave,
  keeping `REPLY_RESERVE` slots free for a reply that arrives mid-broadcast, and start at
  most one per 1/cap s (evenly, so slots free up evenly). And they have a floor: while
  fewer than `BACKGROUND_FLOOR` of the cap went to broadcasts in the last second, the next
  slot is a broadcast's even if replies wait. Strict priority had none: 200 due nudges
  sent none during 75 s of replies that filled the window.
- **Groups** have their own 20 a minute; a group whose minute is full is passed over (its
  sends wait, in order) while other chats go on. Sends made inside `in_the_background_of_
  the_chat()` (the join notice and its edits) go after the chat's other waiting sends and
  leave `GROUP_RESERVE` of a group's minute to them: eighteen notice edits had spent a
  group's 20 and an admin's /board waited 31 s; now the notice waits (and gathers more
  names into its next edit) while the minute is short.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram.error import TelegramError
from telegram.ext import AIORateLimiter

from dojobot.ops.metrics import API_ERRORS, error_code

# Slots of each sliding second that broadcasts leave to replies. A reply arriving while
# a broadcast keeps the window full would otherwise wait for the next slot (~35 ms).
REPLY_RESERVE = 2
# The part of a second's cap one chat's sends may hold, and the part that goes to
# broadcasts whatever replies wait (4 of 30: a due nudge goes out under any load).
CHAT_SHARE = 2 / 3
BACKGROUND_FLOOR = 1 / 8
# Messages to one chat in a second past which its sends leave a third of the second to
# other chats, for up to BUSY_WAIT_S each (Telegram asks for about one a second per chat).
BUSY_CHAT = 3
BUSY_WAIT_S = 1.0
# The part of a group's minute that sends of lesser importance leave to the group's others.
GROUP_RESERVE = 1 / 4
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
_LESSER: ContextVar[bool] = ContextVar("dojobot_lesser_send", default=False)


@contextlib.contextmanager
def background() -> Iterator[None]:
    """Sends made inside (and in tasks created inside) yield to replies."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


@contextlib.contextmanager
def in_the_background_of_the_chat() -> Iterator[None]:
    """Sends made inside go after their chat's other waiting sends and leave GROUP_RESERVE
    of a group's minute to them (a join notice, against commands and their replies)."""
    token = _LESSER.set(True)
    try:
        yield
    finally:
        _LESSER.reset(token)


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

    def count(self, now: float) -> int:
        """Sends in the window now (in flight included)."""
        self._ends = [end for end in self._ends if end[0] > now - self.span]
        return len(self._ends)

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


@dataclass(eq=False)
class _Waiter:
    """A send waiting for its slot; `granted` gets the window cells it is counted in."""

    chat: int | str | None
    group: SlidingWindow | None
    granted: asyncio.Future[list[list[float]]]
    lesser: bool = False  # goes after the chat's other sends (in_the_background_of_the_chat)
    since: float = 0.0  # when it began to wait (loop time)


class PriorityRateLimiter(CountingRateLimiter):
    """AIORateLimiter's retries, with sliding-window limits shared fairly (module docstring)."""

    def __init__(self, max_per_second: int, *, max_retries: int = 3, replicas: int = 1) -> None:
        # The parent's own buckets are off: the windows below replace them.
        super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
        self._overall = SlidingWindow(max_per_second, OVERALL_SPAN) if max_per_second else None
        self._chat_cap = max(1, math.floor(max_per_second * CHAT_SHARE))
        self._background_cap = max(1, max_per_second - REPLY_RESERVE)
        self._floor = max(1, math.ceil(max_per_second * BACKGROUND_FLOOR))
        # Replicas share each group's 20 a minute as they share the overall limit (the
        # caller passes this replica's share of that): each takes its part.
        limit, span = GROUP_LIMIT
        self._group_limit = (max(1, limit // replicas), span)
        self._lesser_group_cap = max(1, math.floor(self._group_limit[0] * (1 - GROUP_RESERVE)))
        self._groups: dict[int | str, SlidingWindow] = {}  # Telegram's 20 a minute
        self._chats: dict[int | str, SlidingWindow] = {}  # each chat's share of the second
        self._broadcasts = SlidingWindow(self._floor, OVERALL_SPAN)  # toward the floor
        # Waiting replies per chat and the chats' turn order; waiting broadcasts, in order.
        self._replies: dict[int | str | None, deque[_Waiter]] = {}
        self._turns: deque[int | str | None] = deque()
        self._background: deque[_Waiter] = deque()
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        # Broadcast sends start evenly spaced: let through as slots free up, they started in
        # bunches and freed the next second's slots in bunches, with gaps a reply waited out.
        self._next_background = 0.0  # loop time before which no broadcast send starts

    async def shutdown(self) -> None:
        """Stop the dispatcher (the sends still waiting were cancelled with their updates)."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None
        await super().shutdown()

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
        given = data.get("chat_id")
        chat = given if isinstance(given, int | str) else None

        async def paced(*a: Any, **kw: Any) -> Any:
            ends = await self._slot(chat, background=_BACKGROUND.get())
            try:
                return await callback(*a, **kw)
            finally:
                done = asyncio.get_running_loop().time()
                for end in ends:
                    end[0] = done

        return await super().process_request(
            paced, args, kwargs, endpoint, data, rate_limit_args
        )

    async def _slot(self, chat: int | str | None, *, background: bool) -> list[list[float]]:
        """Wait for this send's turn; the window cells it is counted in."""
        loop = asyncio.get_running_loop()
        group = _group_of(chat)
        group_window = None
        if group is not None:
            group_window = self._window(self._groups, group, *self._group_limit)
        if self._overall is None:  # no overall limit (a stand-in): only a group's minute
            if group_window is None:
                return []
            await _sleep_until_free(group_window, loop)
            return [group_window.start()]
        waiter = _Waiter(chat, group_window, loop.create_future(), lesser=_LESSER.get(),
                         since=loop.time())
        if background:
            self._background.append(waiter)
        else:
            queue = self._replies.get(chat)
            if queue is None:
                queue = self._replies[chat] = deque()
                self._turns.append(chat)
            queue.append(waiter)
        self._wake.set()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = loop.create_task(self._dispatch())
        try:
            return await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                for end in waiter.granted.result():  # granted as it was cancelled: free it
                    end[0] = loop.time()
            waiter.granted.cancel()  # the dispatcher skips it
            raise

    async def _dispatch(self) -> None:
        """Hand out the overall window's slots while sends wait (module docstring)."""
        assert self._overall is not None
        loop = asyncio.get_running_loop()
        while self._turns or self._background:
            now = loop.time()
            delay = self._overall.wait(now)
            if delay <= 0:
                waiter, delay = self._pick(now)
                if waiter is not None:
                    cells = [self._overall.start()]
                    cells += [window.start() for window in self._windows(waiter)]
                    waiter.granted.set_result(cells)
                    continue
            if delay == math.inf:
                continue  # only cancelled sends were left: the loop's test ends it
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(delay, IN_FLIGHT_POLL / 10))

    def _pick(self, now: float) -> tuple[_Waiter | None, float]:
        """The send whose turn it is now; else None and how long until one may go."""
        broadcast = self._next_broadcast(now)
        if broadcast is not None and self._broadcasts.count(now) < self._floor:
            return self._take_broadcast(now), 0.0  # the floor: a broadcast's turn
        soonest = math.inf
        for _ in range(len(self._turns)):
            chat = self._turns[0]
            self._turns.rotate(-1)  # this chat goes to the back of the turn order
            queue = self._replies[chat]
            for cancelled in [w for w in queue if w.granted.done()]:
                queue.remove(cancelled)
            if not queue:
                self._drop_turn(chat)
                continue
            # The chat's first send; a lesser one only when nothing else of the chat waits.
            first = next((w for w in queue if not w.lesser), queue[0])
            wait = self._room(first, now)
            if wait <= 0:
                queue.remove(first)
                if not queue:
                    self._drop_turn(chat)
                return first, 0.0
            soonest = min(soonest, wait)
        if broadcast is not None and self._overall is not None \
                and self._overall.count(now) < self._background_cap:
            return self._take_broadcast(now), 0.0  # what replies leave
        if self._background:
            soonest = min(soonest, max(self._next_background - now, IN_FLIGHT_POLL))
        return None, soonest

    def _next_broadcast(self, now: float) -> _Waiter | None:
        """The first waiting broadcast send, if it may start now."""
        while self._background and self._background[0].granted.done():
            self._background.popleft()  # cancelled meanwhile
        if not self._background or now < self._next_background:
            return None
        first = self._background[0]
        return first if self._room(first, now) <= 0 else None

    def _take_broadcast(self, now: float) -> _Waiter:
        assert self._overall is not None
        self._next_background = now + OVERALL_SPAN / self._overall.limit
        self._broadcasts.start()[0] = now  # counts toward the floor for a second
        return self._background.popleft()

    def _drop_turn(self, chat: int | str | None) -> None:
        del self._replies[chat]
        with contextlib.suppress(ValueError):
            self._turns.remove(chat)

    def _room(self, waiter: _Waiter, now: float) -> float:
        """Seconds until the waiter's group and chat windows have room for it."""
        wait = max((window.wait(now) for window in self._windows(waiter)), default=0.0)
        if waiter.lesser and waiter.group is not None:
            wait = max(wait, waiter.group.wait(now, self._lesser_group_cap))
        if waiter.chat is not None and self._overall is not None \
                and now - waiter.since < BUSY_WAIT_S \
                and self._window(self._chats, waiter.chat, self._chat_cap, OVERALL_SPAN
                                 ).count(now) >= BUSY_CHAT:
            # A busy chat leaves a third of the second to the others (module docstring).
            busy = self._overall.wait(now, self._chat_cap)
            wait = max(wait, min(busy, waiter.since + BUSY_WAIT_S - now))
        return wait

    def _windows(self, waiter: _Waiter) -> list[SlidingWindow]:
        """The windows besides the overall one that count this send."""
        windows = [waiter.group] if waiter.group is not None else []
        if waiter.chat is not None:
            windows.append(self._window(self._chats, waiter.chat, self._chat_cap, OVERALL_SPAN))
        return windows

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
