"""Done when (issue 26): a Persian learner practises with Persian digits, sets a reminder
and a timezone in their own words, and sees the fluency map in Persian; problems stay left
to right inside the right-to-left text, and the command menu is set for fa."""

from __future__ import annotations

from PIL import features

from dojobot.display.fluency_map import learner_map
from dojobot.engine.facts import space
from dojobot.engine.memory import Standing
from dojobot.i18n import LRI, PDI, use_language
from telegram_standin import BotMessage
from tests.support.dojo import Dojo
from tests.support.learner import say, solve

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def problem_of(message: BotMessage) -> str:
    line = message.plain_text.splitlines()[-1]
    assert line.startswith(LRI), line  # "7 × 8" stays left to right inside Persian text
    assert line.endswith(PDI), line
    return line[1:-1]


async def test_a_persian_learner_plays_in_persian_digits(dojo: Dojo) -> None:
    sara = await dojo.standin.user(981, "سارا", language_code="fa")
    first = await say(dojo, sara, "/start math-arithmetic-addition-d101")
    assert "مسئله‌ی ۱ از ۲۵" in first.plain_text  # counts in Persian digits, as times are
    question = problem_of(first)
    # Before: "3 + 4" in Latin digits inside Persian text; CLDR writes fa in its own digits.
    assert question == question.translate(PERSIAN), question
    assert " + " in question, question
    dojo.clock.advance(2345)
    judged = await say(dojo, sara, str(solve(question)).translate(PERSIAN))
    assert judged.plain_text.startswith("✓ ۲٫۳ ثانیه")  # Persian digits, as CLDR writes fa
    wrong = solve(problem_of(judged)) + 1
    judged = await say(dojo, sara, str(wrong).translate(PERSIAN))
    verdict = judged.plain_text.splitlines()[0]
    assert verdict.startswith(f"✗ {LRI}")  # the whole equation is one left-to-right island
    right = str(wrong - 1).translate(PERSIAN)
    assert f" = {right}{PDI}" in verdict, verdict  # the right answer in Persian digits too
    summary = await say(dojo, sara, "/stop")
    assert "دور تمام شد" in summary.plain_text
    # Before: "۵۰%", Babel's Latin percent sign; CLDR's fa has its own.
    assert "۲ جواب · ۱ درست (۵۰٪)" in summary.plain_text, summary.plain_text
    assert "زنجیره: ۱ روز" in summary.plain_text, summary.plain_text
    assert "۲/۱۰۰۰" in summary.plain_text, summary.plain_text  # the stage bar's reps too


async def test_a_persian_learner_sets_reminder_and_timezone_in_persian(dojo: Dojo) -> None:
    sara = await dojo.standin.user(982, "سارا", language_code="fa")
    assert (await say(dojo, sara, "/timezone تهران")).plain_text.startswith(
        "🌍 منطقه‌ی زمانی تنظیم شد: Asia/Tehran."
    )
    assert (await say(dojo, sara, "/remind 18:30")).plain_text.startswith("🔔 انجام شد")
    off = await say(dojo, sara, "/remind خاموش")  # the word on the 🔕 button
    assert off.plain_text.startswith("🔕 یادآورهای روزانه خاموش‌اند.")


async def test_the_command_menu_is_set_for_persian(dojo: Dojo) -> None:
    menu = {c["command"]: c["description"] for c in dojo.standin.my_commands(language_code="fa")}
    assert menu["remind"] == "یادآور روزانه‌ی تمرین در ساعتی که خودت می‌خواهی"


def test_the_map_draws_persian_shaped() -> None:
    """Pillow lays Persian out with libraqm (shaping, right to left); without it the letters
    would stand unjoined and in the wrong order."""
    assert features.check("raqm"), "install libfribidi0 (scripts/ensure-system-packages)"
    facts = list(space("mul", 1, 101) or ())
    with use_language("fa"):
        png = learner_map("ضرب: دورهای اخیر", facts, {f.key: Standing.FLUENT for f in facts},
                         set())
    assert png.startswith(b"\x89PNG")


def test_the_charts_lay_persian_out_with_libraqm() -> None:
    """matplotlib >= 3.11 shapes and orders Persian with its bundled libraqm; an older one
    would draw the progress chart's Persian labels as unjoined letters, left to right."""
    from matplotlib import ft2font

    assert getattr(ft2font, "__libraqm_version__", None), "matplotlib >= 3.11 needed"


async def test_a_persian_learner_reads_times_and_counts_in_persian_digits(dojo: Dojo) -> None:
    """Babel writes times in Latin digits whatever the locale: '18:30' beside '۳ ثانیه'."""
    sara = await dojo.standin.user(983, "سارا", language_code="fa")
    reminder = await say(dojo, sara, "/remind 18:30")
    assert "۱۸:۳۰" in reminder.plain_text, reminder.plain_text
    assert "18:30 (" not in reminder.plain_text, reminder.plain_text
    pace = await say(dojo, sara, "/pace")
    assert pace.plain_text.startswith("سرعت تو ۳ ثانیه"), pace.plain_text


async def test_a_persian_learners_mydata_caption_counts_in_persian_digits(dojo: Dojo) -> None:
    sara = await dojo.standin.user(984, "سارا", language_code="fa")
    first = await say(dojo, sara, "/start math-arithmetic-addition-d101")
    await say(dojo, sara, str(solve(problem_of(first))))
    await say(dojo, sara, "/stop")
    mydata = await say(dojo, sara, "/mydata")
    assert "۱ جواب" in mydata.plain_text, mydata.plain_text


async def test_persian_lists_use_the_persian_comma(dojo: Dojo) -> None:
    sara = await dojo.standin.user(985, "سارا", language_code="fa")
    shown = (await say(dojo, sara, "/help")).plain_text
    assert "جوانه،\u200f نهال" in shown, shown  # CLDR's list comma for fa, not ", "
