"""Read the old app's practice_sessions export (CSV or SQLite) into checked rows.

The seed's mapping with its defects fixed: modules match most specific first, and every
row that cannot be mapped is reported with its line and reason, never dropped silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dojobot.storage.backup import read_legacy_table
from dojobot.storage.db import StorageError

REQUIRED_COLUMNS = (
    "id", "user_id", "module", "current_level", "total_reps",
    "session_avg_response_time", "created_at", "updated_at",
)
LEVEL_STAGES = {"shu": 2, "ha": 4, "ri": 6}
# Most specific first: "negatives-addition" also contains "addition" (the seed's defect 1).
MODULE_TOPICS = (
    ("negatives-addition", "add_w_negatives"),
    ("negatives-subtraction", "subtract_w_negatives"),
    ("square-roots", "root"),
    ("addition", "add"),
    ("subtraction", "sub"),
    ("multiplication", "mul"),
    ("division", "div"),
    ("modulus", "mod"),
    ("exponents", "exp"),
)
TIME_UNITS = {"ms": 1.0, "s": 1000.0}
# Sane ranges: a value outside is a damaged row, reported and skipped. Unchecked, a 25-digit
# number overflows SQLite's 64-bit integers and a 1e308 average makes every later merge of
# that learner's history fail (its total time is infinite).
MAX_REPS = 1_000_000  # in one legacy session
MAX_AVG_MS = 3_600_000.0  # an hour per answer
LATEST_MS = 4_102_444_800_000  # 2100-01-01: the old app never wrote later timestamps
MAX_TELEGRAM_ID = 2**53  # Telegram ids have at most 52 significant bits
SQLITE_MAGIC = b"SQLite format 3\x00"


class SourceError(Exception):
    """The file cannot be read as a legacy export; the message is one line."""


@dataclass(frozen=True)
class LegacyRow:
    """One importable legacy session, in DojoBot's units (ms)."""

    where: str
    row_id: str
    legacy_user_id: str
    topic_code: str
    stage_id: int
    total_reps: int
    avg_response_ms: float
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Skipped:
    """A row that was not imported, and why."""

    where: str
    kind: str
    detail: str


@dataclass
class SourceRows:
    """Everything read from one export."""

    read: int
    rows: list[LegacyRow]
    skipped: list[Skipped]


def topic_for_module(module: str) -> str | None:
    """The topic code of a legacy module name, matched anywhere, most specific first."""
    name = module.strip().lower().replace("_", "-").replace(" ", "-")
    for needle, code in MODULE_TOPICS:
        if needle in name:
            return code
    return None


def stage_for_level(level: str) -> int | None:
    """The stage a legacy level maps to: shu 2, ha 4, ri 6."""
    return LEVEL_STAGES.get(level.strip().lower())


def parse_timestamp_ms(value: str) -> int:
    """ISO 8601 (no zone means UTC) or epoch seconds/milliseconds, as epoch ms."""
    text = value.strip()
    if not text:
        raise ValueError("empty")
    try:
        number = float(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        ms = int(moment.timestamp() * 1000)
    else:
        # Epoch seconds stay below 1e11 until the year 5138; ms are above it since 1973.
        scaled = number if number >= 1e11 else number * 1000
        if not 0 < scaled < LATEST_MS:  # also NaN; before int(), which fails on inf
            raise ValueError("not between 1970 and 2100")
        ms = int(scaled)
    if not 0 < ms < LATEST_MS:
        raise ValueError("not between 1970 and 2100")
    return ms


class _RowError(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def _check_row(where: str, raw: dict[str, str], scale: float) -> LegacyRow:
    missing = [c for c in REQUIRED_COLUMNS if c != "session_avg_response_time" and not raw[c]]
    if missing:
        raise _RowError("missing value", f"empty {', '.join(missing)}")
    topic = topic_for_module(raw["module"])
    if topic is None:
        raise _RowError("unknown module", f"unknown module {raw['module']!r}")
    stage = stage_for_level(raw["current_level"])
    if stage is None:
        raise _RowError("unknown level", f"unknown level {raw['current_level']!r}")
    try:
        reps = int(raw["total_reps"].strip())
    except ValueError:
        raise _RowError(
            "bad number", f"total_reps {raw['total_reps']!r} is not a whole number"
        ) from None
    if reps < 0:
        raise _RowError("negative reps", f"total_reps is {reps}")
    if reps > MAX_REPS:
        raise _RowError("number out of range", f"total_reps {reps} is over {MAX_REPS:,}")
    avg_text = raw["session_avg_response_time"].strip()
    try:
        avg = float(avg_text) if avg_text or reps else 0.0
    except ValueError:
        avg = -1.0
    if not avg >= 0 or avg == float("inf"):  # also rejects NaN
        raise _RowError(
            "bad number", f"session_avg_response_time {avg_text!r} is not a time"
        )
    if avg * scale > MAX_AVG_MS:
        raise _RowError(
            "number out of range",
            f"session_avg_response_time {avg_text!r} is over an hour per answer",
        )
    times = []
    for column in ("created_at", "updated_at"):
        try:
            times.append(parse_timestamp_ms(raw[column]))
        except (ValueError, OverflowError, OSError):
            raise _RowError(
                "bad timestamp", f"{column} {raw[column]!r} is not a time"
            ) from None
    start, end = times
    if end < start:
        raise _RowError("bad timestamp", "updated_at is before created_at")
    return LegacyRow(
        where=where, row_id=raw["id"].strip(), legacy_user_id=raw["user_id"].strip(),
        topic_code=topic, stage_id=stage, total_reps=reps, avg_response_ms=avg * scale,
        start_ms=start, end_ms=end,
    )


def check_rows(records: Iterable[tuple[str, dict[str, str] | str]], time_unit: str) -> SourceRows:
    """Validate raw records (a dict, or a string saying why the record is malformed)."""
    scale = TIME_UNITS[time_unit]
    result = SourceRows(read=0, rows=[], skipped=[])
    first_seen: dict[str, str] = {}
    for where, raw in records:
        result.read += 1
        if isinstance(raw, str):
            result.skipped.append(Skipped(where, "malformed row", raw))
            continue
        try:
            row = _check_row(where, raw, scale)
        except _RowError as err:
            result.skipped.append(Skipped(where, err.kind, err.detail))
            continue
        if row.row_id in first_seen:
            result.skipped.append(
                Skipped(where, "duplicate id", f"same id as {first_seen[row.row_id]}")
            )
            continue
        first_seen[row.row_id] = where
        result.rows.append(row)
    return result


def _csv_records(path: Path, data: bytes) -> Iterator[tuple[str, dict[str, str] | str]]:
    if b"\x00" in data:
        raise SourceError(f"{path} is neither a CSV export nor a SQLite database (binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"{path} is not UTF-8 text (line {line}); export the CSV as UTF-8"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise SourceError(f"{path} is empty") from None
    except csv.Error as exc:
        raise SourceError(f"{path} is not a readable CSV file: {exc}") from None
    _require_columns(path, header)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceError(f"{path} line {reader.line_num}: {exc}") from None
        where = f"line {reader.line_num}"
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            yield where, f"{len(fields)} fields, the header has {len(header)}"
            continue
        yield where, dict(zip(header, fields, strict=True))


def _require_columns(path: Path, header: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise SourceError(f"{path} lacks column(s) {', '.join(missing)}")
    # A repeated column (two exports pasted side by side) would keep its last value silently.
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise SourceError(f"{path} names column(s) {', '.join(repeated)} more than once")


def _sqlite_records(path: Path) -> list[tuple[str, dict[str, str] | str]]:
    try:
        header, rows = read_legacy_table(path)
    except StorageError as exc:
        raise SourceError(str(exc)) from None
    _require_columns(path, header)
    return [
        (f"row {n}", {k: "" if v is None else str(v) for k, v in zip(header, values, strict=True)})
        for n, values in enumerate(rows, start=1)
    ]


def read_source(path: Path, time_unit: str = "ms") -> tuple[SourceRows, bytes]:
    """Read and check a CSV export or a SQLite file; returns the rows and the raw bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    if data.startswith(SQLITE_MAGIC):
        return check_rows(_sqlite_records(path), time_unit), data
    return check_rows(list(_csv_records(path, data)), time_unit), data


def read_user_map(path: Path) -> dict[str, int]:
    """legacy_user_id,telegram_user_id lines (a header row is optional)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SourceError(f"{path} is not UTF-8 text") from None
    mapping: dict[str, int] = {}
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SourceError(f"{path} is not a readable CSV file: {exc}") from None
    for number, fields in enumerate(rows, start=1):
        cells = [f.strip() for f in fields]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() == "legacy_user_id":
            continue
        if (
            len(cells) != 2 or not cells[0] or not cells[1].isascii() or not cells[1].isdigit()
            or not 0 < int(cells[1]) <= MAX_TELEGRAM_ID
        ):
            raise SourceError(
                f"{path} line {number}: expected legacy_user_id,telegram_user_id "
                "(a positive Telegram id)"
            )
        legacy, telegram = cells[0], int(cells[1])
        if mapping.get(legacy, telegram) != telegram:
            raise SourceError(f"{path} line {number}: {legacy} is mapped twice")
        mapping[legacy] = telegram
    return mapping
