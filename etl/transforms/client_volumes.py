"""Client-volume files (docs/client-volume-template.md): read, check, refuse with
row-level messages. Pure: bytes and facts about the networks in, rows or problems out.

Accepted: CSV in UTF-8 (with or without a byte-order mark) separated by ``,`` or ``;``,
or XLSX (the first sheet); counts may use a decimal comma (``12,0``) or spaces between
thousands, but must be whole and not negative. Every problem is reported as
``row N: ...`` (N counts the file's lines, the header being row 1) and a file with any
problem loads nothing.

Each problem is a :class:`Problem`: its ``msgid`` is the English sentence with
``%(name)s`` placeholders, marked with ``N_`` so that `pybabel extract` (babel.cfg) puts it
in the portal's catalogs; ``text`` is the English message (what the quarantine stores)
and the portal shows ``gettext(msgid) % params`` in the reader's language.
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


def N_(text: str) -> str:
    """Mark ``text`` as a message to translate (extracted by babel.cfg); it stays English
    here: translating is the portal's business."""
    return text


@dataclass(frozen=True)
class Problem:
    """One reason the file is refused: on line ``row`` (None: the file as a whole), the
    English ``msgid % params``."""

    row: int | None
    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The problem in English, without the row."""
        return self.msgid % dict(self.params)

    @property
    def message(self) -> str:
        """``row N: `` and the English text."""
        return self.text if self.row is None else f"row {self.row}: {self.text}"


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
    problems: list[Problem] = field(default_factory=list)
    records: dict[int, dict[str, str]] = field(default_factory=dict)  # row number -> raw row
    rows_read: int = 0

    @property
    def messages(self) -> list[str]:
        """Every problem in English, ``row N: ...``."""
        return [p.message for p in self.problems]


class Unreadable(ValueError):
    """The file cannot be read at all; ``problem`` says where and why."""

    def __init__(self, row: int, msgid: str, **params: object):
        self.problem = Problem(row, msgid, params)
        super().__init__(self.problem.message)


# --- reading -----------------------------------------------------------------------------

def read_table(data: bytes, filename: str = "") -> list[tuple[int, list[str]]]:
    """(row number, cells) for every non-empty line of a CSV or XLSX file."""
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        raise Unreadable(1, N_("the file is UTF-16 text; save it as CSV UTF-8"))
    body = data.removeprefix(b"\xef\xbb\xbf")  # the byte-order mark of "CSV UTF-8"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[:exc.start].count(b"\n") + 1
        raise Unreadable(line, N_("the file is not UTF-8 text (byte %(byte)s cannot be read); "
                                  "save it as CSV UTF-8"),
                         byte=f"0x{body[exc.start]:02x}") from None
    if "\x00" in text:
        raise Unreadable(1, N_("the file is not a text file"))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise Unreadable(reader.line_num, N_("the CSV cannot be read (%(error)s)"),
                         error=str(exc)) from None
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise Unreadable(1, N_("the file is not a readable XLSX workbook")) from None
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

Message = tuple[str, dict[str, object]]  # (msgid, params) of a problem whose row is known


class _Messages(list[Message]):
    """The problems found in one row (or the header), before their row is attached."""

    def add(self, msgid: str, **params: object) -> None:
        self.append((msgid, params))


def parse(data: bytes, filename: str, networks: Mapping[str, NetworkFacts], *,
          today: dt.date, only_network: str | None = None) -> Parsed:
    """Read and check a file. ``networks``: every known network. ``only_network``: the
    network an upload form is for (every row must be for it)."""
    result = Parsed()
    try:
        table = read_table(data, filename)
    except Unreadable as exc:
        result.problems.append(exc.problem)
        return result
    if not table:
        result.problems.append(Problem(1, N_("the file is empty")))
        return result
    header_number, header = table[0]
    columns, header_problems = _columns(header)
    if header_problems:
        result.problems.extend(Problem(header_number, msgid, params)
                               for msgid, params in header_problems)
        return result
    seen: dict[tuple[str, dt.date], int] = {}
    for number, cells in table[1:]:
        result.rows_read += 1
        record = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        extra = [c for i, c in enumerate(cells) if i not in columns.values() and c]
        result.records[number] = record
        problems = _Messages()
        if extra:
            problems.add(N_("%(count)s value(s) beyond the last column"), count=len(extra))
        network_id = record["network"]
        facts = networks.get(network_id)
        if not network_id:
            problems.add(N_("network is empty"))
        elif facts is None:
            problems.add(N_("unknown network '%(network)s'"), network=network_id)
        elif only_network is not None and network_id != only_network:
            problems.add(N_("network '%(network)s' is not the network this upload is for "
                            "('%(upload_network)s')"),
                         network=network_id, upload_network=only_network)
        month = _month(record["month"])
        if month is None:
            problems.add(N_("month '%(month)s' is not a month (use YYYY-MM)"),
                         month=record["month"])
        elif month > today.replace(day=1):
            problems.add(N_("month %(month)s is in the future"), month=f"{month:%Y-%m}")
        elif facts is not None and not _within(month, facts):
            problems.add(N_("month %(month)s is outside the network's validity "
                            "(%(valid_from)s to %(valid_to)s)"),
                         month=f"{month:%Y-%m}", valid_from=str(facts.valid_from or "..."),
                         valid_to=str(facts.valid_to or "..."))
        counts = {}
        for name in COUNT_FIELDS:
            value, count_problem = _count(record[name])
            if count_problem:
                msgid, params = count_problem
                problems.add(msgid, column=name, **params)
            else:
                counts[name] = value
        if len(counts) == len(COUNT_FIELDS):
            ended = sum(counts[n] for n in ENDED_FIELDS)
            if ended > counts["active_end"] + counts["new_clients"]:
                problems.add(N_("ended client relationships (%(ended)s) exceed active "
                                "clients at month end plus new clients (%(active_end)s + "
                                "%(new_clients)s = %(total)s)"),
                             ended=ended, active_end=counts["active_end"],
                             new_clients=counts["new_clients"],
                             total=counts["active_end"] + counts["new_clients"])
        if month is not None and network_id:
            key = (network_id, month)
            if key in seen:
                problems.add(N_("duplicate of row %(first_row)s (network '%(network)s', "
                                "month %(month)s)"),
                             first_row=seen[key], network=network_id, month=f"{month:%Y-%m}")
            else:
                seen[key] = number
        if problems:
            result.problems.extend(Problem(number, msgid, params) for msgid, params in problems)
        else:
            result.rows.append(VolumeRow(number, network_id, month, counts))
    if result.rows_read == 0:
        result.problems.append(Problem(header_number, N_("the file has a header but no rows")))
    return result


def _columns(header: list[str]) -> tuple[dict[str, int], list[Message]]:
    columns: dict[str, int] = {}
    problems = _Messages()
    for index, raw in enumerate(header):
        name = raw.strip().lower().replace(" ", "_")
        name = ALIASES.get(name, name)
        if not name:
            continue
        if name not in COLUMNS:
            problems.add(N_("unknown column '%(column)s'"), column=raw)
        elif name in columns:
            problems.add(N_("column '%(column)s' appears twice"), column=raw)
        else:
            columns[name] = index
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        problems.add(N_("missing columns: %(columns)s"), columns=", ".join(missing))
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


def _count(text: str) -> tuple[int | None, Message | None]:
    """The count, or why ``text`` is not one (the msgid has a ``%(column)s`` for the
    caller to fill in)."""
    cleaned = _SPACES.sub("", text)
    if not cleaned:
        return None, (N_("%(column)s: is empty"), {})
    number_text = cleaned.replace(",", ".")
    try:
        number = float(number_text)
    except ValueError:
        return None, (N_("%(column)s: '%(value)s' is not a number"), {"value": text})
    if number != number or number in (float("inf"), float("-inf")):
        return None, (N_("%(column)s: '%(value)s' is not a number"), {"value": text})
    if not number.is_integer():
        return None, (N_("%(column)s: '%(value)s' is not a whole number"), {"value": text})
    if number < 0:
        return None, (N_("%(column)s: %(value)s is negative"), {"value": text})
    return int(number), None
