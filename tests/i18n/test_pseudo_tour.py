"""No English escapes translation: a tour of everything a learner and a teacher see, in a
pseudo-locale that wraps every translated string in ⟦…⟧. Whatever is left outside the
markers may only be numbers, problems, names, emoji and what is the same in every language
(commands, stage names with their kanji, language names, timezone names)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pytest
from babel import Locale

from dojobot.i18n import LRI, NATIVE_NAMES, PDI, PSEUDO, enable_pseudo_locale
from dojobot.jobs.nudges import send_due_nudges
from telegram_standin import BotApiStandIn, BotMessage, Chat, User
from tests.support.classes import toast
from tests.support.dojo import Dojo
from tests.support.learner import solve

MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
SAME_EVERYWHERE = [
    r"/[a-z_]+(?:@\w+)?",  # commands and the bot's @name
    r"\b(?:Hatsu|Shu|Kan|Ha|Toi|Ri|Ku)\b",  # stage names stay as they are
    r"\bmod\b",  # problem notation: 17 mod 5
    r"[A-Z][a-z]+/[A-Za-z_]+|\bUTC\b",  # timezone names
    r"https?://\S+",
    *(re.escape(name) for name in NATIVE_NAMES.values()),
    # Babel writes dates from CLDR; the pseudo-locale formats as English does.
    *(rf"\b{m}\b" for m in Locale.parse("en").months["format"]["abbreviated"].values()),
]
NAMES = ("Pia", "Quentin", "Teach", "Q7", "Ace")
LEFT = re.compile("|".join([*SAME_EVERYWHERE, *NAMES]))


def untranslated(text: str) -> str:
    """The letters of `text` outside markers and outside what may stay as it is."""
    previous = None
    while previous != text:  # innermost markers first: a template may wrap a translation
        previous, text = text, MARKED.sub(" ", text)
    text = LEFT.sub(" ", text)
    return " ".join(re.findall(r"[^\W\d_]+", re.sub(r"[\u3040-\u9fff]", " ", text)))


def test_the_check_finds_english() -> None:
    assert untranslated("⟦Problem 1 of 3⟧\n7 + 5 · 17 mod 5 · Shu 守 · /start") == ""
    assert untranslated("Problem 1 of 3") == "Problem of"
    assert untranslated("⟦Set complete · ⟦Addition⟧⟧ left") == "left"


class Tour:
    """Walks the bot as a pseudo-locale learner and teacher, checking every text seen."""

    def __init__(self, dojo: Dojo) -> None:
        self.dojo = dojo
        self.s: BotApiStandIn = dojo.standin
        self.found: list[str] = []
        self.group = Chat(-6001, "group", title="Q7")

    def see(self, texts: Iterable[str], where: str) -> None:
        for text in texts:
            if left := untranslated(text):
                self.found.append(f"{where}: {left!r} in {text!r}")

    def check(self, message: BotMessage, where: str) -> BotMessage:
        self.see([message.plain_text, *(b.text for b in message.flat_buttons)], where)
        return message

    async def say(self, who: User, text: str, chat: int | None = None) -> BotMessage:
        await self.s.send_text(who, text, chat=self.group if chat else None)
        message = await self.s.next_message(chat or who.id)
        await self.s.settle()
        return self.check(message, text)

    async def tap(self, who: User, button: str | int, message: BotMessage) -> BotMessage:
        chat = self.group if message.chat_id < 0 else None
        qid = await self.s.press(who, button, message_id=message.message_id, chat=chat)
        self.see([await toast(self.s, qid)], f"toast of {button}")
        await self.s.settle()
        record = next(m for m in self.s.messages(message.chat_id) if m.message_id
                      == message.message_id)
        return self.check(record, f"after {button}")

    def check_everything_new(self, chat_id: int, since: int) -> None:
        for message in self.s.messages(chat_id)[since:]:
            self.check(message, f"message {message.message_id} in {chat_id}")


@pytest.fixture(params=[False, True], ids=["ltr", "rtl"])
def right_to_left(request: pytest.FixtureRequest) -> Iterator[bool]:
    """The tour runs twice: as a left-to-right language and as a right-to-left one."""
    enable_pseudo_locale(right_to_left=request.param)
    yield request.param
    enable_pseudo_locale(right_to_left=False)


def isolated(line: str, right_to_left: bool) -> str:
    """A problem line: inside a right-to-left language it must be a left-to-right isolate
    (so "7 × 8" is never shown as "8 × 7"); the problem itself is returned."""
    if right_to_left:
        assert line.startswith(LRI), f"not isolated: {line!r}"
        assert line.endswith(PDI), f"not isolated: {line!r}"
        return line[1:-1]
    assert LRI not in line
    return line


async def test_a_tour_in_the_pseudo_locale_finds_no_untranslated_text(
    dojo: Dojo, right_to_left: bool
) -> None:
    tour = Tour(dojo)
    s = dojo.standin
    pia = await s.user(611, "Pia", language_code=PSEUDO)
    await tour.say(pia, "/help")
    await tour.say(pia, "/language")
    await tour.say(pia, "/language xx")
    await tour.say(pia, "/nonsense")
    # The menus, down to a set.
    menu = await tour.say(pia, "/start")
    for step in (0, 0, 0):
        menu = await tour.tap(pia, step, menu)
    await tour.tap(pia, 1, menu)  # a difficulty: the set starts in a new message
    problem = tour.check(await s.next_message(pia), "first problem")
    await s.settle()
    # A whole set: right, wrong and garbage answers; an edit; a sticker.
    tour.check(await tour.say(pia, "abc"), "garbage")
    tour.check(await tour.say(pia, "0x1F"), "hex")
    await s.send_sticker(pia)
    tour.check(await s.next_message(pia), "sticker")
    answered = 0
    while True:
        question = isolated(problem.plain_text.strip().splitlines()[-1], right_to_left)
        value = solve(question)
        dojo.clock.advance(1500)
        problem = await tour.say(pia, str(value if answered % 4 else value + 1))
        if not answered % 4 and not problem.flat_buttons:  # wrong: "✗ 7 + 5 = 12 · 1.5 s"
            verdict = problem.plain_text.splitlines()[0]
            assert isolated(verdict.split(" ", 1)[1].rsplit(" · ", 1)[0], right_to_left) == (
                f"{question} = {value}"
            )
        answered += 1
        if problem.flat_buttons:  # the summary, with 'Another set'
            break
    await tour.say(pia, "/stop")  # no set running
    await tour.say(pia, "5")
    progress_from = len(s.messages(pia))
    await s.send_text(pia, "/progress")
    await s.next_message(pia)
    await s.next_message(pia)  # the chart, with its caption
    await s.settle()
    tour.check_everything_new(pia.id, progress_from)
    # Reminders, timezone, nickname.
    await tour.say(pia, "/remind")
    await tour.say(pia, "/remind 7pm tomorrow")
    await tour.say(pia, "/remind 18:30")
    await tour.say(pia, "/timezone")
    await tour.say(pia, "/timezone Nowhere/Land")
    await tour.say(pia, "/timezone Europe/Berlin")
    await tour.say(pia, "/nickname")
    await tour.say(pia, "/nickname " + "x" * 40)
    await tour.say(pia, "/nickname Ace")
    await tour.say(pia, "/leaderboard")  # a group command in private
    # Pace, privacy, the data export's caption, a /forgetme kept.
    await tour.say(pia, "/pace")
    await tour.say(pia, "/pace 7")
    await tour.say(pia, "/privacy")
    export_from = len(s.messages(pia))
    await s.send_text(pia, "/mydata")
    await s.next_message(pia)
    await s.settle()
    tour.check_everything_new(pia.id, export_from)
    await tour.tap(pia, 1, await tour.say(pia, "/forgetme"))  # keep my data
    # A test-out, started and stopped.
    menu = await tour.say(pia, "/start")
    for step in (0, 0, 0):
        menu = await tour.tap(pia, step, menu)
    test_out = len(menu.flat_buttons) - 2  # the button before Back
    await tour.tap(pia, test_out, menu)
    tour.check(await s.next_message(pia), "test-out's first problem")
    await tour.say(pia, "/stop")
    # A nudge: today's is skipped (she practised), the next day's (18:30 Berlin) goes out.
    before = len(s.messages(pia))
    for now_ms in (1_764_005_460_000, 1_764_091_860_000):  # Mon, then Tue 18:31 Berlin
        dojo.clock.now_ms = now_ms
        await send_due_nudges(dojo.app)
        await s.settle()
    assert len(s.messages(pia)) == before + 1, "the nudge was sent"
    assert len(s.messages(pia)) == before + 1
    tour.check_everything_new(pia.id, before)
    # A class: welcome, join, leaderboard, board panel.
    teacher = await s.user(612, "Teach", language_code=PSEUDO)
    quentin = await s.user(613, "Quentin", language_code=PSEUDO)
    await s.group(tour.group.id, "Q7")
    await s.set_admins(tour.group, teacher, [])
    await s.add_bot_to_group(tour.group, teacher)
    welcome = tour.check(await s.next_message(tour.group), "welcome")
    await s.settle()
    await tour.tap(pia, 0, welcome)
    await tour.say(quentin, "/join", chat=tour.group.id)
    await tour.say(quentin, "/leaderboard", chat=tour.group.id)
    await tour.say(quentin, "/board", chat=tour.group.id)  # not an admin
    panel = await tour.say(teacher, "/board", chat=tour.group.id)
    panel = await tour.tap(teacher, 4, panel)  # Topic
    panel = await tour.tap(teacher, len(panel.flat_buttons) - 1, panel)  # Back
    panel = await tour.tap(teacher, 1, panel)  # Month
    panel = await tour.tap(teacher, 3, panel)  # Weekly post
    panel = await tour.tap(teacher, 5, panel)  # Language
    await tour.tap(teacher, len(panel.flat_buttons) - 1, panel)  # Back
    await tour.say(teacher, "/board period month", chat=tour.group.id)
    await tour.say(teacher, "/board whatever", chat=tour.group.id)
    chart_from = len(s.messages(tour.group))
    await s.send_text(teacher, "/board chart", chat=tour.group)
    await s.next_message(tour.group)
    await s.settle()
    tour.check_everything_new(tour.group.id, chart_from)
    await tour.say(quentin, "/leave", chat=tour.group.id)
    assert tour.found == [], "\n".join(tour.found)
