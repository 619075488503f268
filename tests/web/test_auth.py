"""initData's check, as Telegram documents it, without the bot."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import quote

import pytest

from dojobot.web.auth import MAX_AGE_MS, InitDataRefused, sign, verify

TOKEN = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
NOW_MS = 1_764_000_000_000
USER = '{"id":279058397,"first_name":"Vladislav","last_name":"Kibenko","username":"vdkfrost","language_code":"ru","is_premium":true,"allows_write_to_pm":true}'  # noqa: E501


def documented(fields: dict[str, str]) -> str:
    """initData made by following Telegram's page step by step (independently of auth.py):
    data-check-string = sorted key=value lines without hash; secret_key =
    HMAC_SHA256(<bot_token>, "WebAppData"); hash = hex(HMAC_SHA256(data_check_string,
    secret_key)); sent URL-encoded."""
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    key = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in [*fields.items(), ("hash", digest)])


def test_telegrams_documented_construction_is_accepted() -> None:
    fields = {"query_id": "AAHdF6IQAAAAAN0XohDhrOrc", "user": USER,
              "auth_date": str(NOW_MS // 1000 - 60), "signature": "abc-_x"}
    user = verify(documented(fields), TOKEN, NOW_MS)
    assert (user.user_id, user.first_name, user.username) == (279058397, "Vladislav", "vdkfrost")
    assert user.language_code == "ru"


def test_sign_round_trips() -> None:
    init = sign(TOKEN, {"id": 7, "first_name": "Zoë"}, NOW_MS // 1000, start_param="x")
    user = verify(init, TOKEN, NOW_MS)
    assert (user.user_id, user.first_name, user.start_param) == (7, "Zoë", "x")


@pytest.mark.parametrize(
    ("init_data", "reason"),
    [
        ("", "missing"),
        ("auth_date=1&user=%7B%7D", "signature"),
        ("a=1&a=2", "repeats"),
        ("x" * 9000, "too long"),
    ],
)
def test_refusals_say_why(init_data: str, reason: str) -> None:
    with pytest.raises(InitDataRefused, match=reason):
        verify(init_data, TOKEN, NOW_MS)


def test_a_changed_field_or_another_token_is_refused() -> None:
    init = sign(TOKEN, {"id": 7, "first_name": "A"}, NOW_MS // 1000)
    forged = init.replace("%22id%22%3A7", "%22id%22%3A8")
    assert forged != init
    with pytest.raises(InitDataRefused, match="signature"):
        verify(forged, TOKEN, NOW_MS)
    with pytest.raises(InitDataRefused, match="signature"):
        verify(init, TOKEN.replace("5", "6"), NOW_MS)


def test_stale_and_future_dates_are_refused() -> None:
    user = json.loads(USER)
    old = sign(TOKEN, user, (NOW_MS - MAX_AGE_MS) // 1000 - 1)
    with pytest.raises(InitDataRefused, match="expired"):
        verify(old, TOKEN, NOW_MS)
    assert verify(sign(TOKEN, user, (NOW_MS - MAX_AGE_MS) // 1000 + 1), TOKEN, NOW_MS)
    with pytest.raises(InitDataRefused, match="future"):
        verify(sign(TOKEN, user, NOW_MS // 1000 + 3600), TOKEN, NOW_MS)


def test_signed_without_a_user_is_refused() -> None:
    init = sign(TOKEN, {"first_name": "no id"}, NOW_MS // 1000)
    with pytest.raises(InitDataRefused, match="user"):
        verify(init, TOKEN, NOW_MS)
