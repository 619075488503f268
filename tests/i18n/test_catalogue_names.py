"""Every name and description a migrated database shows in the menus is marked for
translation in dojobot.i18n.names, so the catalogue tests make every language translate it."""

from __future__ import annotations

from dojobot.i18n.names import CATALOGUE_NAMES
from dojobot.storage.db import Database
from tests.support.db import fetchall

SHOWN = """
    SELECT display_name AS name FROM field UNION SELECT display_name FROM subject
    UNION SELECT display_name FROM topic UNION SELECT display_name FROM difficulty_level
    UNION SELECT description FROM difficulty_level UNION SELECT meaning FROM stage"""


async def test_every_name_in_the_database_is_marked_for_translation(migrated_db: Database) -> None:
    in_database = {row[0] for row in await fetchall(migrated_db, SHOWN)}
    assert len(in_database) > 30  # the query reads the catalogue, not an empty table
    assert sorted(in_database - set(CATALOGUE_NAMES)) == []
