"""Class groups: a Telegram group becomes a class with a leaderboard.

- `group`: the bot arriving and leaving, joining, /leaderboard (the weekly final board is
  posted by `dojobot.jobs.class_boards`)
- `board`: /board, the admins' settings panel, its chart and CSV export
- `joins`: /join confirmations merged into one edited message per group
- `nickname`: /nickname, the name a learner shows on boards
- `common`: admin checks, sending into groups within Telegram's limits, loading a board
- `texts`: what a group reads, and the class deep links
"""

from dojobot.handlers.classes.group import build_handlers, open_class_link
from dojobot.handlers.classes.texts import is_class_link

__all__ = ["build_handlers", "is_class_link", "open_class_link"]
