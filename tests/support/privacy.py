"""A learner who did everything DojoBot can store (for /mydata and /forgetme), and a scan of
every table for rows that name them."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dojobot.storage.db import Database
from telegram_standin import Chat, User
from tests.support.classes import practise
from tests.support.cli import GOOD_ROWS, Cli, write_export
from tests.support.dojo import Dojo
from tests.support.learner import reply

LEARNER_ID = 987_654_321
NAME = "Zephyrine"
USERNAME = "zephyrine_q"
NICKNAME = "ZedStar"
TEACHER_ID = 900
CLAIM = re.compile(r"start=(claim-[A-Za-z0-9_-]+)")


@dataclass
class Everything:
    """The learner and the two class groups they joined."""

    learner: User
    groups: list[Chat]


async def join_class_group(dojo: Dojo, group_id: int, title: str, learner: User) -> Chat:
    """A teacher's group with the bot; the learner joins the group, then the class."""
    s = dojo.standin
    teacher = await s.user(TEACHER_ID, "Ms Tanaka")
    group = await s.group(group_id, title)
    await s.set_admins(group, teacher, [])
    await s.add_bot_to_group(group, teacher)
    welcome = await s.next_message(group)
    await s.settle()
    await s.join_group(group, learner)
    qid = await s.press(learner, "✋ Join the class", message_id=welcome.message_id, chat=group)
    await s.settle()
    assert s.callback_answers[qid]["text"].startswith("✋ You joined"), s.callback_answers[qid]
    return group


async def do_everything(dojo: Dojo, cli: Cli, tmp_path: Path) -> Everything:
    """Imported history (mapped by --users, and claimed by a link), sets, a reminder, a
    timezone, a nickname, two classes."""
    s = dojo.standin
    export = write_export(tmp_path / "ps.csv", GOOD_ROWS)
    (tmp_path / "users.csv").write_text(f"u1,{LEARNER_ID}\n")
    run = await cli.run_async("import-legacy", str(export), "--users", str(tmp_path / "users.csv"))
    assert run.code == 0, run.err
    link = await cli.run_async("legacy-link", "u3")
    claim = CLAIM.search(link.out)
    assert claim, link.out

    learner = await s.user(LEARNER_ID, NAME, username=USERNAME)
    await practise(dojo, learner, [(True, 1200), (False, 2000), (True, 900)])
    merged = await reply(s, learner, f"/start {claim.group(1)}")
    assert "I merged your history" in merged.plain_text, merged.plain_text
    assert "18:30" in (await reply(s, learner, "/remind 18:30")).plain_text
    await reply(s, learner, "/timezone Europe/Berlin")
    assert NICKNAME in (await reply(s, learner, f"/nickname {NICKNAME}")).plain_text
    groups = [
        await join_class_group(dojo, -4001, "7A Maths", learner),
        await join_class_group(dojo, -4002, "Chess Club", learner),
    ]
    return Everything(learner, groups)


# Every table of the schema, as each engine lists them.
TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
}


async def rows_naming(db: Database, user_id: int, names: list[str]) -> dict[str, int]:
    """table -> rows holding the user id or one of the names, over every table there is."""
    async with db.read() as tx:
        tables = [str(r[0]) for r in await tx.fetchall(TABLES[db.dialect.name])]
        assert "attempt" in tables
        assert "user" in tables
        contents = {t: await tx.fetchall(f'SELECT * FROM "{t}"') for t in tables}
    needles = [n.casefold() for n in names]
    hits: dict[str, int] = {}
    for table, rows in contents.items():
        for row in rows:
            if any(
                value == user_id
                or (isinstance(value, str) and (
                    value == str(user_id) or any(n in value.casefold() for n in needles)
                ))
                for value in row
            ):
                hits[table] = hits.get(table, 0) + 1
    return hits


def unpack(data: bytes | None) -> tuple[dict[str, Any], list[dict[str, str]], str]:
    """/mydata's ZIP: its JSON document, its answers as CSV rows, and its README."""
    assert data is not None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "answers.csv", "mydata.json"]
        document = json.loads(archive.read("mydata.json"))
        answers = list(csv.DictReader(io.StringIO(archive.read("answers.csv").decode())))
        readme = archive.read("README.txt").decode()
    return document, answers, readme
