"""The Mini App in headless Chromium: a learner opens it with signed initData and plays."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browser import Page
from tests.support.learner import solve
from tests.support.waiting import until
from tests.support.web import WebDojo, answer_three, play_app_set

ADDITION = "/practice/math/arithmetic/addition?difficulty=101"
KEYS = {"-": "-", ".": "dec", "/": "/"}


async def _tap(page: Page, text: str) -> None:
    """Type `text` on the on-screen keypad, then Enter."""
    for char in [*text, "enter"] if text != "enter" else ["enter"]:
        key = KEYS.get(char, char)
        button = await page.run(page.driver.find_element, By.CSS_SELECTOR,
                                f'#keypad button[data-key="{key}"]')
        await page.run(button.click)


async def test_a_whole_set_played_on_the_keypad(web: WebDojo, chromium: Page) -> None:
    await chromium.open(web.link(ADDITION, web.init_data(5, "Ada")))
    answered = 0
    while True:
        shown = await chromium.wait_for(
            "!document.getElementById('end').hidden ? 'END' : "
            f"(document.getElementById('position').textContent.match(/^Problem {answered + 1} /)"
            " && document.getElementById('question').textContent)",
            f"problem {answered + 1} or the summary",
        )
        if answered:  # the feedback for the last answer, shown with what came next
            feedback = await chromium.js("return document.getElementById('feedback').textContent;")
            assert feedback.startswith("✗" if answered == 1 else "✓"), feedback
        if shown == "END":
            break
        web.dojo.clock.advance(4000)  # the server saw 4 s pass while the problem was shown
        await _tap(chromium, "9999" if answered == 0 else str(solve(shown)))
        answered += 1
    summary = await chromium.js("return document.getElementById('summary').textContent;")
    assert "Set complete" in summary
    assert answered >= 10
    async with web.dojo.db.read() as tx:
        rows = await tx.fetchall(
            "SELECT correct, response_ms, timed_by, device_ms FROM attempt ORDER BY attempt_id",
            (),
        )
        open_sets = await tx.fetchone("SELECT count(*) FROM session WHERE end_time IS NULL", ())
    assert len(rows) == answered
    assert open_sets is not None
    assert open_sets[0] == 0
    assert [r["correct"] for r in rows][:2] == [0, 1]
    for row in rows:  # every answer carries the device's time; kept when plausible
        assert row["device_ms"] is not None
        plausible = 150 <= row["device_ms"] <= 4000
        assert row["timed_by"] == ("device" if plausible else "server")
        assert row["response_ms"] == (row["device_ms"] if plausible else 4000)


async def test_without_init_data_the_page_says_so(web: WebDojo, chromium: Page) -> None:
    # (each test's bot has a port of its own: no initData is kept from an earlier test)
    await chromium.open(web.base + ADDITION)
    note = await chromium.wait_for(
        "document.getElementById('problem-note').textContent", "the refusal is shown"
    )
    assert "missing initData" in note


async def test_the_progress_page_shows_each_topics_stage(web: WebDojo, chromium: Page) -> None:
    await chromium.open(web.link("/progress", web.init_data(6, "Ada", "de")))
    first = await chromium.wait_for(
        "document.querySelector('#topics li') && document.querySelector('#topics li')"
        ".textContent", "the topics")
    assert "Hatsu" in first
    assert await chromium.js("return document.getElementById('title').textContent;") == "Stufen"
    href = await chromium.js("return document.querySelector('#topics a').getAttribute('href');")
    assert href.startswith("/practice/math/arithmetic/")


async def test_the_progress_map_shows_the_learners_facts_and_a_tapped_fact(
    web: WebDojo, chromium: Page
) -> None:
    await play_app_set(web, 8)
    asked = await answer_three(web, 8)
    await chromium.open(web.link("/progress", web.init_data(8, "Ada")))
    shaded = await chromium.wait_for(
        "document.querySelectorAll('#map .cell').length && Array.from("
        "document.querySelectorAll('#map .cell')).filter(c => c.style.background)"
        ".map(c => c.getAttribute('aria-label'))", "the map's shaded facts")
    assert set(asked) <= {label.split(",")[0] for label in shaded}
    cell = await chromium.run(chromium.driver.find_element, By.CSS_SELECTOR,
                              '#map .cell[style*="background"]')
    await chromium.run(cell.click)
    detail = await chromium.wait_for(
        "document.querySelector('#fact li') && document.getElementById('fact').textContent",
        "the tapped fact's answers")
    assert "✓ 1.5 s" in detail
    assert "Next due" in detail
    # By keyboard: one tab stop, arrows move, Enter opens the fact.
    first = await chromium.run(chromium.driver.find_element, By.CSS_SELECTOR,
                               '#map .cell[tabindex="0"]')
    await chromium.run(first.send_keys, Keys.ARROW_DOWN)
    await chromium.run(chromium.driver.switch_to.active_element.send_keys, Keys.ENTER)
    assert await chromium.wait_for(
        "document.querySelector('#fact h3').textContent === '2 + 1' && 'opened'",
        "the fact below the first, opened by Enter") == "opened"
    chart = await chromium.js(
        "return [document.querySelectorAll('#chart svg rect').length,"
        " document.querySelector('#chart ol').textContent];")
    assert chart == [1, "Set 1: accuracy 100%, median 1.5 s"]


async def test_two_tabs_on_one_set_each_show_the_set_as_it_stands(
    web: WebDojo, chromium: Page
) -> None:
    """The second tab answers a problem the first already answered: it is not counted
    again, and that tab moves on to the set's current problem, without an error."""
    link = web.link(ADDITION, web.init_data(9, "Ada"))
    driver = chromium.driver
    first_tab = driver.current_window_handle
    await chromium.open(link)
    question = await chromium.wait_for(
        "Dojo.readyAt && document.getElementById('question').textContent", "tab 1's problem")
    await chromium.run(driver.switch_to.new_window, "tab")
    second_tab = driver.current_window_handle
    try:
        await chromium.open(link)
        assert await chromium.wait_for(
            "Dojo.readyAt && document.getElementById('question').textContent",
            "tab 2 resumes the set") == question
        await chromium.run(driver.switch_to.window, first_tab)
        await _tap(chromium, str(solve(question)))
        await chromium.wait_for("document.getElementById('position').textContent"
                                ".startsWith('Problem 2 ')", "tab 1 moves on")
        await chromium.run(driver.switch_to.window, second_tab)
        await _tap(chromium, str(solve(question)))
        shown = await chromium.wait_for(
            "document.getElementById('position').textContent.startsWith('Problem 2 ') && "
            "[document.getElementById('problem-note').hidden, "
            "document.getElementById('feedback').textContent.trim()]",
            "tab 2 shows the current problem")
        assert shown == [True, ""]  # no error, and no feedback for an answer not counted
    finally:
        await chromium.run(driver.close)
        await chromium.run(driver.switch_to.window, first_tab)
    async with web.dojo.db.read() as tx:
        counted = await tx.fetchone("SELECT count(*) FROM attempt", ())
    assert counted is not None
    assert counted[0] == 1


async def test_a_set_finished_in_the_chat_ends_in_the_app_with_its_summary(
    web: WebDojo, chromium: Page
) -> None:
    """The page still shows a problem the chat has since answered, and the set has ended
    there: the page's answer is not counted, and it shows the set's summary, not an error."""
    learner = await web.dojo.standin.user(10, "Ada")
    await chromium.open("about:blank")
    await chromium.open(web.link(ADDITION, web.init_data(10, "Ada")))
    question = await chromium.wait_for(
        "Dojo.readyAt && document.getElementById('question').textContent", "the problem")
    asked = question
    while True:
        await web.dojo.standin.send_text(learner, str(solve(asked)))
        reply = (await web.dojo.standin.next_message(learner)).plain_text
        if "Set complete" in reply:
            break
        asked = reply.splitlines()[-1]
    async with web.dojo.db.read() as tx:
        before = await tx.fetchone("SELECT count(*) FROM attempt", ())
    await _tap(chromium, str(solve(question)))
    summary = await chromium.wait_for(
        "!document.getElementById('end').hidden &&"
        " document.getElementById('summary').textContent", "the summary")
    assert "Set complete" in summary
    assert await chromium.js("return document.getElementById('problem-note').hidden;")
    async with web.dojo.db.read() as tx:
        after = await tx.fetchone("SELECT count(*) FROM attempt", ())
    assert before is not None
    assert after is not None
    assert after[0] == before[0]


async def test_an_answer_refused_as_too_many_is_sent_again_and_counted_once(
    web: WebDojo, chromium: Page
) -> None:
    await chromium.open(web.link(ADDITION, web.init_data(7051, "Ada")))
    question = await chromium.wait_for(
        "document.getElementById('position').textContent.match(/^Problem 1 /)"
        " && document.getElementById('question').textContent", "the first problem")
    writers = await web.hold_places(web.init_data(7051, "Ada"), 4)  # Ada has no room
    in_flight = web.dojo.app.bot_data.web.in_flight
    await until(lambda: in_flight.running(7051) == 4, "Ada's four places held")
    await _tap(chromium, str(solve(question)))
    busy = await chromium.wait_for("document.getElementById('problem-note').textContent",
                                   "the page saying it was refused")
    assert busy == "Too many requests at once: wait a moment and try again."
    for writer in writers:
        writer.close()
    # The page sends the answer again by itself a second later (Retry-After: 1). (On a
    # machine so loaded that it did so before the places were free, it was refused again
    # and offers Try again.)
    shown = await chromium.wait_for(
        "document.getElementById('feedback').textContent.trim()"
        " || (!document.getElementById('retry').hidden && 'RETRY')", "the answer judged")
    if shown == "RETRY":
        await chromium.run(chromium.driver.find_element(By.ID, "retry").click)
        shown = await chromium.wait_for(
            "document.getElementById('feedback').textContent.trim()", "the answer judged")
    assert shown.startswith("✓")
    async with web.dojo.db.read() as tx:
        rows = await tx.fetchall("SELECT correct FROM attempt WHERE user_id = ?", (7051,))
    assert [row["correct"] for row in rows] == [1]
