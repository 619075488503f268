"""A Spanish-speaking learner practises, is reminded and sees the class
board in Spanish, with Spanish plurals, decimals and dates; a Russian one gets three plural
forms."""

from __future__ import annotations

from dojobot.i18n import ngettext, use_language
from dojobot.jobs.nudges import send_due_nudges
from tests.support.dojo import Dojo
from tests.support.learner import say, solve


async def test_a_spanish_learner_practises_is_reminded_and_sees_the_board(dojo: Dojo) -> None:
    s = dojo.standin
    lucia = await s.user(901, "Lucía", language_code="es-419")
    first = await say(dojo, lucia, "/start math-arithmetic-addition-d101")
    assert first.plain_text.startswith("Suma · Brote · Hatsu 初\n")
    assert "problemas. Envía cada respuesta como un número; /stop termina la serie." in (
        first.plain_text
    )
    assert "Problema 1 de " in first.plain_text
    question = first.plain_text.splitlines()[-1]
    dojo.clock.advance(2345)
    judged = await say(dojo, lucia, str(solve(question)))
    assert judged.plain_text.startswith("✓ 2,3 s\n\nProblema 2 de ")  # a decimal comma
    dojo.clock.advance(1000)
    summary = await say(dojo, lucia, "/stop")
    assert "Serie terminada · Suma · Brote" in summary.plain_text
    assert "1 respuesta · 1 correcta (100\u00a0%)" in summary.plain_text
    assert "🔥 Racha: 1 día" in summary.plain_text
    assert [b.text for b in summary.flat_buttons] == [
        "🔁 Otra serie", "📚 Cambiar de tema", "📈 Mi progreso",
    ]
    done = await say(dojo, lucia, "/remind 18:30")
    assert done.plain_text.startswith("🔔 Listo: te recordaré practicar cada día a las 18:30")
    # The next day at 18:31 (today's nudge is skipped: she practised).
    for now_ms in (1_764_009_060_000, 1_764_095_460_000):
        dojo.clock.now_ms = now_ms
        await send_due_nudges(dojo.app)
        await s.settle()
    nudge = await s.next_message(lucia)
    assert nudge.plain_text.startswith("🥋 ¡Hora de practicar hoy!\n🔥 Racha: 1 día.")
    assert "La última vez: Suma · Brote." in nudge.plain_text
    assert [b.text for b in nudge.flat_buttons] == ["▶️ Practicar ahora", "🔕 Parar recordatorios"]
    # Her teacher adds the bot to the class group: the class speaks the teacher's Spanish.
    teacher = await s.user(902, "Profe", language_code="es")
    group = await s.group(-9001, "5B")
    await s.set_admins(group, teacher, [])
    await s.add_bot_to_group(group, teacher)
    welcome = await s.next_message(group)
    assert welcome.plain_text.startswith("🥋 ¡Hola, 5B! Soy un dojo de cálculo mental")
    await s.settle()
    await s.send_text(lucia, "/join", chat=group)
    joined = (await s.next_message(group)).plain_text  # the class's shared join notice
    assert joined.startswith("✋ Se unieron a la clase: Lucía.")
    await s.send_text(lucia, "/leaderboard", chat=group)
    board = (await s.next_message(group)).plain_text
    assert board.startswith("🏆 5B · esta semana (24–30 nov 2025) · todos los temas\n")
    assert "1 de 1 miembro practicó." in board


async def test_a_group_admin_switches_the_class_to_german(dojo: Dojo) -> None:
    s = dojo.standin
    teacher = await s.user(903, "Frau Berg", language_code="en")
    group = await s.group(-9002, "6C")
    await s.set_admins(group, teacher, [])
    await s.add_bot_to_group(group, teacher)
    assert (await s.next_message(group)).plain_text.startswith("🥋 Hello, 6C!")
    await s.settle()
    await s.send_text(teacher, "/board", chat=group)
    panel = await s.next_message(group)
    assert "Language: English" in panel.plain_text
    await s.press(teacher, "🌐 Language: English", chat=group)
    await s.wait_for_edit(group, panel.message_id)
    await s.press(teacher, "Deutsch", chat=group)
    german = await s.wait_for_edit(group, panel.message_id)
    assert german.plain_text.startswith("⚙️ Ranglisten-Einstellungen · 6C\nZeitraum: diese Woche")
    await s.settle()
    await s.send_text(teacher, "/leaderboard", chat=group)
    board = (await s.next_message(group)).plain_text
    assert board.startswith("🏆 6C · diese Woche (24.–30. Nov. 2025) · alle Themen\n")


def test_russian_has_three_plural_forms() -> None:
    with use_language("ru"):
        forms = [ngettext("{n} answer", "{n} answers", n).format(n=n) for n in (1, 3, 5, 21)]
    assert forms == ["1 ответ", "3 ответа", "5 ответов", "21 ответ"]
