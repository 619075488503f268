"""/forgetme's secret lives in a key file, not in the database: the database holds only the
keyed hashes, so a dump of it alone tests no Telegram id. A key the database held before
(migration 0016) moves into the file. Both engines, through the running bot."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

from dojobot.storage.forgotten import TELEGRAM, Forgotten
from telegram_standin import BotApiStandIn
from tests.support.classes import practise, toast
from tests.support.db import execute, fetchall
from tests.support.dojo import run_dojo
from tests.support.learner import reply

OLD_KEY = "ab" * 32


def keyed(secret: str, user_id: int) -> str:
    """The hash a forgotten Telegram id is kept as, computed here independently."""
    return hmac.new(bytes.fromhex(secret), f"telegram:{user_id}".encode(),
                    hashlib.sha256).hexdigest()


async def test_the_key_is_kept_in_a_file_and_the_database_has_only_hashes(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    key_file = tmp_path / "volume" / "erasure.key"
    key_file.parent.mkdir()
    async with run_dojo(standin, tmp_path / "dojobot.sqlite3", database_url=migrated_url,
                        erasure_key_file=key_file) as dojo:
        learner = await standin.user(7301, "Kai")
        await practise(dojo, learner, [(True, 1200)])
        ask = await reply(standin, learner, "/forgetme")
        qid = await standin.press(learner, "🗑 Delete everything", message_id=ask.message_id)
        assert await toast(standin, qid) == "Deleted."
        await standin.settle()
        assert await fetchall(dojo.db, "SELECT secret FROM forgotten_key") == []
        digests = [r[0] for r in await fetchall(dojo.db, "SELECT digest FROM forgotten")]

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # the owner's only
    secret = key_file.read_text().strip()
    assert digests == [keyed(secret, learner.id)]


async def test_a_key_the_database_held_moves_into_the_file(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    """A database from before the key file: its key and a learner forgotten with it."""
    async with run_dojo(standin, tmp_path / "dojobot.sqlite3",
                        database_url=migrated_url) as dojo:
        await execute(dojo.db, "INSERT INTO forgotten_key (id, secret) VALUES (1, ?)",
                      (OLD_KEY,))
        await execute(dojo.db, "INSERT INTO forgotten (digest, forgotten_at) VALUES (?, 0)",
                      (keyed(OLD_KEY, 7302),))
    key_file = tmp_path / "erasure.key"
    async with run_dojo(standin, tmp_path / "dojobot.sqlite3", database_url=migrated_url,
                        erasure_key_file=key_file) as dojo:
        assert key_file.read_text().strip() == OLD_KEY
        assert await fetchall(dojo.db, "SELECT secret FROM forgotten_key") == []
        # The learner forgotten before is still recognised (a re-import skips them).
        forgotten = await Forgotten.load(dojo.db, dojo.app.bot_data.erasure_key)
        assert forgotten.has(TELEGRAM, 7302)
        assert not forgotten.has(TELEGRAM, 7303)
