"""The direct Mini App link /board gives in the group (t.me/<bot>/<app>?startapp=dash-...):
it carries the class to the dashboard, where an admin sees it, anyone else is refused, and
a broken link or a deleted class get a page that says so."""

from __future__ import annotations

import httpx

from tests.support.classes import GROUP_ID, delete_from_board, in_group, join_both, make_class
from tests.support.web import APP_NAME, WebDojo

API = f"/api/dashboard/{GROUP_ID}"
REFUSED = (403, {"error": "This dashboard is for the admins of the class's group. If you run "
                          "the group, open /board there and tap 📊 Dashboard."})
BROKEN = (400, {"error": "This dashboard link is broken. Open /board in the class's group "
                         "and tap 📊 Dashboard."})
NO_CLASS = (404, {"error": "This group has no class now: it was deleted, or never started. "
                           "Members start one with /join in the group."})


async def get(web: WebDojo, path: str, user_id: int, name: str) -> tuple[int, object]:
    response = await web.http.get(path, headers=web.auth(web.init_data(user_id, name)))
    return response.status_code, response.json()


async def landing(web: WebDojo, start: str) -> str:
    """Where Telegram's opening of the app's main URL with this start parameter lands."""
    async with httpx.AsyncClient(base_url=web.base) as http:
        got = await http.get("/", params={"tgWebAppStartParam": start})
    assert got.status_code == 302
    return got.headers["location"]


async def test_the_board_link_opens_the_class_dashboard_for_its_admins(
    named_web: WebDojo,
) -> None:
    web = named_web
    dojo = web.dojo
    k = await make_class(dojo)
    await join_both(dojo, k)
    panel = await in_group(dojo, k.teacher, "/board", k.group)
    [button] = [b for b in panel.flat_buttons if b.text == "📊 Dashboard"]
    # A plain link, which Telegram allows in a group (a web-app button it refuses).
    assert button.url == f"https://t.me/DojoSandboxBot/{APP_NAME}?startapp=dash-n4001"
    assert button.callback_data is None
    assert await landing(web, "dash-n4001") == "/dashboard?class=n4001"

    assert (await get(web, API, 900, "Ms Tanaka"))[0] == 200
    assert await get(web, API, k.aiko.id, "Aiko") == REFUSED  # a member, not an admin

    # Forged links: a payload that names no group, an id no chat can have, a group that
    # has no class (refused like any other group: nothing said about what exists).
    for forged in ("dash-", "dash-x4001", "dash-n0", "dash-n99999999999999999999"):
        assert await landing(web, forged) == "/dashboard?class=", forged
    assert await get(web, "/api/dashboard/0", 900, "Ms Tanaka") == BROKEN
    assert await get(web, "/api/dashboard/-99999999999999999999", 900, "Ms Tanaka") == BROKEN
    assert await get(web, "/api/dashboard/-4002", 900, "Ms Tanaka") == REFUSED

    # The class deleted from the board: its admin learns so, a member is refused as before.
    await delete_from_board(dojo, k, panel)
    assert await get(web, API, 900, "Ms Tanaka") == NO_CLASS
    assert await get(web, f"{API}/facts", 900, "Ms Tanaka") == NO_CLASS
    assert await get(web, API, k.aiko.id, "Aiko") == REFUSED


async def test_without_a_short_name_the_button_goes_privately(web: WebDojo) -> None:
    """No DOJOBOT_WEB_APP_NAME: no direct link to give, so the button is the callback that
    sends the web-app button to the admin's private chat."""
    k = await make_class(web.dojo)
    panel = await in_group(web.dojo, k.teacher, "/board", k.group)
    [button] = [b for b in panel.flat_buttons if b.text == "📊 Dashboard"]
    assert button.url is None
    assert button.callback_data is not None
