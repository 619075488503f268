"""The practice page's looks, measured by the machine in headless Chromium: keys at least
44 x 44 CSS px at 320 and 480 px, every text at WCAG AA contrast in the light and dark
themes (the browser's, and Telegram's dark one), nothing moving when feedback appears, and
the page usable by keyboard alone."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.support.browser import Page
from tests.support.learner import solve
from tests.support.looks import boxes, contrasts, too_faint
from tests.support.web import APP_ADDITION, WebDojo

ADDITION = "/practice/math/arithmetic/addition?difficulty=101"
# Telegram's own dark theme, as telegram-web-app.js sets it on the page before any script
# of the app runs: its button colour under white text is 3.7:1.
TELEGRAM_DARK = {"bg-color": "#17212b", "text-color": "#f5f5f5", "button-color": "#5288c1",
                 "button-text-color": "#ffffff", "secondary-bg-color": "#232e3c"}


async def _emulate(page: Page, width: int, dark: bool) -> None:
    await page.run(page.driver.execute_cdp_cmd, "Emulation.setDeviceMetricsOverride",
                   {"width": width, "height": 740, "deviceScaleFactor": 1, "mobile": True})
    await page.run(page.driver.execute_cdp_cmd, "Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})


async def _telegram_theme(page: Page, theme: dict[str, str] | None) -> str | None:
    """Set Telegram's theme variables on every page opened from now on (None: none); the
    script's id, to remove it."""
    if theme is None:
        return None
    lines = "".join(f"s.setProperty('--tg-theme-{k}', '{v}');" for k, v in theme.items())
    # The script runs before the document has its <html> element: set them once it has.
    source = ("function theme() { var s = document.documentElement.style; " + lines + " }"
              " if (document.documentElement) theme(); else new MutationObserver("
              "function (_, seen) { if (document.documentElement) { theme();"
              " seen.disconnect(); } }).observe(document, {childList: true});")
    added = await page.run(page.driver.execute_cdp_cmd, "Page.addScriptToEvaluateOnNewDocument",
                           {"source": source})
    return str(added["identifier"])


async def _open(page: Page, web: WebDojo, user_id: int, language: str = "en") -> str:
    await page.open("about:blank")  # a link differing only in its #... would not reload
    await page.open(web.link(ADDITION, web.init_data(user_id, "Ada", language)))
    return str(await page.wait_for(
        "Dojo.readyAt && document.getElementById('question').textContent", "the problem"))


async def _type(page: Page, text: str) -> None:
    """Tap `text` then Enter on the on-screen keypad."""
    await page.js("for (var k of arguments[0]) document.querySelector("
                  "'#keypad button[data-key=\"' + k + '\"]').click();", [*text, "enter"])


async def _judged(page: Page) -> str:
    """The feedback of the answer just given (in any language)."""
    return str(await page.wait_for("document.getElementById('feedback').textContent.trim()",
                                   "the answer judged"))


async def _to_the_last_problem(web: WebDojo, user_id: int) -> None:
    """Answer all but the set's last problem through the API, a second each (faster than
    10 a second would meet the learner's request rate)."""
    auth = web.auth(web.init_data(user_id))
    body = (await web.http.post("/api/practice/start", json=APP_ADDITION,
                                headers=auth)).json()
    while body["set"]["n"] < body["set"]["of"]:
        web.dojo.clock.advance(1000)
        problem = body["set"]
        body = (await web.http.post("/api/practice/answer", headers=auth, json={
            "set": problem["id"], "n": problem["n"], "answer": str(solve(problem["question"])),
            "device_ms": 900})).json()


async def test_keys_are_big_enough_and_every_text_readable(
    web: WebDojo, chromium: Page
) -> None:
    faint: dict[str, list[str]] = {}
    small: dict[str, list[Any]] = {}
    views: list[tuple[int, bool, dict[str, str] | None]] = [
        (w, dark, None) for dark in (False, True) for w in (320, 480)]
    views.append((320, True, TELEGRAM_DARK))
    for index, (width, dark, theme) in enumerate(views):
        user_id = 100 + index
        name = f"{width}px {'dark' if dark else 'light'}{' Telegram' if theme else ''}"
        await _emulate(chromium, width, dark)
        script = await _telegram_theme(chromium, theme)
        try:
            await _to_the_last_problem(web, user_id)
            question = await _open(chromium, web, user_id)
            assert await chromium.js("return window.innerWidth;") == width
            if theme:  # Telegram's colours are the page's
                assert await chromium.js("return getComputedStyle(document.body)"
                                         ".backgroundColor;") == "rgb(23, 33, 43)"
            keys = await boxes(chromium, "#keypad button")
            assert len(keys) == 14  # no fraction bar in addition
            small[name] = [k for k in keys if k["width"] < 44 or k["height"] < 44]
            faint[name] = too_faint(await contrasts(chromium))
            await _type(chromium, "9999")  # wrong: the feedback shows the right answer
            await chromium.wait_for("document.getElementById('feedback').textContent"
                                    ".startsWith('✗')", "the wrong answer's feedback")
            faint[name] += too_faint(await contrasts(chromium))
            await _type(chromium, str(solve(question)))  # the last one: the set's end
            await chromium.wait_for("!document.getElementById('end').hidden", "the summary")
            faint[name] += too_faint(await contrasts(chromium))
            ends = await boxes(chromium, "#end button, #end .button")
            small[name] += [b for b in ends if b["width"] < 44 or b["height"] < 44]
            await chromium.js("document.getElementById('to-progress').click();")
            await chromium.wait_for("document.querySelector('#map .cell')", "the progress page")
            faint[name] += too_faint(await contrasts(chromium))
        finally:
            if script is not None:
                await chromium.run(chromium.driver.execute_cdp_cmd,
                                   "Page.removeScriptToEvaluateOnNewDocument",
                                   {"identifier": script})
    assert {k: v for k, v in small.items() if v} == {}
    assert {k: v for k, v in faint.items() if v} == {}


async def test_feedback_moves_nothing(web: WebDojo, chromium: Page) -> None:
    """Feedback, the next problem and the stats fill boxes of fixed size: no element of
    the page moves or changes size, in the narrowest view and the wordiest language."""
    await _emulate(chromium, 320, False)
    question = await _open(chromium, web, 200, "de")
    await chromium.js("window.__shift = 0; new PerformanceObserver(function (list) {"
                      " list.getEntries().forEach(function (e) { window.__shift += e.value; });"
                      " }).observe({type: 'layout-shift'});")
    layout = "#app > *, #play > *, .stats > div, #keypad button"
    before = await boxes(chromium, layout)
    await _type(chromium, "99999")
    assert (await _judged(chromium)).startswith("✗")
    assert question != await chromium.js("return document.getElementById('question')"
                                         ".textContent;")
    assert await boxes(chromium, layout) == before
    assert await chromium.js("return window.__shift;") == 0


async def _keys(page: Page, *keys: str, shift: bool = False) -> None:
    actions = ActionChains(page.driver)
    if shift:
        actions.key_down(Keys.SHIFT)
    for key in keys:
        actions.send_keys(key)
    if shift:
        actions.key_up(Keys.SHIFT)
    await page.run(actions.perform)


async def _focused(page: Page) -> str:
    return str(await page.js("var e = document.activeElement;"
                             " return e.dataset.key || e.id || e.tagName;"))


async def _feedback_after(page: Page, before: str) -> str:
    return str(await page.wait_for(
        "document.getElementById('question').textContent !== arguments[0] &&"
        " document.getElementById('feedback').textContent".replace("arguments[0]",
                                                                   repr(before)),
        "the answer judged"))


async def test_the_keyboard_alone_plays_a_set(web: WebDojo, chromium: Page) -> None:
    """Typing and Enter answer; Tab walks the keys in reading order and Enter on a key
    presses that key (on ⏎ it submits); at the set's end Enter on the focused button
    starts the next set."""
    await _emulate(chromium, 390, False)
    question = await _open(chromium, web, 300)
    await _keys(chromium, *str(solve(question)), Keys.ENTER)  # typed, focus on the page
    assert (await _feedback_after(chromium, question)).startswith("✓")
    order = []
    for _ in range(14):
        await _keys(chromium, Keys.TAB)
        order.append(await _focused(chromium))
    assert order == ["7", "8", "9", "back", "4", "5", "6", "-", "1", "2", "3", "dec", "0",
                     "enter"]
    question = await chromium.js("return document.getElementById('question').textContent;")
    await _keys(chromium, Keys.TAB, Keys.TAB, Keys.TAB, shift=True)  # back to "3"
    assert await _focused(chromium) == "3"
    await _keys(chromium, Keys.ENTER)  # presses "3": it types, it does not submit
    assert await chromium.js("return document.getElementById('entry').textContent;") == "3"
    await _keys(chromium, Keys.BACKSPACE, *str(solve(question)), Keys.TAB, Keys.TAB,
                Keys.TAB)
    assert await _focused(chromium) == "enter"
    await _keys(chromium, Keys.ENTER)
    assert (await _feedback_after(chromium, question)).startswith("✓")
    await _to_the_last_problem(web, 300)  # the rest of the set elsewhere; the last here
    question = await _open(chromium, web, 300)
    await _keys(chromium, *str(solve(question)), Keys.ENTER)
    await chromium.wait_for("!document.getElementById('end').hidden", "the summary")
    assert await _focused(chromium) == "again"
    await _keys(chromium, Keys.ENTER)
    assert await chromium.wait_for(
        "document.getElementById('end').hidden && Dojo.text &&"
        " document.getElementById('position').textContent.startsWith('Problem 1 ')",
        "a new set")
    await _to_the_last_problem(web, 300)
    question = await _open(chromium, web, 300)
    await _keys(chromium, *str(solve(question)), Keys.ENTER)
    await chromium.wait_for("!document.getElementById('end').hidden", "the summary")
    await _keys(chromium, Keys.TAB)
    assert await _focused(chromium) == "to-progress"
    await _keys(chromium, Keys.ENTER)  # a link: Enter follows it
    assert await chromium.wait_for("location.pathname === '/progress'", "the progress page")
