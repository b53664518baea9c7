"""Validity periods: ``valid_from`` inclusive, ``valid_to`` inclusive, ``None`` = open."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, or_


def valid_on(model, on: dt.date) -> ColumnElement[bool]:
    """SQL condition: the row of ``model`` is valid on date ``on``."""
    return and_(
        or_(model.valid_from.is_(None), model.valid_from <= on),
        or_(model.valid_to.is_(None), model.valid_to >= on),
    )


def is_valid_on(valid_from: dt.date | None, valid_to: dt.date | None, on: dt.date) -> bool:
    return (valid_from is None or valid_from <= on) and (valid_to is None or valid_to >= on)


def year_start(year: int) -> dt.date:
    return dt.date(year, 1, 1)
