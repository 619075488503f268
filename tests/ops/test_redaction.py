"""What log lines and Sentry events show instead of a secret setting's value."""

from __future__ import annotations

from dojobot.config import load_settings
from dojobot.ops.redaction import redact, redact_text, secrets_of

TOKEN = "123456:AAbbCCdd-secret_part"


def test_every_secret_is_replaced_and_nothing_else() -> None:
    settings = load_settings(
        bot_token=TOKEN, database_url="postgresql://dojo:pw1234@db:5432/dojobot",
        webhook_secret_token="hook-secret",
    )
    shown = secrets_of(settings)
    line = f"POST /bot{TOKEN}/sendMessage with hook-secret to dojo:pw1234@db"
    assert redact_text(line, shown) == (
        "POST /bot<token>/sendMessage with <webhook secret> to dojo:***@db"
    )
    event = {"breadcrumbs": [{"data": {"url": f"/bot{TOKEN}/getMe"}}], "level": 40}
    assert redact(event, shown) == {"breadcrumbs": [{"data": {"url": "/bot<token>/getMe"}}],
                                    "level": 40}


def test_a_database_url_without_a_password_leaves_lines_whole() -> None:
    # The password's place was the empty string, which "matches" between every character:
    # each log line came out with *** between all its letters.
    settings = load_settings(bot_token=TOKEN, database_url="postgresql://dojo@db/dojobot")
    assert redact_text("database back", secrets_of(settings)) == "database back"
