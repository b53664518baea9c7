"""Client-volume files (docs/client-volume-template.md): read, check, refuse with
row-level messages. Pure: bytes and facts about the networks in, rows or problems out.

Accepted: CSV in UTF-8 (with or without a byte-order mark) separated by ``,`` or ``;``,
or XLSX (the first sheet); counts may use a decimal comma (``12,0``) or spaces between
thousands, but must be whole and not negative. Every problem is reported as
``row N: ...`` (N counts the file's lines, the header being row 1) and a file with any
problem loads nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from portal.registry.clients.models import COUNT_FIELDS, ENDED_FIELDS
from portal.registry.clients.template import ALIASES, COLUMNS

XLSX_MAGIC = b"PK\x03\x04"
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


@dataclass(frozen=True)
class NetworkFacts:
    """What the checks need to know about a network."""

    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass(frozen=True)
class VolumeRow:
    row_number: int
    network_id: str
    month: dt.date
    counts: Mapping[str, int]


@dataclass
class Parsed:
    rows: list[VolumeRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    records: dict[int, dict[str, str]] = field(default_factory=dict)  # row number -> raw row
    rows_read: int = 0

    @property
    def messages(self) -> list[str]:
        return [f"row {number}: {message}" for number, message in self.problems]


class Unreadable(ValueError):
    """The file cannot be read at all; the message says where and why."""


# --- reading -----------------------------------------------------------------------------

def read_table(data: bytes, filename: str = "") -> list[tuple[int, list[str]]]:
    """(row number, cells) for every non-empty line of a CSV or XLSX file."""
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        raise Unreadable("row 1: the file is UTF-16 text; save it as CSV UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise Unreadable(f"row {line}: the file is not UTF-8 text (byte 0x{data[exc.start]:02x} "
                         "cannot be read); save it as CSV UTF-8") from None
    if "\x00" in text:
        raise Unreadable("row 1: the file is not a text file")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise Unreadable(f"row {reader.line_num}: the CSV cannot be read ({exc})") from None
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise Unreadable("row 1: the file is not a readable XLSX workbook") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if any(cells):
                rows.append((number, cells))
        return rows
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- checking ----------------------------------------------------------------------------

def parse(data: bytes, filename: str, networks: Mapping[str, NetworkFacts], *,
          today: dt.date, only_network: str | None = None) -> Parsed:
    """Read and check a file. ``networks``: every known network. ``only_network``: the
    network an upload form is for (every row must be for it)."""
    result = Parsed()
    try:
        table = read_table(data, filename)
    except Unreadable as exc:
        number, _, message = str(exc).partition(": ")
        result.problems.append((int(number.removeprefix("row ")), message))
        return result
    if not table:
        result.problems.append((1, "the file is empty"))
        return result
    header_number, header = table[0]
    columns, header_problems = _columns(header)
    if header_problems:
        result.problems.extend((header_number, p) for p in header_problems)
        return result
    seen: dict[tuple[str, dt.date], int] = {}
    for number, cells in table[1:]:
        result.rows_read += 1
        record = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        extra = [c for i, c in enumerate(cells) if i not in columns.values() and c]
        result.records[number] = record
        problems = []
        if extra:
            problems.append(f"{len(extra)} value(s) beyond the last column")
        network_id = record["network"]
        facts = networks.get(network_id)
        if not network_id:
            problems.append("network is empty")
        elif facts is None:
            problems.append(f"unknown network '{network_id}'")
        elif only_network is not None and network_id != only_network:
            problems.append(f"network '{network_id}' is not the network this upload is for "
                            f"('{only_network}')")
        month = _month(record["month"])
        if month is None:
            problems.append(f"month '{record['month']}' is not a month (use YYYY-MM)")
        elif month > today.replace(day=1):
            problems.append(f"month {month:%Y-%m} is in the future")
        elif facts is not None and not _within(month, facts):
            problems.append(f"month {month:%Y-%m} is outside the network's validity "
                            f"({facts.valid_from or '...'} to {facts.valid_to or '...'})")
        counts = {}
        for name in COUNT_FIELDS:
            value, problem = _count(record[name])
            if problem:
                problems.append(f"{name}: {problem}")
            else:
                counts[name] = value
        if len(counts) == len(COUNT_FIELDS):
            ended = sum(counts[n] for n in ENDED_FIELDS)
            if ended > counts["active_end"] + counts["new_clients"]:
                problems.append(f"ended client relationships ({ended}) exceed active clients "
                                f"at month end plus new clients ({counts['active_end']} + "
                                f"{counts['new_clients']} = "
                                f"{counts['active_end'] + counts['new_clients']})")
        if month is not None and network_id:
            key = (network_id, month)
            if key in seen:
                problems.append(f"duplicate of row {seen[key]} (network '{network_id}', "
                                f"month {month:%Y-%m})")
            else:
                seen[key] = number
        if problems:
            result.problems.extend((number, p) for p in problems)
        else:
            result.rows.append(VolumeRow(number, network_id, month, counts))
    if result.rows_read == 0:
        result.problems.append((header_number, "the file has a header but no rows"))
    return result


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    problems = []
    for index, raw in enumerate(header):
        name = raw.strip().lower().replace(" ", "_")
        name = ALIASES.get(name, name)
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(f"unknown column '{raw}'")
        elif name in columns:
            problems.append(f"column '{raw}' appears twice")
        else:
            columns[name] = index
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    return columns, problems


def _month(text: str) -> dt.date | None:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def _within(month: dt.date, facts: NetworkFacts) -> bool:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    end = following - dt.timedelta(days=1)
    return (facts.valid_from is None or end >= facts.valid_from) and (
        facts.valid_to is None or month <= facts.valid_to)


def _count(text: str) -> tuple[int | None, str | None]:
    cleaned = _SPACES.sub("", text)
    if not cleaned:
        return None, "is empty"
    number_text = cleaned.replace(",", ".")
    try:
        number = float(number_text)
    except ValueError:
        return None, f"'{text}' is not a number"
    if number != number or number in (float("inf"), float("-inf")):
        return None, f"'{text}' is not a number"
    if not number.is_integer():
        return None, f"'{text}' is not a whole number"
    if number < 0:
        return None, f"{text} is negative"
    return int(number), None
