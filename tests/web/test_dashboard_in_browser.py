"""The class dashboard in headless Chromium, opened the way an admin opens it: /board's
📊 Dashboard, the button the bot sends privately, the page. As the admin (members, a
member's page, the focus set and then seen by a member in the chat) and as a member who is
not an admin (refused). Screenshots in light and dark at 360 px, for people to look at
(DOJOBOT_SCREENSHOTS=<folder> keeps them)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.browser import Page
from tests.support.classes import (
    delete_from_board,
    in_group,
    join_both,
    make_class,
    practise,
    toast,
)
from tests.support.learner import reply
from tests.support.web import WebDojo

PHONE_WIDTH = 360


async def phone(page: Page, *, dark: bool) -> None:
    """A 360 px wide phone in the light or dark scheme (one browser, emulated)."""
    await page.run(page.driver.execute_cdp_cmd, "Emulation.setDeviceMetricsOverride",
                   {"width": PHONE_WIDTH, "height": 780, "deviceScaleFactor": 2,
                    "mobile": True})
    await page.run(page.driver.execute_cdp_cmd, "Emulation.setEmulatedMedia",
                   {"features": [{"name": "prefers-color-scheme",
                                  "value": "dark" if dark else "light"}]})


async def screenshot(page: Page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("DOJOBOT_SCREENSHOTS") or tmp_path)
    await page.run(lambda: folder.mkdir(parents=True, exist_ok=True))
    await page.run(page.driver.save_screenshot, str(folder / f"{name}.png"))


async def test_an_admin_opens_the_dashboard_and_sets_the_focus(
    web: WebDojo, chromium: Page, tmp_path: Path
) -> None:
    dojo = web.dojo
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1200), (True, 900), (False, 2500), (True, 1500)])
    await s.send_text(k.ben, "/nickname Benji")
    await s.next_message(k.ben)
    # /board's 📊 Dashboard: the teacher never opened the private chat, so the group gets
    # a link to it; /start there brings the web-app button (not allowed in groups).
    panel = await in_group(dojo, k.teacher, "/board", k.group)
    qid = await s.press(k.teacher, "📊 Dashboard", message_id=panel.message_id, chat=k.group)
    assert await toast(s, qid) == "Open a chat with me first: see the button I posted."
    await s.settle()
    note = s.messages(k.group)[-1]
    assert note.flat_buttons[0].url == "https://t.me/DojoSandboxBot?start=dash-n4001"
    await s.send_text(k.teacher, "/start dash-n4001")
    offer = await s.next_message(k.teacher)
    await s.next_message(k.teacher)  # the menu, with "Above: the dashboard of 7A Maths."
    await s.settle()
    [button] = offer.flat_buttons
    assert button.web_app_url == f"{web.base}/dashboard?class=n4001"

    await phone(chromium, dark=False)
    await chromium.open(web.link("/dashboard?class=n4001", web.init_data(900, "Ms Tanaka")))
    names = await chromium.wait_for(
        "[...document.querySelectorAll('#members tbody th')].map(e => e.textContent)"
        ".join(',')", "the members table"
    )
    assert names == "Aiko,Benji"  # most reps first
    assert await chromium.js("return document.getElementById('idle').textContent") == (
        "Not practised this weekBenji"
    )
    # Readable at 360 px: the page itself never scrolls sideways (the table may, inside).
    assert await chromium.js("return document.documentElement.scrollWidth") <= PHONE_WIDTH
    await screenshot(chromium, tmp_path, "dashboard-light")
    await phone(chromium, dark=True)
    background = await chromium.js("return getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(23, 33, 43)"
    await screenshot(chromium, tmp_path, "dashboard-dark")
    await phone(chromium, dark=False)

    # Members × topics: Aiko has a stage in Addition, Benji nothing yet; a cell opens Aiko
    # on that topic with every figure of the week.
    grid = await chromium.wait_for(
        "[...document.querySelectorAll('#topics tbody tr')].map(r => r.textContent)"
        ".join('|')", "the members × topics grid")
    assert grid == "AikoHatsu4|Benji·"
    await chromium.js("document.querySelector('#topics button.st').click()")
    figures = await chromium.wait_for(
        "document.getElementById('figures')?.textContent", "the cell's figures")
    assert figures == ("StageHatsuReps4Accuracy75%Median1.4 sLast practisedNov 24"
                       "Streak1")
    assert await chromium.js("return document.documentElement.scrollWidth") <= PHONE_WIDTH
    await screenshot(chromium, tmp_path, "dashboard-cell")
    await chromium.js("document.getElementById('back').click()")
    await chromium.wait_for("document.getElementById('members')", "back to the table")

    # Sort by name; then one member's page and back.
    await chromium.js("document.querySelector('[data-sort=name]').click()")
    assert await chromium.wait_for(
        "document.querySelector('#members tbody th').textContent === 'Aiko' && "
        "document.querySelector('th[aria-sort=ascending]') !== null", "sorted by name"
    )
    await chromium.js("document.querySelector('#members tbody th button').click()")
    assert await chromium.wait_for(
        "document.getElementById('member-name')?.textContent", "the member page"
    ) == "Aiko"
    sets = await chromium.wait_for("document.getElementById('sets').textContent", "sets")
    assert "3 right of 4" in sets
    await screenshot(chromium, tmp_path, "dashboard-member")
    await chromium.js("document.getElementById('back').click()")
    await chromium.wait_for("document.getElementById('members')", "back to the table")

    # The weekly focus, set on the page: Multiplication at Sapling, 2 sets each.
    await chromium.js("document.getElementById('tab-focus').click()")
    await chromium.wait_for("document.getElementById('focus-set')", "the focus form")
    await chromium.js(
        "const t = document.getElementById('focus-topic'); t.value = '3';"
        "t.dispatchEvent(new Event('change'));"
        "document.getElementById('focus-level').value = '102';"
        "document.getElementById('focus-target').value = '2';"
        "document.getElementById('focus-set').click();"
    )
    assert await chromium.wait_for(
        "document.getElementById('focus-now').textContent.includes('Multiplication')",
        "the focus shown"
    )
    status = await chromium.js("return document.getElementById('focus-status').textContent")
    assert status.startswith("🎯 Focus set")
    await chromium.js(
        "document.getElementById('focus-target').value = '10000';"
        "document.getElementById('focus-set').click();"
    )
    assert await chromium.wait_for(
        "document.getElementById('focus-status').textContent.startsWith('The target')",
        "the refusal"
    )
    await screenshot(chromium, tmp_path, "dashboard-focus")
    menu = await reply(s, k.ben, "/start")
    assert menu.plain_text.splitlines()[0] == (
        "🎯 Your class 7A Maths is practising Multiplication at Sapling this week. "
        "Your sets so far: 0 of 2."
    )

    # The weeks: charts with their text alternative.
    await chromium.js("document.getElementById('tab-trends').click()")
    assert await chromium.wait_for(
        "document.querySelectorAll('figure svg[role=img]').length === 4 && "
        "document.getElementById('weeks')", "the charts and their table"
    )
    await screenshot(chromium, tmp_path, "dashboard-weeks")

    # The class's fact grid, with the four steps of /board facts' legend.
    await chromium.js("document.getElementById('tab-facts').click()")
    assert await chromium.wait_for(
        "document.querySelectorAll('.legend li').length === 4", "the grid's legend"
    )
    await screenshot(chromium, tmp_path, "dashboard-facts")

    # A member who is not an admin opens the same page: refused, nothing shown.
    await chromium.open("about:blank")  # else only the fragment changes: no new page
    await chromium.open(web.link("/dashboard?class=n4001", web.init_data(501, "Aiko")))
    refusal = await chromium.wait_for(
        "document.getElementById('refusal')?.textContent", "the refusal"
    )
    assert refusal.startswith("This dashboard is for the admins of the class's group.")
    assert await chromium.js("return document.getElementById('members')") is None
    await screenshot(chromium, tmp_path, "dashboard-refused")


async def open_as(chromium: Page, web: WebDojo, path: str, user_id: int, name: str,
                  language: str | None = None) -> None:
    """The page as this user, who first chooses their language in the chat (/language):
    the dashboard speaks the one the bot speaks with them."""
    if language is not None:
        user = await web.dojo.standin.user(user_id, name)
        await web.dojo.standin.send_text(user, f"/language {language}")
        await web.dojo.standin.next_message(user)
        await web.dojo.standin.settle()
    await chromium.open("about:blank")  # else only the fragment changes: no new page
    await chromium.open(web.link(path, web.init_data(user_id, name)))


async def test_the_board_link_in_two_languages_and_its_refusals(
    named_web: WebDojo, chromium: Page, tmp_path: Path
) -> None:
    """The direct link of /board (Telegram opens the app's main URL with the start
    parameter): the admin's dashboard in Persian (right to left, dark) and German (light);
    a member refused; a broken link and a deleted class each say so."""
    web = named_web
    dojo = web.dojo
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1200), (True, 900), (False, 2500)])
    panel = await in_group(dojo, k.teacher, "/board", k.group)
    [link] = [b.url for b in panel.flat_buttons if b.text == "📊 Dashboard"]
    assert link is not None
    start = link.split("?startapp=")[1]
    opened = f"/?tgWebAppStartParam={start}"

    await phone(chromium, dark=True)
    await open_as(chromium, web, opened, 900, "Ms Tanaka", "fa")
    await chromium.wait_for("document.getElementById('topics')", "the grid, in Persian")
    assert await chromium.js("return location.pathname + location.search") == (
        "/dashboard?class=n4001")
    assert await chromium.js("return document.documentElement.dir") == "rtl"
    assert await chromium.js("return document.getElementById('tab-members').textContent") \
        == "عضوها"
    # Right to left: the sticky name column is the table's right edge.
    name_cell = "document.querySelector('#topics tbody th').getBoundingClientRect()"
    topic_cell = "document.querySelector('#topics tbody td').getBoundingClientRect()"
    assert await chromium.js(f"return {name_cell}.left > {topic_cell}.left")
    assert await chromium.js("return document.documentElement.scrollWidth") <= PHONE_WIDTH
    await screenshot(chromium, tmp_path, "dashboard-fa-dark")
    await chromium.js("document.querySelector('#topics button.st').click()")
    figures = await chromium.wait_for(
        "document.getElementById('figures')?.textContent", "a cell's figures, in Persian")
    assert "۶۷٪" in figures  # Persian digits and percent sign
    assert "تکرارها۳" in figures  # three reps
    assert await chromium.js("return document.documentElement.scrollWidth") <= PHONE_WIDTH
    # The member's map: a fact keeps its left-to-right order in Persian digits; the caption
    # counts in them too.
    first = "document.querySelector('.cell .q')"
    assert await chromium.js(f"return {first}.textContent") == "۱ + ۱"
    order = await chromium.js(
        "const t = document.querySelectorAll('.cell .q')[1].firstChild;"  # '۱ + ۲'
        "const r = document.createRange(); r.setStart(t, 0); r.setEnd(t, 1);"
        "const one = r.getBoundingClientRect().left;"
        "r.setStart(t, 4); r.setEnd(t, 5); return one < r.getBoundingClientRect().left;")
    assert order
    assert "۸۱" in await chromium.js("return document.getElementById('view').textContent")
    await screenshot(chromium, tmp_path, "dashboard-fa-cell")

    await phone(chromium, dark=False)
    await open_as(chromium, web, opened, 900, "Ms Tanaka", "de")
    await chromium.wait_for("document.getElementById('topics')", "the grid, in German")
    assert await chromium.js("return document.documentElement.dir") == "ltr"
    assert await chromium.js("return document.querySelector('#topic-grid h2').textContent") \
        == "Mitglieder × Themen"
    await screenshot(chromium, tmp_path, "dashboard-de-light")

    # A member who is not an admin, through the same link: refused.
    await open_as(chromium, web, opened, k.aiko.id, "Aiko", "de")
    refusal = await chromium.wait_for(
        "document.getElementById('refusal')?.textContent", "the refusal")
    assert refusal.startswith("Dieses Dashboard ist für die Admins")
    assert await chromium.js("return document.getElementById('topics')") is None
    await screenshot(chromium, tmp_path, "dashboard-de-refused")

    # A link cut short or forged: the page says it is broken, in the admin's language.
    await open_as(chromium, web, "/?tgWebAppStartParam=dash-n40x1", 900, "Ms Tanaka", "fa")
    broken = await chromium.wait_for(
        "document.getElementById('refusal')?.textContent", "the broken link")
    assert broken.startswith("این لینک داشبورد خراب است.")
    assert "\u2066/board\u2069" in broken  # isolated: else laid out as 'board/'
    slash_first = await chromium.js(  # the command itself still reads '/board', slash first
        "const r = document.createRange(); const p = document.getElementById('refusal');"
        "const t = p.firstChild; const i = t.data.indexOf('/board');"
        "r.setStart(t, i); r.setEnd(t, i + 1); const slash = r.getBoundingClientRect().left;"
        "r.setStart(t, i + 1); r.setEnd(t, i + 2); return slash < r.getBoundingClientRect().left;")
    assert slash_first
    assert await chromium.js("return getComputedStyle(document.getElementById('refusal'))"
                             ".direction") == "rtl"
    await screenshot(chromium, tmp_path, "dashboard-fa-broken")

    # The class deleted: its admin learns so; the member is refused as before.
    await delete_from_board(dojo, k, panel)
    await open_as(chromium, web, opened, 900, "Ms Tanaka", "en")
    gone = await chromium.wait_for(
        "document.getElementById('refusal')?.textContent", "the deleted class")
    assert gone.startswith("This group has no class now")
    await screenshot(chromium, tmp_path, "dashboard-deleted")
