"""A learner's own data: /privacy (what is kept), /mydata (download it), /forgetme (erase it).

- `statement`: the /privacy text
- `mydata`: /mydata, the export sent as one ZIP document
- `export`: what that ZIP holds (pure: built in a worker thread)
- `forget`: /forgetme and its confirmation button
"""

from __future__ import annotations

from telegram.ext import BaseHandler

from dojobot.handlers.privacy import forget, mydata, statement
from dojobot.handlers.privacy.forget import follow_erasures


def build_handlers() -> list[BaseHandler]:
    """/privacy, /mydata, /forgetme and the confirmation buttons."""
    return [*statement.build_handlers(), *mydata.build_handlers(), *forget.build_handlers()]


__all__ = ["build_handlers", "follow_erasures"]
