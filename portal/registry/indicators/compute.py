"""Computing every indicator of the catalogue for every level and period, on read.

``IndicatorData(session)`` reads what the indicators need once (networks and their
coverage per month, client volumes, the configured open-statistics measures, steering
groups, agreements, staff) and computes an indicator's whole table on first use:
one ``Value`` per unit and period. Nothing is stored; the web layer caches the object
per data version.

How a value is formed (docs/indicators.md):

- network-derived indicators (client volumes and the registry) are pooled ratios:
  ``scale * sum(numerators) / sum(denominators)`` over the unit's networks that have
  the data (a county's, the nation's, or the networks that tile an employment area),
  so a level above the network is comparable whatever its number of networks; the row
  says how many of its networks were included;
- open-statistics indicators sum the municipal counts to each unit with the
  memberships valid in that period (``portal.registry.statistics.aggregate``);
- counts of clients go through small-count suppression per month over the whole
  published hierarchy (``count_table``); a rate is hidden when a count under it is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.registry.agreements.models import MODEL_SECTIONS, Agreement, AgreementSection
from portal.registry.clients.models import COUNT_FIELDS, ENDED_FIELDS, ClientVolume
from portal.registry.indicators.catalogue import (
    INPUTS,
    LEVELS,
    MONTH,
    YEAR,
    Indicator,
    MeasureSource,
)
from portal.registry.indicators.suppression import (
    DEFAULT_THRESHOLD,
    Constraint,
    Reason,
    Suppression,
    suppress,
)
from portal.registry.indicators.units import NATION, Coverage
from portal.registry.networks.coverage import TYM_START
from portal.registry.networks.models import Network, OrgType, SteeringGroup
from portal.registry.staff.models import Sector, StaffOrganisation, StaffResource
from portal.registry.statistics.aggregate import aggregate, period_end
from portal.registry.statistics.models import StatisticDataset, StatisticValue
from portal.registry.statistics.services import memberships
from portal.registry.validity import is_valid_on

TABLE_FIELDS = (*COUNT_FIELDS, "ended_total")  # published with the client-volume table


def month_label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def parse_period(text: str) -> dt.date:
    """``2026-10`` -> 2026-10-01, ``2026`` -> 2026-01-01; ValueError otherwise."""
    parts = text.split("-")
    if len(parts) == 1 and len(text) == 4 and text.isdigit():
        return dt.date(int(text), 1, 1)
    if len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) == 2 and text[:4].isdigit() \
            and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return dt.date(int(parts[0]), int(parts[1]), 1)
    raise ValueError(f"not a period: {text!r} (use YYYY-MM or YYYY)")


def period_label(first: dt.date, frequency: str) -> str:
    return f"{first.year:04d}" if frequency == YEAR else month_label(first)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], dt.date(first.year, first.month, 1)
    while current <= last:
        months.append(current)
        current = dt.date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


@dataclass(frozen=True)
class Value:
    """One cell of an indicator: ``value`` None means blank, and ``status`` says why.
    ``unsuppressed`` marks a value a monitor sees that the public does not."""

    indicator: str
    level: str
    unit: str
    period: str
    value: float | None
    status: str | None
    numerator: float | None = None
    denominator: float | None = None
    members: int | None = None  # networks the value covers (network-derived, above network)
    members_reporting: int | None = None
    unsuppressed: bool = False


@dataclass
class CountTable:
    """The published client-volume table of one month: counts per network, county,
    nation and tiled employment area, with the suppression outcome."""

    month: dt.date
    values: dict[tuple[str, str, str], int]  # (level, unit, field) -> count
    reporting: dict[tuple[str, str], tuple[int, int]]  # (level, unit) -> (reported, expected)
    suppression: Suppression

    def hidden(self, level: str, unit: str, fields: Iterable[str]) -> bool:
        return any(self.suppression.is_hidden((level, unit, f)) for f in fields)


@dataclass
class Summary:
    """National median and quartiles of a level's published values, and per peer group."""

    count: int
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None
    peers: dict[str, dict] = field(default_factory=dict)


def quantile(sorted_values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default, type 7)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def summarise(values: Iterable[float]) -> Summary:
    data = sorted(v for v in values if v is not None)
    return Summary(len(data), quantile(data, 0.5), quantile(data, 0.25), quantile(data, 0.75),
                   data[0] if data else None, data[-1] if data else None)


class IndicatorData:
    """Everything the indicators are computed from, read once from ``session``."""

    def __init__(self, session: Session, *, threshold: int = DEFAULT_THRESHOLD,
                 monitor: bool = False, today: dt.date | None = None):
        self.session = session
        self.threshold = threshold
        self.monitor = monitor
        self.today = today or dt.date.today()
        self._tables: dict[str, list[Value]] = {}
        self._period_tables: dict[tuple[str, dt.date], list[Value]] = {}
        self._dates: dict[str, list[dt.date]] = {}
        self._municipal: dict[str, pd.DataFrame] = {}
        self._coverage: dict[dt.date, Coverage] = {}
        self._count_tables: dict[dt.date, CountTable] = {}
        self._stats: dict[tuple[str, str], dict] = {}

    # --- what is read once ------------------------------------------------------------

    @cached_property
    def networks(self) -> list[Network]:
        return list(self.session.scalars(
            select(Network).order_by(Network.id).options(
                selectinload(Network.areas), selectinload(Network.exceptions),
                selectinload(Network.steering_groups).selectinload(SteeringGroup.seats))))

    @cached_property
    def volumes(self) -> dict[tuple[str, dt.date], dict[str, int]]:
        rows = self.session.execute(select(
            ClientVolume.network_id, ClientVolume.month,
            *(getattr(ClientVolume, f) for f in COUNT_FIELDS)))
        found = {}
        for network_id, month, *counts in rows:
            values = dict(zip(COUNT_FIELDS, counts, strict=True))
            values["ended_total"] = sum(values[f] for f in ENDED_FIELDS)
            found[(network_id, month)] = values
        return found

    @cached_property
    def staff(self) -> dict[tuple[str, int], list[StaffResource]]:
        found: dict[tuple[str, int], list[StaffResource]] = {}
        for row in self.session.scalars(select(StaffResource)):
            found.setdefault((row.network_id, row.year), []).append(row)
        return found

    @cached_property
    def agreements(self) -> dict[str, list[Agreement]]:
        found: dict[str, list[Agreement]] = {}
        for agreement in self.session.scalars(
                select(Agreement).options(selectinload(Agreement.sections))):
            found.setdefault(agreement.network_id, []).append(agreement)
        return found

    @cached_property
    def datasets(self) -> dict[str, StatisticDataset]:
        return {d.id: d for d in self.session.scalars(select(StatisticDataset))}

    @cached_property
    def inputs(self) -> dict[str, MeasureSource | None]:
        """The configured measure used for each open-statistics input (the first
        candidate whose dataset is loaded and has that measure), or None."""
        chosen = {}
        for key, candidates in INPUTS.items():
            chosen[key] = next((c for c in candidates if c.dataset_id in self.datasets
                                and c.measure in (self.datasets[c.dataset_id].measures or {})),
                               None)
        return chosen

    def synthetic_sources(self, indicator: Indicator) -> bool:
        """Whether the indicator is computed from synthetic demonstration data."""
        for key in indicator.inputs:
            source = self.inputs.get(key)
            if source and self.datasets[source.dataset_id].source == "synthetic-demo":
                return True
        if indicator.kind in ("clients", "registry"):
            return any(n.synthetic for n in self.networks)
        return False

    @cached_property
    def synthetic(self) -> bool:
        return (any(n.synthetic for n in self.networks)
                or any(d.source == "synthetic-demo" for d in self.datasets.values()))

    # --- periods --------------------------------------------------------------------------

    def periods(self, indicator: Indicator) -> list[str]:
        """Every period the indicator has values for, oldest first."""
        return [period_label(p, indicator.frequency) for p in self._period_dates(indicator)]

    def _period_dates(self, indicator: Indicator) -> list[dt.date]:
        if indicator.id not in self._dates:
            self._dates[indicator.id] = self._find_period_dates(indicator)
        return self._dates[indicator.id]

    def _find_period_dates(self, indicator: Indicator) -> list[dt.date]:
        if indicator.frequency == YEAR:
            years = sorted({year for (_n, year) in self.staff})
            return [dt.date(y, 1, 1) for y in years]
        if indicator.kind == "statistics":
            months = set()
            for key in indicator.inputs:
                months |= set(self._statistic_months(key))
            return sorted(months)
        if indicator.kind == "clients":
            months = sorted({m for (_n, m) in self.volumes})
            return months_between(months[0], months[-1]) if months else []
        current = dt.date(self.today.year, self.today.month, 1)
        return months_between(TYM_START, current) if self.networks else []

    def _statistic_months(self, key: str) -> list[dt.date]:
        return sorted({p for (_lvl, _unit, p) in self._statistic(key, "nation")})

    # --- coverage per month -------------------------------------------------------------

    def coverage(self, first: dt.date, frequency: str = MONTH) -> Coverage:
        end = min(period_end(first, frequency), max(self.today, first))
        key = end
        if key not in self._coverage:
            self._coverage[key] = Coverage(self.session, end, self.networks)
        return self._coverage[key]

    # --- open statistics, aggregated ----------------------------------------------------

    def _statistic(self, key: str, level: str) -> dict[tuple[str, str, dt.date], float | None]:
        """(level, unit, period) -> value of input ``key`` summed to ``level``."""
        cache_key = (key, level)
        if cache_key in self._stats:
            return self._stats[cache_key]
        source = self.inputs.get(key)
        result: dict = {}
        if source is not None:
            dataset = self.datasets[source.dataset_id]
            if key not in self._municipal:
                self._municipal[key] = _municipal_values(self.session, source)
            values = self._municipal[key]
            if not values.empty:
                if level == "network":
                    member_rows = self._network_memberships(values["period"].unique(),
                                                            dataset.frequency)
                else:
                    member_rows = memberships(self.session, level, values["period"].unique(),
                                              dataset.frequency)
                frame = aggregate(values, member_rows, dataset.frequency)
                for unit, period, value in zip(frame["unit"], frame["period"], frame["value"],
                                               strict=True):
                    result[(level, unit, period)] = None if pd.isna(value) else float(value)
        self._stats[cache_key] = result
        return result

    def _network_memberships(self, periods, frequency: str) -> pd.DataFrame:
        rows = []
        for first in sorted(set(periods)):
            end = period_end(first, frequency)
            if not any(is_valid_on(n.valid_from, n.valid_to, min(end, max(self.today, first)))
                       for n in self.networks):
                continue  # no network then (before 2025): no coverage to compute
            coverage = self.coverage(first, frequency)
            for network_id, codes in coverage.municipalities.items():
                rows.extend((code, network_id, first, end) for code in codes)
        return pd.DataFrame(rows, columns=["municipality_code", "unit", "valid_from",
                                           "valid_to"])

    def statistic(self, key: str, level: str, unit: str, first: dt.date) -> tuple[
            float | None, str | None]:
        """The input's value for a unit and month, or (None, reason). A yearly dataset
        gives every month of its year (the latest earlier year when not yet released)."""
        source = self.inputs.get(key)
        if source is None:
            return None, Reason.not_released
        table = self._statistic(key, level)
        if self.datasets[source.dataset_id].frequency == YEAR:
            for year in (first.year, first.year - 1):
                found = (level, unit, dt.date(year, 1, 1))
                if found in table:
                    return (table[found], None) if table[found] is not None else (
                        None, Reason.not_released)
            return None, Reason.not_released
        found = (level, unit, first)
        if found not in table:
            return None, Reason.not_released
        value = table[found]
        return (value, None) if value is not None else (None, Reason.not_released)

    # --- the client-volume table -----------------------------------------------------------

    def count_table(self, month: dt.date) -> CountTable:
        if month not in self._count_tables:
            self._count_tables[month] = self._build_count_table(month)
        return self._count_tables[month]

    def _build_count_table(self, month: dt.date) -> CountTable:
        coverage = self.coverage(month)
        values: dict[tuple[str, str, str], int] = {}
        constraints: list[Constraint] = []
        reporting: dict[tuple[str, str], tuple[int, int]] = {}

        def add_row(level: str, unit: str, counts: dict[str, int]) -> None:
            for name in TABLE_FIELDS:
                values[(level, unit, name)] = counts[name]
            constraints.append(Constraint((level, unit, "ended_total"),
                                          tuple((level, unit, f) for f in ENDED_FIELDS)))

        def add_sum(level: str, unit: str, members: list[tuple[str, str]]) -> None:
            add_row(level, unit, {f: sum(values[(ml, mu, f)] for ml, mu in members)
                                  for f in TABLE_FIELDS})
            for name in TABLE_FIELDS:
                constraints.append(Constraint((level, unit, name),
                                              tuple((ml, mu, name) for ml, mu in members)))

        reported = {n: self.volumes[(n, month)] for n in coverage.network_ids
                    if (n, month) in self.volumes}
        for network_id, counts in reported.items():
            add_row("network", network_id, counts)
            reporting[("network", network_id)] = (1, 1)
        counties_done = []
        for county, members in sorted(coverage.by_county.items()):
            have = [n for n in members if n in reported]
            reporting[("county", county)] = (len(have), len(members))
            if have:
                add_sum("county", county, [("network", n) for n in have])
                counties_done.append(county)
        reporting[("nation", NATION)] = (len(reported), len(coverage.network_ids))
        if counties_done:
            add_sum("nation", NATION, [("county", c) for c in counties_done])
        for area, members in sorted(coverage.area_networks.items()):
            have = [n for n in members if n in reported]
            reporting[("employment_area", area)] = (len(have), len(members))
            if have and len(have) == len(members) and len(members) > 1:
                add_sum("employment_area", area, [("network", n) for n in members])
            elif have and len(have) == len(members):
                # one network is the whole area: the same cells, published once more
                for name in TABLE_FIELDS:
                    values[("employment_area", area, name)] = values[("network", members[0],
                                                                       name)]
                    constraints.append(Constraint(("employment_area", area, name),
                                                  (("network", members[0], name),)))
        return CountTable(month, values, reporting,
                          suppress(values, constraints, self.threshold))

    # --- indicators ------------------------------------------------------------------------

    def table(self, indicator: Indicator) -> list[Value]:
        """Every value of the indicator: all levels, units and periods."""
        if indicator.id not in self._tables:
            rows: list[Value] = []
            for first in self._period_dates(indicator):
                rows.extend(self._rows_of_period(indicator, first))
            self._tables[indicator.id] = rows
        return self._tables[indicator.id]

    def _rows_of_period(self, indicator: Indicator, first: dt.date) -> list[Value]:
        key = (indicator.id, first)
        if key not in self._period_tables:
            self._period_tables[key] = self._period_rows(indicator, first)
        return self._period_tables[key]

    def values(self, indicator: Indicator, *, level: str | None = None,
               period: str | None = None, units: Iterable[str] | None = None) -> list[Value]:
        """The values of one level, period and units (None: all); only the periods asked
        for are computed."""
        wanted = set(units) if units is not None else None
        if period is not None and indicator.id not in self._tables:
            try:
                first = parse_period(period)
            except ValueError:
                return []
            if period_label(first, indicator.frequency) != period or \
                    first not in set(self._period_dates(indicator)):
                return []
            rows = self._rows_of_period(indicator, first)
        else:
            rows = self.table(indicator)
        return [v for v in rows
                if (level is None or v.level == level) and (period is None or v.period == period)
                and (wanted is None or v.unit in wanted)]

    def summary(self, indicator: Indicator, level: str, period: str,
                peer_groups: dict[str, str] | None = None) -> Summary:
        """Median and quartiles of the level's published values (a monitor's view: all
        values), overall and per peer group."""
        rows = [v for v in self.values(indicator, level=level, period=period)
                if v.value is not None]
        result = summarise(v.value for v in rows)
        if peer_groups:
            groups: dict[str, list[float]] = {}
            for v in rows:
                group = peer_groups.get(v.unit)
                if group:
                    groups.setdefault(group, []).append(v.value)
            result.peers = {g: vars(summarise(vals)) for g, vals in sorted(groups.items())}
        return result

    def _period_rows(self, indicator: Indicator, first: dt.date) -> list[Value]:
        label = period_label(first, indicator.frequency)
        if indicator.kind == "statistics":
            return self._statistic_rows(indicator, first, label)
        return self._network_rows(indicator, first, label)

    def _finish(self, indicator: Indicator, row: Value, hidden: bool) -> Value:
        """Apply suppression: the public sees a blank, a monitor the value, marked. A
        denominator that is itself a client count (ended relationships) is hidden with
        the rate; a public statistic or an FTE stays."""
        if not hidden or row.value is None:
            return row
        if self.monitor:
            return replace(row, unsuppressed=True)
        counted = any(f in TABLE_FIELDS for f in indicator.denominator_fields)
        return replace(row, value=None, numerator=None,
                       denominator=None if counted else row.denominator,
                       status=Reason.suppressed.value)

    def _statistic_rows(self, indicator: Indicator, first: dt.date, label: str) -> list[Value]:
        coverage = self.coverage(first)
        rows = []
        for level in LEVELS:
            if not indicator.exists_at(level):
                continue
            for unit in coverage.units(level, self.session):
                num, num_reason = self.statistic(indicator.numerator_input, level, unit, first)
                den, den_reason = self.statistic(indicator.denominator_input, level, unit, first)
                reason = num_reason or den_reason
                if reason is None and not den:
                    reason = Reason.not_applicable
                if reason is not None:
                    rows.append(Value(indicator.id, level, unit, label, None, str(reason)))
                    continue
                row = Value(indicator.id, level, unit, label, indicator.scale * num / den, None,
                            num, den)
                rows.append(self._finish(indicator, row, num < self.threshold))
        return rows

    def _network_parts(self, indicator: Indicator, network_id: str, first: dt.date) -> tuple[
            float | None, float | None, str | None, tuple[str, ...]]:
        """(numerator, denominator, reason, count fields used) of one network."""
        if indicator.kind == "clients":
            counts = self.volumes.get((network_id, first))
            if counts is None:
                return None, None, Reason.not_reported, ()
            num = float(sum(counts[f] for f in indicator.numerator_fields))
            fields = tuple(indicator.numerator_fields)
            if indicator.denominator_fields == ("staff_fte",):
                rows = self.staff.get((network_id, first.year))
                if not rows:
                    return None, None, Reason.not_reported, fields
                return num, sum(r.fte for r in rows), None, fields
            if indicator.denominator_fields:
                den = float(sum(counts[f] for f in indicator.denominator_fields))
                return num, den, None, fields + tuple(indicator.denominator_fields)
            if indicator.denominator_input:
                den, reason = self.statistic(indicator.denominator_input, "network",
                                             network_id, first)
                return num, den, reason, fields
            return num, 1.0, None, fields
        return (*self._registry_parts(indicator, network_id, first), ())

    def _registry_parts(self, indicator: Indicator, network_id: str,
                        first: dt.date) -> tuple[float | None, float | None, str | None]:
        measure = indicator.registry_measure
        network = self.coverage(first, indicator.frequency).network(network_id)
        if measure.startswith("staff:"):
            rows = [r for r in self.staff.get((network_id, first.year), [])
                    if r.organisation == StaffOrganisation.county]
            if not rows:
                return None, None, Reason.not_reported
            total = sum(r.fte for r in rows)
            if not total:
                return None, None, Reason.not_applicable
            return sum(r.fte for r in rows if r.sector == Sector.health), total, None
        on = self.coverage(first, indicator.frequency).on
        if measure.startswith("seats:"):
            group = _current(network.steering_groups, on)
            if group is None:
                return None, None, Reason.not_reported
            seats = {t: 0 for t in OrgType}
            for seat in group.seats:
                seats[OrgType(seat.org_type)] += seat.count
            total = float(sum(seats.values()))
            org = measure.split(":", 1)[1]
            if org == "all":
                return total, 1.0, None
            return float(seats[OrgType(org)]), total, None
        if measure == "agreement:sections":
            agreement = _current(self.agreements.get(network_id, []), on)
            if agreement is None or not agreement.sections:
                return None, None, Reason.not_reported
            present = sum(1 for s in agreement.sections if _present(s))
            return float(present), float(len(MODEL_SECTIONS)), None
        raise ValueError(f"unknown registry measure {measure!r}")

    def _network_rows(self, indicator: Indicator, first: dt.date, label: str) -> list[Value]:
        coverage = self.coverage(first, indicator.frequency)
        table = self.count_table(first) if indicator.kind == "clients" else None
        parts = {n: self._network_parts(indicator, n, first) for n in coverage.network_ids}
        rows = []

        def blank(level: str, unit: str, reason: str, count) -> Value:
            return Value(indicator.id, level, unit, label, None, str(reason), None, None,
                         *count)

        def value_of(level: str, unit: str, members: list[str]) -> Value:
            have = [n for n in members if parts[n][2] is None and parts[n][0] is not None]
            count = (len(members), len(have)) if level != "network" else (None, None)
            if indicator.kind == "clients" and level != "network":
                # Above a network the value is over the networks that reported, exactly
                # the total the client-volume table publishes (and protects).
                reported = [n for n in members if (n, first) in self.volumes]
                lacking = [n for n in reported if n not in have]
                if not reported or lacking:
                    reason = parts[lacking[0]][2] if lacking else Reason.not_reported
                    return blank(level, unit, reason or Reason.not_reported, count)
            if not have:
                reasons = {parts[n][2] for n in members if parts[n][2] is not None}
                reason = (Reason.not_released if Reason.not_released in reasons
                          else Reason.not_reported)
                return blank(level, unit, reason, count)
            num = sum(parts[n][0] for n in have)
            den = sum(parts[n][1] for n in have)
            if indicator.count:  # a count: the sum itself, no denominator
                row = Value(indicator.id, level, unit, label, num, None, num, None, *count)
                hidden = table is not None and table.hidden(level, unit,
                                                            indicator.numerator_fields)
                if table is not None and (level, unit, indicator.numerator_fields[0]) \
                        not in table.values:
                    return blank(level, unit, Reason.not_reported, count)
                return self._finish(indicator, row, hidden)
            if not den:
                return Value(indicator.id, level, unit, label, None,
                             Reason.not_applicable.value, num, den, *count)
            row = Value(indicator.id, level, unit, label, indicator.scale * num / den, None,
                        num, den, *count)
            hidden = False
            if table is not None:
                fields = tuple(indicator.numerator_fields) + tuple(
                    f for f in indicator.denominator_fields if f in TABLE_FIELDS)
                if (level, unit, fields[0]) not in table.values:
                    return blank(level, unit, Reason.not_reported, count)
                hidden = table.hidden(level, unit, fields)
            return self._finish(indicator, row, hidden)

        for network_id in coverage.network_ids:
            rows.append(value_of("network", network_id, [network_id]))
        for area in coverage.area_ids(self.session):
            members = coverage.area_networks.get(area)
            if members:
                rows.append(value_of("employment_area", area, members))
            else:
                rows.append(Value(indicator.id, "employment_area", area, label, None,
                                  Reason.not_applicable.value))
        for county, members in sorted(coverage.by_county.items()):
            rows.append(value_of("county", county, members))
        if coverage.network_ids:
            rows.append(value_of("nation", NATION, list(coverage.network_ids)))
        return rows


def _municipal_values(session: Session, source: MeasureSource) -> pd.DataFrame:
    """The stored municipal values of one measure: unit_code, period, measure, value
    (what ``aggregate`` takes), read as plain tuples (fast for tens of thousands)."""
    table = StatisticValue.__table__
    rows = session.execute(select(table.c.unit_code, table.c.period, table.c.value).where(
        table.c.dataset_id == source.dataset_id, table.c.measure == source.measure,
        table.c.level == "municipality")).all()
    codes, periods, values = (list(column) for column in zip(*rows, strict=True)) if rows \
        else ([], [], [])
    return pd.DataFrame({"unit_code": codes, "period": periods,
                         "measure": [source.measure] * len(codes),
                         "value": pd.array(values, dtype="float64")})


def _current(records, on: dt.date):
    valid = [r for r in records if is_valid_on(r.valid_from, r.valid_to, on)]
    return max(valid, key=lambda r: r.valid_from or dt.date.min, default=None)


def _present(section: AgreementSection) -> bool:
    return getattr(section.coding, "value", section.coding) != "absent"
