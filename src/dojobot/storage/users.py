"""Telegram users: who wrote to the bot, their display name and delivery state."""

from __future__ import annotations

from dojobot.storage.db import Database


async def upsert_user(
    db: Database,
    user_id: int,
    first_name: str,
    username: str | None,
    language_code: str | None,
    now_ms: int,
) -> None:
    """Create or refresh a user; writing to the bot clears a 'blocked' mark."""
    async with db.transaction() as tx:
        await tx.execute(
            """INSERT INTO "user" (user_id, first_name, username, language_code,
                                 created_at, last_seen_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET
                   first_name = excluded.first_name,
                   username = excluded.username,
                   language_code = excluded.language_code,
                   last_seen_at = excluded.last_seen_at,
                   blocked_at = NULL""",
            (user_id, first_name, username, language_code, now_ms, now_ms),
        )


async def mark_blocked(db: Database, user_id: int, now_ms: int) -> None:
    """Remember that the user blocked the bot, so nothing more is sent to them."""
    async with db.transaction() as tx:
        await tx.execute(
            'UPDATE "user" SET blocked_at = ? WHERE user_id = ? AND blocked_at IS NULL',
            (now_ms, user_id),
        )
