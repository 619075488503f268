"""Each feature's in-process caches, one small object per feature (BotData holds them).

The database is the source of truth; these only spare it reads or hold what lives no
longer than the process (a timer, a notice being edited). Each knows how to forget a
person (/forgetme, on every replica) and, where a replica may have missed an erasure,
everyone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from dojobot.transport.throttle import InFlight, TokenBuckets


class RecentKeys:
    """The last `size` keys seen, oldest forgotten first: a bounded "already done" memory."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._keys: dict[object, None] = {}

    def add(self, key: object) -> bool:
        """Remember the key; False if it was already remembered."""
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self._size:
            del self._keys[next(iter(self._keys))]
        return True

    def drop(self, matches: Callable[[object], bool]) -> None:
        """Forget the keys `matches` picks (a learner who erased their data)."""
        for key in [k for k in self._keys if matches(k)]:
            del self._keys[key]


class FeatureState:
    """A feature's caches: what they hold of a person can be forgotten."""

    def forget(self, user_id: int) -> None:
        """Drop what is held about this person."""

    def forget_everyone(self) -> None:
        """Drop what is held about anyone (a replica that may have missed an erasure);
        what only times a running set or a send is kept."""


@dataclass
class GateState(FeatureState):
    """The gatekeeper's: who the bot met, as last stored (user id -> name, username)."""

    known_users: dict[int, tuple[str, str | None]] = field(default_factory=dict)

    def forget(self, user_id: int) -> None:
        self.known_users.pop(user_id, None)

    def forget_everyone(self) -> None:
        self.known_users.clear()


@dataclass
class LanguageState(FeatureState):
    """The language spoken in each chat (a learner's private chat id is their user id)."""

    by_chat: dict[int, str] = field(default_factory=dict)

    def forget(self, user_id: int) -> None:
        self.by_chat.pop(user_id, None)

    def forget_everyone(self) -> None:
        self.by_chat.clear()


@dataclass
class PracticeState(FeatureState):
    """The practice loop's: when Telegram accepted each learner's current problem (ms),
    and the menus already tapped (chat, message), so a second tap starts no second set."""

    problem_sent_at: dict[int, int] = field(default_factory=dict)
    frozen_menus: RecentKeys = field(default_factory=RecentKeys)

    def forget(self, user_id: int) -> None:
        self.problem_sent_at.pop(user_id, None)
        self.frozen_menus.drop(lambda key: isinstance(key, tuple) and key[0] == user_id)


@dataclass
class JoinNotice:
    """A group's message that lists who joined lately; edited as more join."""

    started_ms: int
    title: str = ""  # the class's, as the notice names it
    names: dict[int, str] = field(default_factory=dict)  # user id -> name, in join order
    message_id: int | None = None
    version: int = 0  # bumped by every name added or removed
    shown: int = 0  # the version the message shows
    sending: bool = False  # a task is sending or editing it


class AdminVerdicts:
    """Admin verdicts: (chat, user) -> whether an admin, until a time (ms). At most
    `limit`, the oldest dropped first: the Mini App lets anyone ask about any chat id."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._verdicts: dict[tuple[int, int], tuple[bool, int]] = {}

    def get(self, chat_id: int, user_id: int, now_ms: int) -> bool | None:
        """The verdict while it holds; None when there is none or it ran out."""
        held = self._verdicts.get((chat_id, user_id))
        return held[0] if held is not None and now_ms < held[1] else None

    def put(self, chat_id: int, user_id: int, verdict: bool, until_ms: int) -> None:
        self._verdicts.pop((chat_id, user_id), None)  # a renewed verdict is the newest
        self._verdicts[(chat_id, user_id)] = (verdict, until_ms)
        while len(self._verdicts) > self.limit:
            del self._verdicts[next(iter(self._verdicts))]

    def drop(self, chat_id: int | None = None, user_id: int | None = None) -> None:
        """Forget the verdicts about a chat, a user, or one user in one chat."""
        for key in [k for k in self._verdicts
                    if chat_id in (None, k[0]) and user_id in (None, k[1])]:
            del self._verdicts[key]

    def __len__(self) -> int:
        return len(self._verdicts)


@dataclass
class ClassesState(FeatureState):
    """The classes': admin verdicts, each group's open join notice, and group replies
    waiting for their group's minute (cancelled at shutdown). A joiner's notice line is
    dropped by handlers/classes/joins.py, which edits the message too."""

    admin_checks: AdminVerdicts = field(default_factory=AdminVerdicts)
    join_notices: dict[int, JoinNotice] = field(default_factory=dict)
    queued_replies: set[asyncio.Task[object]] = field(default_factory=set)

    def forget(self, user_id: int) -> None:
        self.admin_checks.drop(user_id=user_id)

    def forget_everyone(self) -> None:
        self.admin_checks.drop()
        self.join_notices.clear()  # the next /join in each group starts a new notice


def _requests() -> TokenBuckets:
    # 10 a second on average, 30 at once: a page opens with 2 to 4 requests and a fast
    # learner answers about twice a second, so people never meet it; a script meets it.
    return TokenBuckets(per_second=10, burst=30)


def _lookups() -> TokenBuckets:
    # 10 a minute: an admin opens the dashboards of a few classes; forged class ids each
    # cost a getChatMember from the bot's shared Bot API budget.
    return TokenBuckets(per_second=10 / 60, burst=10)


@dataclass
class WebState(FeatureState):
    """The Mini App API's bounds per learner (web/server.py): their requests running now
    (4: a page's first requests run together; a fifth would queue for the database
    readers everyone shares), their request rate, and the admin checks their requests
    may ask Telegram for. Full buckets are dropped, so idle learners cost nothing."""

    in_flight: InFlight = field(default_factory=lambda: InFlight(limit=4))
    requests: TokenBuckets = field(default_factory=_requests)
    lookups: TokenBuckets = field(default_factory=_lookups)

    def forget(self, user_id: int) -> None:
        # In flight is a count of running requests, each of which leaves it.
        self.requests.forget(user_id)
        self.lookups.forget(user_id)

    def forget_everyone(self) -> None:
        self.requests.clear()
        self.lookups.clear()


@dataclass
class PrivacyState(FeatureState):
    """When each learner last asked for /mydata (ms): one export per cooldown."""

    data_exports: dict[int, int] = field(default_factory=dict)

    def forget(self, user_id: int) -> None:
        self.data_exports.pop(user_id, None)
