"""The language chosen for a learner or a class group (codes from dojobot.i18n.LANGUAGES)."""

from __future__ import annotations

from dojobot.storage.db import Database


async def settle_user_language(db: Database, user_id: int, first_guess: str) -> str:
    """The learner's language, storing `first_guess` if none was ever decided."""
    async with db.transaction() as tx:
        await tx.execute(
            'UPDATE "user" SET language = ? WHERE user_id = ? AND language IS NULL',
            (first_guess, user_id),
        )
        row = await tx.fetchone('SELECT language FROM "user" WHERE user_id = ?', (user_id,))
    return str(row["language"]) if row and row["language"] else first_guess


async def set_user_language(db: Database, user_id: int, language: str) -> None:
    """The learner chose a language."""
    async with db.transaction() as tx:
        await tx.execute('UPDATE "user" SET language = ? WHERE user_id = ?', (language, user_id))


async def user_language(db: Database, user_id: int) -> str | None:
    """The stored language, else Telegram's language_code (to be resolved), else None."""
    async with db.read() as tx:
        row = await tx.fetchone(
            'SELECT coalesce(language, language_code) AS language FROM "user" WHERE user_id = ?',
            (user_id,),
        )
    return str(row["language"]) if row and row["language"] else None


async def class_language(db: Database, chat_id: int) -> str | None:
    """The group's language, if the class exists and has one."""
    async with db.read() as tx:
        row = await tx.fetchone(
            "SELECT language FROM class_group WHERE chat_id = ?", (chat_id,)
        )
    return str(row["language"]) if row and row["language"] else None


async def set_class_language(db: Database, chat_id: int, language: str, *, only_new: bool) -> None:
    """Set the group's language; with only_new, only if none was set (the adding admin's)."""
    condition = " AND language IS NULL" if only_new else ""
    async with db.transaction() as tx:
        await tx.execute(
            f"UPDATE class_group SET language = ? WHERE chat_id = ?{condition}",
            (language, chat_id),
        )
