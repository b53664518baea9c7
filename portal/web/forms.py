"""Form handling shared by the editing, account and admin pages: reading submitted text
safely, turning it into the registry format's values (the registry's validation then
judges them), and showing each refusal next to its field in the page language.

Reading is lenient on purpose: "abc" in a number field is passed on as text, and the
bundle's own rule ("must be a whole number >= 0") refuses it, so the forms and
``tym load registry`` accept and refuse the same things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import gettext

from portal.i18n import current_locale
from portal.registry.editing import Problem

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INTEGER = re.compile(r"[+-]?\d{1,18}")
_NUMBER = re.compile(r"[+-]?(\d{1,15}([.,]\d*)?|[.,]\d+)")
REASON_MAX = 500


def clean(value: str | None, *, multiline: bool = False) -> str:
    """Submitted text without control characters (NUL breaks PostgreSQL text), with
    line breaks normalised (kept only in multi-line fields), trimmed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def integer(raw: str) -> Any:
    """A whole number, or the text itself for the registry's rules to refuse."""
    return int(raw) if _INTEGER.fullmatch(raw) else raw


def number(raw: str) -> Any:
    """A decimal number (comma or point), or the text itself."""
    return float(raw.replace(",", ".")) if _NUMBER.fullmatch(raw) else raw


def optional(raw: str) -> str | None:
    return raw or None


def tristate(raw: str) -> Any:
    """yes / no / not coded."""
    return {"yes": True, "no": False, "": None}.get(raw, raw)


def tristate_value(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


def decimal_text(value: float | int | None) -> str:
    if value is None:
        return ""
    text = f"{value:g}"
    return text.replace(".", ",") if current_locale() in ("fi", "sv") else text


@dataclass
class Form:
    """A form's values (as shown in its fields), its errors and its hidden state."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message
    general: list[str] = field(default_factory=list)  # problems of the whole record
    version: int | None = None
    reason: str = ""
    conflict: bool = False

    @classmethod
    def submitted(cls, *multiline: str) -> Form:
        """The submitted form, every value cleaned; fields named in ``multiline`` (or
        starting with one of its entries that ends in "-") keep their lines."""
        values = {}
        for name in request.form:
            if name in ("csrf_token", "version", "reason"):
                continue
            many = request.form.getlist(name)
            keep = any(name == m or (m.endswith("-") and name.startswith(m))
                       for m in multiline)
            cleaned = [clean(v, multiline=keep) for v in many]
            values[name] = cleaned if len(cleaned) > 1 else cleaned[0]
        raw_version = clean(request.form.get("version"))
        version = int(raw_version) if raw_version.isdigit() and len(raw_version) < 10 else None
        return cls(values=values, version=version,
                   reason=clean(request.form.get("reason"), multiline=True))

    def get(self, name: str) -> str:
        value = self.values.get(name, "")
        return value[-1] if isinstance(value, list) else value

    def checked(self, name: str) -> bool:
        return self.get(name) not in ("", "0", "off")

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.general)

    def check_reason(self) -> bool:
        if len(self.reason) > REASON_MAX:
            self.error("reason", gettext("Use at most %(max)d characters.", max=REASON_MAX))
            return False
        return True

    def add_problems(self, problems: list[Problem], field_for) -> None:
        """Place each problem next to its field (``field_for(path)`` names it, or None
        for a problem of the whole record)."""
        for problem in problems:
            name = field_for(problem.path) if problem.path is not None else None
            message = problem_message(problem)
            if name:
                self.error(name, message)
            elif message not in self.general:
                self.general.append(message)


def _period(text: str) -> str:
    start, _, end = text.partition("..")
    open_ = gettext("open-ended")
    return f"{open_ if start == 'open' else start} – {open_ if end == 'open' else end}"


def problem_message(problem: Problem) -> str:
    """What to tell the person who filled in the form, in the page language."""
    code, params = problem.code, problem.params
    last = problem.path[-1] if problem.path else None
    messages = {
        "text_required": lambda: gettext("Fill in this field."),
        "too_long": lambda: gettext("Use at most %(max)d characters.", max=params["max"]),
        "date": lambda: gettext("Give the date as YYYY-MM-DD, for example 2025-01-31."),
        "date_order": lambda: gettext("The end date is before the start date."),
        "choice": lambda: gettext("Choose one of the options."),
        "bool": lambda: gettext("Choose one of the options."),
        "whole_number": lambda: gettext("Give a whole number, 0 or more."),
        "range": lambda: gettext("Give a whole number from %(min)d to %(max)d.",
                                 min=params["min"], max=params["max"]),
        "number": lambda: gettext("Give a number, 0 or more, for example 1,5."),
        "url": lambda: gettext("Give a web address that starts with https:// or http://."),
        "no_seats": lambda: (
            gettext("The vice-chair's organisation must hold at least one seat.")
            if last == "vice_chair" else
            gettext("The chair's organisation must hold at least one seat.")),
        "too_many_names": lambda: gettext(
            "%(names)d names for %(seats)d seats: list at most one name per seat.",
            names=params["names"], seats=params["seats"]),
        "overlap": lambda: gettext(
            "This period overlaps another steering group's period (%(other)s).",
            other=_period(params["other"])),
        "duplicate_staff": lambda: gettext(
            "Another row of this year has the same organisation and profession."),
        "duplicate_year": lambda: gettext("This year already has a self-assessment."),
        "line": lambda: gettext("Write each party on its own line."),
        "coverage_overlap": lambda: gettext(
            "Municipality %(municipality)s would also be in network %(network)s on "
            "%(date)s. Each municipality of the county must be in exactly one network.",
            **params),
        "coverage_gap": lambda: gettext(
            "Municipality %(municipality)s would be in no network on %(date)s. Each "
            "municipality of the county must be in exactly one network.", **params),
        "too_large": lambda: gettext("Give at most %(max)d.", max=params["max"]),
        "verified_reserved": lambda: gettext(
            "Only the monitoring authority marks a record verified."),
        "document_empty": lambda: gettext("Choose a file to upload."),
        "document_too_large": lambda: gettext(
            "The file is too large: at most %(size)s.", size=megabytes(params["max"])),
        "document_type": lambda: gettext(
            "The file is not a PDF or Word (DOCX) document. Save it as PDF or DOCX "
            "and upload it again."),
        "document_name": lambda: gettext(
            "The file's name does not match its content: a PDF file must end in .pdf "
            "and a Word document in .docx."),
    }
    make = messages.get(code)
    if make is not None:
        return make()
    return gettext("This value cannot be saved (%(detail)s).", detail=problem.message)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} B"
