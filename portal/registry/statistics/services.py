"""Storing open statistics idempotently and reading them back, aggregated on demand.

``sync_values`` makes the stored values of one dataset, within the scope a load covered
(its measures, levels and periods), equal to a new frame: new cells are inserted,
changed ones updated, cells the source no longer publishes deleted (a new release that
restates history with the current municipal division must not leave the old
municipalities' rows behind to be counted twice). Unchanged cells are not touched: they
keep the run id and retrieval time of the run that stored them, and a second load of
the same input changes nothing. The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import String, and_, bindparam, cast, delete, insert, select, update
from sqlalchemy.orm import Session, selectinload

from portal.registry.geography.models import (
    CountyMembership,
    EmploymentAreaMembership,
    Municipality,
)
from portal.registry.networks.coverage import derive_municipalities
from portal.registry.networks.models import ExceptionKind, Network
from portal.registry.statistics.aggregate import aggregate, period_end
from portal.registry.statistics.models import StatisticDataset, StatisticValue
from portal.registry.validity import is_valid_on

KEYS = ["measure", "level", "unit_code", "period"]
AGGREGATE_LEVELS = ("employment_area", "network", "county", "nation")
NATION_UNIT = "FI"
_BATCH = 50_000


class UnknownDataset(LookupError):
    pass


@dataclass(frozen=True)
class SyncReport:
    inserted: int
    updated: int
    deleted: int
    unchanged: int

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted

    def summary(self) -> str:
        return (f"{self.inserted} inserted, {self.updated} updated, {self.deleted} deleted, "
                f"{self.unchanged} unchanged")


def upsert_dataset(session: Session, dataset_id: str, fields: Mapping[str, Any]) -> tuple[
        StatisticDataset, bool]:
    """Create or update the dataset row (audited); return it and whether it changed."""
    dataset = session.get(StatisticDataset, dataset_id)
    if dataset is None:
        dataset = StatisticDataset(id=dataset_id, **fields)
        session.add(dataset)
        session.flush()
        return dataset, True
    changed = False
    for name, value in fields.items():
        if name == "metadata_" and "content" in (dataset.metadata_ or {}):
            value = {**value, "content": dataset.metadata_["content"]}  # kept by sync_values
        if getattr(dataset, name) != value:
            setattr(dataset, name, value)
            changed = True
    session.flush()
    return dataset, changed


def stored_values(session: Session, dataset_id: str, *, measures: Iterable[str] | None = None,
                  levels: Iterable[str] | None = None, start: dt.date | None = None,
                  end: dt.date | None = None, provenance: bool = False) -> pd.DataFrame:
    """Stored values as a frame: measure, level, unit_code, period (a date), value,
    status, and with ``provenance`` run_id and retrieved_at."""
    frame = _read(session, dataset_id, measures, levels, start, end, provenance)
    frame["period"] = _dates(frame.pop("period_key"))
    return frame


def _read(session: Session, dataset_id: str, measures, levels, start, end,
          provenance: bool = False) -> pd.DataFrame:
    """The rows in scope, with the period as its ISO text (``period_key``): reading
    dates and timestamps row by row is what makes a large read slow, so the period is
    cast to text in SQL and turned into dates once per distinct value."""
    table = StatisticValue.__table__
    conditions = [table.c.dataset_id == dataset_id]
    if measures is not None:
        conditions.append(table.c.measure.in_(list(measures)))
    if levels is not None:
        conditions.append(table.c.level.in_(list(levels)))
    if start is not None:
        conditions.append(table.c.period >= start)
    if end is not None:
        conditions.append(table.c.period <= end)
    columns = [table.c.measure, table.c.level, table.c.unit_code,
               cast(table.c.period, String(10)).label("period_key"), table.c.value,
               table.c.status]
    if provenance:
        columns += [table.c.run_id, table.c.retrieved_at]
    result = session.execute(select(*columns).where(and_(*conditions)))
    names = list(result.keys())
    rows = result.all()
    # column lists, not rows: pandas probes each Row object for attributes otherwise
    frame = pd.DataFrame(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True))
                         if rows else {name: [] for name in names})
    frame["value"] = frame["value"].astype(float)
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), None)
    return frame


def _dates(keys: pd.Series) -> pd.Series:
    lookup = {key: dt.date.fromisoformat(key[:10]) for key in pd.unique(keys)}
    return keys.map(lookup).astype(object)


def sync_values(session: Session, dataset_id: str, values: pd.DataFrame, *, run_id: int,
                retrieved_at: dt.datetime, measures: Iterable[str], levels: Iterable[str],
                start: dt.date, end: dt.date) -> SyncReport:
    """Make the stored values of ``dataset_id`` within the scope (``measures``, ``levels``,
    periods ``start``..``end``) equal to ``values`` (columns measure, level, unit_code,
    period, value, status)."""
    measures, levels = sorted(measures), sorted(levels)
    periods = {p: p.isoformat() for p in pd.unique(values["period"])}
    new = pd.DataFrame({"measure": values["measure"].astype(str).to_numpy(),
                        "level": values["level"].to_numpy(),
                        "unit_code": values["unit_code"].to_numpy(),
                        "period_key": values["period"].map(periods).to_numpy(),
                        "value": values["value"].astype(float).to_numpy(),
                        "status": values["status"].to_numpy()})
    keys = ["measure", "level", "unit_code", "period_key"]
    fingerprint = content_fingerprint(new, measures, levels, start, end)
    dataset = session.get(StatisticDataset, dataset_id)
    if dataset is not None and (dataset.metadata_ or {}).get("content") == fingerprint:
        # the stored values are this very content (only loads write them, each in one
        # transaction with its fingerprint): nothing to read, nothing to change
        return SyncReport(0, 0, 0, len(new))
    old = _read(session, dataset_id, measures, levels, start, end)
    if old.empty:
        to_insert, to_update, to_delete, unchanged = new, new.iloc[0:0], old, 0
    else:
        merged = old.merge(new, on=keys, how="outer", suffixes=("_old", "_new"),
                           indicator=True, sort=False)
        where = merged.pop("_merge")
        to_insert = merged[where == "right_only"].rename(
            columns={"value_new": "value", "status_new": "status"})
        to_delete = merged[where == "left_only"]
        both = merged[where == "both"]
        same_value = (both["value_old"] == both["value_new"]) | (
            both["value_old"].isna() & both["value_new"].isna())
        same_status = both["status_old"].fillna("").astype(str) == both["status_new"].fillna(
            "").astype(str)
        to_update = both[~(same_value & same_status)].rename(
            columns={"value_new": "value", "status_new": "status"})
        unchanged = len(both) - len(to_update)
    dates = {key: dt.date.fromisoformat(key) for key in
             set(pd.unique(to_insert["period_key"])) | set(pd.unique(to_update["period_key"]))
             | set(pd.unique(to_delete["period_key"]))}
    _bulk_insert(session, dataset_id, to_insert, dates, run_id, retrieved_at)
    table = StatisticValue.__table__
    _executemany(session, update(table).where(*_key_match(table)).values(
        value=bindparam("value"), status=bindparam("status"), run_id=bindparam("run_id"),
        retrieved_at=bindparam("retrieved_at")),
        [dict(_key_params(dataset_id, row, dates), value=_number(row.value),
              status=_text(row.status), run_id=run_id, retrieved_at=retrieved_at)
         for row in to_update.itertuples(index=False)])
    _executemany(session, delete(table).where(*_key_match(table)),
                 [_key_params(dataset_id, row, dates)
                  for row in to_delete.itertuples(index=False)])
    if dataset is not None:
        dataset.metadata_ = {**(dataset.metadata_ or {}), "content": fingerprint}
        session.flush()
    return SyncReport(len(to_insert), len(to_update), len(to_delete), unchanged)


def content_fingerprint(frame: pd.DataFrame, measures, levels, start: dt.date,
                        end: dt.date) -> str:
    """A hash of a load's scope and cells, independent of row order (the sum of the
    cells' row hashes)."""
    cells = pd.DataFrame({
        "measure": frame["measure"].astype(str), "level": frame["level"].astype(str),
        "unit_code": frame["unit_code"].astype(str),
        "period_key": frame["period_key"].astype(str),
        "value": frame["value"].astype(float),
        "status": frame["status"].map(_text).fillna("").astype(str)})
    rows = pd.util.hash_pandas_object(cells, index=False).to_numpy()
    digest = hashlib.sha256(json.dumps([list(measures), list(levels), start.isoformat(),
                                        end.isoformat(), len(cells),
                                        int(rows.sum(dtype=np.uint64))]).encode())
    return digest.hexdigest()


def _number(value) -> float | None:
    return None if value != value else float(value)  # NaN -> None


def _text(value) -> str | None:
    return None if value is None or value != value else str(value)


def _key_match(table) -> list:
    return [table.c.dataset_id == bindparam("k_dataset_id"),
            *(table.c[k] == bindparam(f"k_{k}") for k in KEYS)]


def _key_params(dataset_id: str, row, dates) -> dict:
    return {"k_dataset_id": dataset_id, "k_measure": row.measure, "k_level": row.level,
            "k_unit_code": row.unit_code, "k_period": dates[row.period_key]}


_INSERT_COLUMNS = ("dataset_id", "measure", "level", "unit_code", "period", "value", "status",
                   "run_id", "retrieved_at")


def _bulk_insert(session: Session, dataset_id: str, frame: pd.DataFrame, dates, run_id: int,
                 retrieved_at: dt.datetime) -> None:
    """Insert many new values fast: PostgreSQL's COPY, or the driver's executemany with
    plain tuples (each column converted by the column type's own bind processor, once per
    distinct date), instead of one parameter dict per row."""
    if frame.empty:
        return
    # in primary-key order: the index grows at its end instead of page by page at random
    order = np.lexsort([pd.factorize(frame[c], sort=True)[0]
                        for c in ("period_key", "unit_code", "level", "measure")])
    frame = frame.iloc[order]
    connection = session.connection()
    dialect = connection.dialect
    table = StatisticValue.__table__

    def processor(name):
        column_type = table.c[name].type.dialect_impl(dialect)
        return column_type.bind_processor(dialect) or (lambda v: v)

    period_of = {key: processor("period")(day) for key, day in dates.items()}
    stamp = processor("retrieved_at")(retrieved_at)
    dataset = processor("dataset_id")(dataset_id)
    values = frame["value"].astype(float).to_numpy()
    value_list = np.where(np.isnan(values), None, values).tolist()
    status_list = [_text(s) for s in frame["status"].tolist()]
    columns = (frame["measure"].tolist(), frame["level"].tolist(), frame["unit_code"].tolist(),
               [period_of[k] for k in frame["period_key"].tolist()], value_list, status_list)
    rows = ((dataset, m, lv, u, p, v, st, run_id, stamp) for m, lv, u, p, v, st in zip(
        *columns, strict=True))
    raw = connection.connection.dbapi_connection
    names = ", ".join(_INSERT_COLUMNS)
    if dialect.name == "postgresql" and hasattr(raw, "cursor"):
        # COPY in CSV, written by pandas in C: an empty unquoted field is NULL
        text_rows = io.StringIO()
        pd.DataFrame({"dataset_id": dataset_id, "measure": columns[0], "level": columns[1],
                      "unit_code": columns[2],
                      "period": frame["period_key"].tolist(),
                      "value": values, "status": status_list, "run_id": run_id,
                      "retrieved_at": retrieved_at.isoformat()}
                     ).to_csv(text_rows, header=False, index=False, na_rep="")
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table.name} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(text_rows.getvalue())
        return
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:  # another driver: the portable, slower way
        _executemany(session, insert(table), [dict(zip(_INSERT_COLUMNS, row, strict=True))
                                              for row in rows])
        return
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([marker] * 9)})"
    cursor = raw.cursor()
    try:
        while batch := list(islice(rows, _BATCH)):
            cursor.executemany(sql, batch)
    finally:
        cursor.close()


def _executemany(session: Session, statement, records: list[dict]) -> None:
    for start in range(0, len(records), _BATCH):
        session.execute(statement, records[start:start + _BATCH])


# --- reading, and aggregating on read -----------------------------------------------------

def get_dataset(session: Session, dataset_id: str) -> StatisticDataset:
    dataset = session.get(StatisticDataset, dataset_id)
    if dataset is None:
        raise UnknownDataset(f"no statistics dataset {dataset_id!r}")
    return dataset


def list_datasets(session: Session) -> list[StatisticDataset]:
    return list(session.scalars(select(StatisticDataset).order_by(StatisticDataset.id)))


def memberships(session: Session, level: str, periods: Iterable[dt.date],
                frequency: str = "month") -> pd.DataFrame:
    """Memberships of municipalities in units of ``level``: municipality_code, unit,
    valid_from, valid_to."""
    columns = ["municipality_code", "unit", "valid_from", "valid_to"]
    if level == "county":
        stmt = select(CountyMembership.municipality_code, CountyMembership.county_code,
                      CountyMembership.valid_from, CountyMembership.valid_to)
    elif level == "employment_area":
        stmt = select(EmploymentAreaMembership.municipality_code,
                      EmploymentAreaMembership.area_id, EmploymentAreaMembership.valid_from,
                      EmploymentAreaMembership.valid_to)
    elif level == "nation":
        rows = session.execute(select(Municipality.code, Municipality.valid_from,
                                      Municipality.valid_to)).all()
        return pd.DataFrame([(c, NATION_UNIT, f, t) for c, f, t in rows], columns=columns)
    elif level == "network":
        return _network_memberships(session, periods, frequency)
    else:
        raise ValueError(f"cannot aggregate to level {level!r} (levels: "
                         f"{', '.join(AGGREGATE_LEVELS)})")
    return pd.DataFrame(session.execute(stmt).all(), columns=columns)


def _network_memberships(session: Session, periods: Iterable[dt.date],
                         frequency: str) -> pd.DataFrame:
    """Network coverage is derived per date (areas, county, exceptions; see
    ``portal.registry.networks.coverage``): one membership row per municipality, network
    and period (columns municipality_code, unit, period). The registry is read once; periods with
    the same memberships share one derivation."""
    columns = ["municipality_code", "unit", "valid_from", "valid_to"]
    periods = sorted(set(periods))
    if not periods:
        return pd.DataFrame(columns=columns)
    networks = list(session.scalars(select(Network).options(
        selectinload(Network.areas), selectinload(Network.exceptions))))
    if not networks:
        return pd.DataFrame(columns=columns)
    municipalities = session.execute(select(Municipality.code, Municipality.valid_from,
                                            Municipality.valid_to)).all()
    counties = session.execute(select(
        CountyMembership.county_code, CountyMembership.municipality_code,
        CountyMembership.valid_from, CountyMembership.valid_to)).all()
    areas = session.execute(select(
        EmploymentAreaMembership.area_id, EmploymentAreaMembership.municipality_code,
        EmploymentAreaMembership.valid_from, EmploymentAreaMembership.valid_to)).all()
    derived: dict[tuple, dict[str, frozenset[str]]] = {}
    rows = []
    for first in periods:
        end = period_end(first, frequency)
        valid_networks = tuple(n for n in networks if is_valid_on(n.valid_from, n.valid_to, end))
        if not valid_networks:
            continue
        valid_munis = frozenset(c for c, f, t in municipalities if is_valid_on(f, t, end))
        county_rows = tuple(r for r in counties if is_valid_on(r[2], r[3], end))
        area_rows = tuple(r for r in areas if is_valid_on(r[2], r[3], end))
        key = (tuple(n.id for n in valid_networks), valid_munis, county_rows, area_rows)
        if key not in derived:
            county_members = _members(county_rows, valid_munis)
            area_members = _members(area_rows, valid_munis)
            derived[key] = {n.id: derive_municipalities(
                [a.area_id for a in n.areas], area_members,
                county_members.get(n.county_code, frozenset()),
                [e.municipality_code for e in n.exceptions if e.kind == ExceptionKind.include],
                [e.municipality_code for e in n.exceptions if e.kind == ExceptionKind.exclude])
                for n in valid_networks}
        for network_id, members in derived[key].items():
            rows.extend((code, network_id, first) for code in members)
    return pd.DataFrame(rows, columns=["municipality_code", "unit", "period"])


def _members(rows, valid: frozenset[str]) -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for unit, municipality, _from, _to in rows:
        if municipality in valid:
            grouped.setdefault(unit, set()).add(municipality)
    return {unit: frozenset(members) for unit, members in grouped.items()}


def aggregate_values(session: Session, dataset_id: str, level: str, *,
                     measures: Iterable[str] | None = None, start: dt.date | None = None,
                     end: dt.date | None = None) -> pd.DataFrame:
    """The dataset's municipal values summed to ``level`` with the memberships valid at
    the end of each period (see ``portal.registry.statistics.aggregate``). Only additive
    measures are summed; asking for another raises ``ValueError``."""
    dataset = get_dataset(session, dataset_id)
    measures = list(measures) if measures is not None else [
        code for code, info in dataset.measures.items() if info.get("additive", True)]
    not_additive = [m for m in measures if not dataset.measures.get(m, {}).get("additive", True)]
    if not_additive:
        raise ValueError(f"measures {', '.join(not_additive)} of {dataset_id} are not counts "
                         "and cannot be summed")
    values = stored_values(session, dataset_id, measures=measures, levels=["municipality"],
                           start=start, end=end)
    member_rows = memberships(session, level, values["period"].unique(), dataset.frequency)
    result = aggregate(values, member_rows, dataset.frequency)
    result.insert(0, "level", level)
    return result
