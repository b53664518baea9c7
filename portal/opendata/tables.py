"""Every published table, built from the registry and the indicators, framework-free.

One ``Table`` per resource: its columns (the CSV header, the JSON object keys, the
Frictionless schema and the OpenAPI schema all come from them) and a lazy row iterator.
The HTML views, the JSON API, the CSV downloads and the bulk ZIP read the same tables,
so a number is the same wherever it is read.

Blank cells carry a reason code in their row's ``status`` column; ``synthetic`` says
whether the row comes from demonstration data, ``unsuppressed`` whether a monitor sees
a value the public does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select

from portal.opendata.formats import Column
from portal.registry.clients.models import ENDED_FIELDS
from portal.registry.geography.models import (
    EmploymentArea,
    Level,
    Municipality,
    WellbeingCounty,
)
from portal.registry.indicators.catalogue import (
    CATALOGUE,
    LEVELS,
    Indicator,
    Text,
    get_indicator,
)
from portal.registry.indicators.compute import (
    NATION,
    TABLE_FIELDS,
    IndicatorData,
    Value,
    parse_period,
    period_label,
    summarise,
)
from portal.registry.indicators.peers import peer_groups
from portal.registry.indicators.suppression import Reason
from portal.registry.indicators.units import UnitInfo, unit_names
from portal.registry.networks.configuration import classify_counties
from portal.registry.networks.coverage import Geography, networks_on
from portal.registry.networks.services import steering_summary_on
from portal.registry.statistics.aggregate import period_end

STATUS = Column("status", "string", "Why the value is blank: suppressed, not_reported, "
                "not_applicable or not_released; empty when there is a value",
                tuple(r.value for r in Reason))
SYNTHETIC = Column("synthetic", "boolean", "True when the row comes from synthetic "
                   "demonstration data (not real)")
UNSUPPRESSED = Column("unsuppressed", "boolean", "True when a signed-in monitor sees a "
                      "value that public outputs suppress")
LEVEL = Column("level", "string", "network, employment_area, county or nation", LEVELS)


@dataclass
class Table:
    name: str
    title: Text
    description: Text
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[tuple]]
    synthetic: bool = False

    def iter_rows(self) -> Iterator[tuple]:
        return iter(self.rows())


INDICATOR_VALUE_COLUMNS = (
    Column("indicator", "string", "Indicator id (see the indicators table)"),
    LEVEL,
    Column("unit_code", "string", "Network id, employment-area id, county code or FI"),
    Column("unit_name_fi", "string", "Name of the unit in Finnish"),
    Column("unit_name_sv", "string", "Name of the unit in Swedish"),
    Column("county_code", "string", "Wellbeing services county of a network"),
    Column("period", "string", "Month (YYYY-MM) or year (YYYY)"),
    Column("value", "number", "The indicator's value; blank when status says why"),
    STATUS,
    Column("numerator", "number", "Numerator (blank when suppressed)"),
    Column("denominator", "number", "Denominator (blank when suppressed or not used)"),
    Column("networks", "integer", "Networks the unit has (network-derived indicators, "
           "levels above the network)"),
    Column("networks_included", "integer", "Of which included in the value"),
    Column("peer_group", "string", "Peer group by labour-force size"),
    Column("level_median", "number", "Median of the level's published values in the period"),
    SYNTHETIC,
    UNSUPPRESSED,
)

CLIENT_VOLUME_COLUMNS = (
    LEVEL,
    Column("unit_code", "string", "Network id, employment-area id, county code or FI"),
    Column("unit_name_fi", "string", "Name of the unit in Finnish"),
    Column("unit_name_sv", "string", "Name of the unit in Swedish"),
    Column("month", "string", "Month (YYYY-MM)"),
    Column("measure", "string", "Count: active_end, new_clients, ended_employment, "
           "ended_education, ended_rehabilitation, ended_other, ended_total, "
           "assessments_started", TABLE_FIELDS),
    Column("value", "integer", "The count; blank when status says why"),
    STATUS,
    Column("networks", "integer", "Networks of the unit"),
    Column("networks_reporting", "integer", "Of which reported the month"),
    SYNTHETIC,
    UNSUPPRESSED,
)

INDICATOR_COLUMNS = (
    Column("id", "string", "Indicator id"),
    Column("name_fi", "string"), Column("name_sv", "string"),
    Column("name_en", "string"),
    Column("unit_fi", "string"), Column("unit_sv", "string"),
    Column("unit_en", "string"),
    Column("kind", "string", "clients, registry or statistics"),
    Column("frequency", "string", "month or year"),
    Column("scale", "number", "The value is scale * numerator / denominator"),
    Column("levels", "string", "Levels the indicator exists at"),
    Column("sources", "string", "Source ids"),
    Column("first_period", "string"), Column("last_period", "string"),
    Column("definition_fi", "string"), Column("definition_sv", "string"),
    Column("definition_en", "string"),
    Column("suppression_en", "string", "The suppression rule"),
    SYNTHETIC,
)

NETWORK_COLUMNS = (
    Column("id", "string", "Network id"), Column("name_fi", "string"),
    Column("name_sv", "string"), Column("county_code", "string"),
    Column("county_name_fi", "string"),
    Column("status", "string", "draft, confirmed or verified"),
    Column("valid_from", "date"), Column("valid_to", "date"),
    Column("configuration_type", "string", "Configuration type of the county"),
    Column("municipalities", "integer", "Municipalities covered on the date"),
    Column("employment_areas", "string", "Employment areas covered (space-separated)"),
    Column("on", "date", "The date the table describes"),
    SYNTHETIC,
)

CONFIGURATION_COLUMNS = (
    Column("county_code", "string"), Column("name_fi", "string"),
    Column("name_sv", "string"),
    Column("configuration_type", "string", "1-5 or incomplete"),
    Column("reason", "string", "Why incomplete (a code)"),
    Column("employment_areas", "integer"), Column("networks", "integer"),
    Column("on", "date"), SYNTHETIC,
)

STEERING_COLUMNS = (
    Column("measure", "string", "size, or seats of an organisation type"),
    Column("groups", "integer"), Column("mean", "number"),
    Column("min", "integer"), Column("max", "integer"),
    Column("social_and_health", "integer", "Groups with both county social and "
           "health seats"), Column("on", "date"), SYNTHETIC,
)

AREA_COLUMNS = (
    Column("level", "string", "county, employment_area or municipality",
           tuple(v.value for v in Level)),
    Column("code", "string"), Column("name_fi", "string"), Column("name_sv", "string"),
    Column("name_en", "string"), Column("valid_from", "date"), Column("valid_to", "date"),
)


class OpenData:
    """The tables over one ``IndicatorData`` (its session, threshold and viewer)."""

    def __init__(self, data: IndicatorData, on: dt.date | None = None):
        self.data = data
        self.on = on or data.today

    @property
    def session(self):
        return self.data.session

    @cached_property
    def names(self) -> dict[tuple[str, str], UnitInfo]:
        """Every unit's names, read once per computed data version (kept on ``data``)."""
        cache = self.data.__dict__
        if "_opendata_names" not in cache:
            cache["_opendata_names"] = unit_names(self.session)
        return cache["_opendata_names"]

    def name(self, level: str, code: str) -> UnitInfo:
        return self.names.get((level, code)) or UnitInfo(level, code, code, code, code)

    # --- the catalogue --------------------------------------------------------------------

    def indicators(self) -> Table:

        columns = INDICATOR_COLUMNS

        def rows():
            for i in CATALOGUE:
                periods = self.data.periods(i)
                yield (i.id, i.name.fi, i.name.sv, i.name.en, i.unit.fi, i.unit.sv,
                       i.unit.en, i.kind, i.frequency, i.scale,
                       " ".join(lvl for lvl in LEVELS if i.exists_at(lvl)),
                       " ".join(i.sources), periods[0] if periods else None,
                       periods[-1] if periods else None, i.definition.fi, i.definition.sv,
                       i.definition.en, i.suppression.en, self.data.synthetic_sources(i))

        return Table("indicators", Text("Indikaattorit", "Indikatorer", "Indicators"),
                     Text("Indikaattoriluettelo: määritelmät, yksiköt, lähteet ja tasot.",
                          "Indikatorkatalogen: definitioner, enheter, källor och nivåer.",
                          "The indicator catalogue: definitions, units, sources and "
                          "levels."), columns, rows, self.data.synthetic)

    # --- indicator values -----------------------------------------------------------------

    def values(self, indicator: Indicator, *, level: str | None = None,
               period: str | None = None, units: Iterable[str] | None = None) -> list[Value]:
        rows = self.data.values(indicator, level=level, period=period, units=units)
        order = {lvl: n for n, lvl in enumerate(LEVELS)}
        return sorted(rows, key=lambda v: (order[v.level], v.period, v.unit))

    def peers(self, level: str, period: str, units: list[str]) -> dict[str, str]:
        key = ("peers", level, period)
        cache = self.data.__dict__.setdefault("_opendata_peers", {})
        if key not in cache:
            cache[key] = peer_groups(self.data, level, period,
                                     self.data.coverage(_first(period)).units(level,
                                                                              self.session))
        return {u: cache[key][u] for u in units if u in cache[key]}

    def median(self, indicator: Indicator, level: str, period: str) -> float | None:
        cache = self.data.__dict__.setdefault("_opendata_medians", {})
        key = (indicator.id, level, period)
        if key not in cache:
            cache[key] = summarise(v.value for v in self.data.values(
                indicator, level=level, period=period)).median
        return cache[key]

    def indicator_values(self, indicator_ids: Iterable[str] | None = None, *,
                         level: str | None = None, period: str | None = None,
                         units: Iterable[str] | None = None) -> Table:
        indicators = [get_indicator(i) for i in indicator_ids] if indicator_ids else list(
            CATALOGUE)
        unit_list = list(units) if units is not None else None

        def rows():
            for indicator in indicators:
                synthetic = self.data.synthetic_sources(indicator)
                for v in self.values(indicator, level=level, period=period, units=unit_list):
                    info = self.name(v.level, v.unit)
                    peer = self.peers(v.level, v.period, [v.unit]).get(v.unit)
                    yield (v.indicator, v.level, v.unit, info.name_fi, info.name_sv,
                           info.county if v.level == "network" else None, v.period, v.value,
                           v.status, v.numerator, v.denominator, v.members,
                           v.members_reporting, peer,
                           self.median(indicator, v.level, v.period), synthetic,
                           v.unsuppressed)

        if len(indicators) == 1:
            name = f"indicator-{indicators[0].id}"
            title = indicators[0].name
        else:
            name, title = "indicator-values", Text("Indikaattorien arvot",
                                                   "Indikatorernas värden",
                                                   "Indicator values")
        return Table(name, title, Text(
            "Arvo yksikköä ja ajanjaksoa kohden; tyhjän solun syy sarakkeessa status.",
            "Värde per enhet och period; orsaken till en tom cell i kolumnen status.",
            "One value per unit and period; a blank cell's reason is in the status "
            "column."), INDICATOR_VALUE_COLUMNS, rows,
            any(self.data.synthetic_sources(i) for i in indicators))

    # --- client volumes ---------------------------------------------------------------------

    def client_volumes(self, *, level: str | None = None, month: str | None = None,
                       units: Iterable[str] | None = None) -> Table:
        wanted = set(units) if units is not None else None
        months = sorted({m for (_n, m) in self.data.volumes})
        if month is not None:
            first = parse_period(month)
            months = [m for m in months if m == first]
        synthetic = any(n.synthetic for n in self.data.networks)
        order = {lvl: n for n, lvl in enumerate(LEVELS)}

        def rows():
            for first in months:
                table = self.data.count_table(first)
                label = period_label(first, "month")
                keys = sorted(table.reporting, key=lambda k: (order[k[0]], k[1]))
                for lvl, unit in keys:
                    if (level is not None and lvl != level) or (
                            wanted is not None and unit not in wanted):
                        continue
                    reported, expected = table.reporting[(lvl, unit)]
                    info = self.name(lvl, unit)
                    for measure in TABLE_FIELDS:
                        key = (lvl, unit, measure)
                        value = table.values.get(key)
                        status, flagged = None, False
                        if value is None:
                            status = Reason.not_reported.value
                        elif table.suppression.is_hidden(key):
                            if self.data.monitor:
                                flagged = True
                            else:
                                value, status = None, Reason.suppressed.value
                        yield (lvl, unit, info.name_fi, info.name_sv, label, measure, value,
                               status, expected if lvl != "network" else None,
                               reported if lvl != "network" else None, synthetic, flagged)

        return Table("client-volumes",
                     Text("TYM-asiakasmäärät", "TYM-klientvolymer", "TYM client volumes"),
                     Text("Verkostojen ilmoittamat asiakasmäärät kuukausittain sekä "
                          "hyvinvointialueiden, työllisyysalueiden ja koko maan summat. "
                          f"Päättyneet yhteensä = {' + '.join(ENDED_FIELDS)}.",
                          "Klientvolymer som nätverken rapporterat per månad samt summor "
                          "för välfärdsområden, sysselsättningsområden och hela landet.",
                          "Client volumes the networks reported per month, with the sums "
                          "for wellbeing counties, employment areas and the whole country. "
                          f"ended_total = {' + '.join(ENDED_FIELDS)}."),
                     CLIENT_VOLUME_COLUMNS, rows, synthetic)

    # --- the registry -----------------------------------------------------------------------

    def networks(self) -> Table:
        columns, on = NETWORK_COLUMNS, self.on

        def rows():
            geography = Geography(self.session, on)
            types = classify_counties(self.session, on)
            for n in networks_on(self.session, on):
                county = self.name("county", n.county_code)
                kind = types.get(n.county_code)
                yield (n.id, n.name_fi, n.name_sv, n.county_code, county.name_fi,
                       getattr(n.status, "value", n.status), n.valid_from, n.valid_to,
                       kind.type.value if kind else None,
                       len(geography.municipalities_of(n)),
                       " ".join(sorted(a.area_id for a in n.areas)), on, bool(n.synthetic))

        return Table("networks", Text("TYM-verkostot", "TYM-nätverk", "TYM networks"),
                     Text("Voimassa olevat TYM-verkostot.", "Gällande TYM-nätverk.",
                          "The TYM networks in force."), columns, rows,
                     any(n.synthetic for n in self.data.networks))

    def configuration_types(self) -> Table:
        columns, on = CONFIGURATION_COLUMNS, self.on
        synthetic = any(n.synthetic for n in self.data.networks)

        def rows():
            for code, c in sorted(classify_counties(self.session, on).items()):
                info = self.name("county", code)
                yield (code, info.name_fi, info.name_sv, c.type.value, c.reason or None,
                       c.areas, c.networks, on, synthetic)

        return Table("configuration-types",
                     Text("Järjestämistavat", "Organiseringstyper", "Configuration types"),
                     Text("Hyvinvointialueiden TYM-verkostojen järjestämistapa (tyypit 1–5).",
                          "Organiseringstyp för välfärdsområdenas TYM-nätverk (typ 1–5).",
                          "Configuration type of each wellbeing county's TYM networks "
                          "(types 1-5)."), columns, rows, synthetic)

    def steering_summary(self) -> Table:
        columns, on = STEERING_COLUMNS, self.on
        synthetic = any(n.synthetic for n in self.data.networks)

        def rows():
            summary = steering_summary_on(self.session, on)
            if summary.size is not None:
                yield ("size", summary.groups, summary.size.mean, summary.size.min,
                       summary.size.max, summary.social_and_health, on, synthetic)
            for name, r in summary.seats.items():
                yield (f"seats:{name}", summary.groups, r.mean, r.min, r.max,
                       summary.social_and_health, on, synthetic)

        return Table("steering-summary",
                     Text("Johtoryhmien yhteenveto", "Sammanfattning av ledningsgrupperna",
                          "Steering-group summary"),
                     Text("Johtoryhmien koko ja paikat organisaatiotyypeittäin.",
                          "Ledningsgruppernas storlek och platser per organisationstyp.",
                          "Steering-group size and seats by organisation type."),
                     columns, rows, synthetic)

    def areas(self, level: str | None = None) -> Table:
        columns = AREA_COLUMNS

        def rows():
            models = {"county": WellbeingCounty, "employment_area": EmploymentArea,
                      "municipality": Municipality}
            for name, model in models.items():
                if level is not None and name != level:
                    continue
                key = model.code if hasattr(model, "code") else model.id
                for unit in self.session.scalars(select(model).order_by(key)):
                    code = getattr(unit, "code", None) or unit.id
                    yield (name, code, unit.name_fi, unit.name_sv,
                           getattr(unit, "name_en", None), unit.valid_from, unit.valid_to)

        return Table("areas", Text("Alueet", "Områden", "Areas"),
                     Text("Hyvinvointialueet, työllisyysalueet ja kunnat voimassaoloineen.",
                          "Välfärdsområden, sysselsättningsområden och kommuner med "
                          "giltighet.", "Wellbeing counties, employment areas and "
                          "municipalities with their validity."), columns, rows)

    # --- the comparison of networks ---------------------------------------------------------

    def comparison(self, indicator_ids: list[str], period: str, *, county: str | None = None,
                   config_type: str | None = None, peer: str | None = None) -> Table:
        indicators = [get_indicator(i) for i in indicator_ids]
        first = parse_period(period)
        on = min(period_end(first, "month"), self.data.today)
        columns = [Column("network", "string"), Column("name_fi", "string"),
                   Column("name_sv", "string"), Column("county_code", "string"),
                   Column("configuration_type", "string"), Column("peer_group", "string")]
        for i in indicators:
            columns += [Column(i.id, "number", i.name.en),
                        Column(f"{i.id}:status", "string", "Why blank", STATUS.enum)]
        columns += [Column("period", "string"), SYNTHETIC, UNSUPPRESSED]
        synthetic = any(self.data.synthetic_sources(i) for i in indicators)

        def rows():
            types = {c: k.type.value for c, k in classify_counties(self.session, on).items()}
            units = self.data.coverage(first).network_ids
            peers = self.peers("network", period_label(first, "month"), units)
            cells = {}
            for i in indicators:
                label = (period_label(first, "year") if i.frequency == "year"
                         else period_label(first, "month"))
                cells[i.id] = {v.unit: v for v in self.data.values(i, level="network",
                                                                  period=label)}
            for unit in units:
                info = self.name("network", unit)
                kind = types.get(info.county or "")
                group = peers.get(unit)
                if (county and info.county != county) or (config_type and kind != config_type) \
                        or (peer and group != peer):
                    continue
                row = [unit, info.name_fi, info.name_sv, info.county, kind, group]
                flagged = False
                for i in indicators:
                    v = cells[i.id].get(unit)
                    row += [v.value if v else None,
                            (v.status if v else Reason.not_applicable.value)]
                    flagged = flagged or bool(v and v.unsuppressed)
                row += [period, synthetic, flagged]
                yield tuple(row)

        return Table("comparison", Text("Verkostojen vertailu", "Jämförelse av nätverken",
                                        "Comparison of networks"),
                     Text("Verkostot ja valitut indikaattorit.", "Nätverken och valda "
                          "indikatorer.", "Networks and the chosen indicators."),
                     tuple(columns), rows, synthetic)


def _first(period: str) -> dt.date:
    first = parse_period(period)
    return dt.date(first.year, 12, 1) if len(period) == 4 else first


__all__ = ["NATION", "OpenData", "Table"]
