"""The indicator catalogue and its computation on the demo registry: every required
indicator exists in fi/sv/en at the levels it promises, values follow from the stored
counts and statistics, small counts and the rates built on them are blank for the public
(with a reason) and shown, marked, to monitors; peer groups, medians and the docs."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest
from sqlalchemy import select

from portal.registry.clients.models import COUNT_FIELDS, ClientVolume
from portal.registry.demo_statistics import (
    SYNTHETIC_SOURCE,
    TYONV,
    statistic_frames,
    volume_rows,
)
from portal.registry.indicators.catalogue import (
    BY_ID,
    CATALOGUE,
    INPUTS,
    LEVELS,
    SOURCES,
    describe,
    get_indicator,
)
from portal.registry.indicators.compute import IndicatorData, quantile, summarise
from portal.registry.indicators.peers import band, peer_groups
from portal.registry.statistics.models import StatisticDataset, StatisticValue
from tests.conftest import ROOT
from tests.indicator_support import *  # noqa: F403 - fixtures

MONTH = "2026-10"
REQUIRED = {
    "clients-per-1000-long-term-unemployed", "new-clients-per-10000-working-age",
    "exits-to-work-or-education-per-100-ended", "clients-per-staff-fte",
    "steering-group-size", "steering-share-employment-authority",
    "steering-share-county-social", "steering-share-county-health", "steering-share-kela",
    "steering-share-other", "health-share-of-county-staff", "agreement-completeness",
    "unemployment-rate", "long-term-unemployment-share",
}


# --- the catalogue ------------------------------------------------------------------------------

def test_the_required_indicators_are_in_the_catalogue():
    assert REQUIRED <= set(BY_ID)
    assert len(BY_ID) == len(CATALOGUE)


@pytest.mark.parametrize("indicator", CATALOGUE, ids=lambda i: i.id)
def test_every_indicator_is_described_in_three_languages(indicator):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", indicator.id)
    for text in (indicator.name, indicator.definition, indicator.unit, indicator.numerator,
                 indicator.suppression, indicator.update):
        assert text.fi and text.sv and text.en
    assert set(indicator.levels) == set(LEVELS)
    assert indicator.sources and set(indicator.sources) <= set(SOURCES)
    assert set(indicator.inputs) <= set(INPUTS)
    entry = describe(indicator)
    assert entry["levels"]["network"]["available"] or indicator.kind == "statistics"


def test_the_documentation_names_every_indicator_and_configured_measure():
    text = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    for indicator in CATALOGUE:
        assert f"`{indicator.id}`" in text, indicator.id
    for candidates in INPUTS.values():
        for c in candidates:
            assert c.dataset_id in text and c.measure in text


# --- the demo content ---------------------------------------------------------------------------

def test_the_demo_statistics_are_synthetic_and_deterministic(demo_session):
    datasets = demo_session.scalars(select(StatisticDataset)).all()
    assert {d.source for d in datasets} == {SYNTHETIC_SOURCE}
    assert all("SYNTHETIC" in d.title for d in datasets)
    first, second = statistic_frames(demo_session), statistic_frames(demo_session)
    assert all(first[k].equals(second[k]) for k in first)
    months = sorted({p for p in first[TYONV]["period"]})
    assert months[0] == dt.date(2024, 1, 1) and months[-1] == dt.date(2026, 10, 1)
    stored = demo_session.scalar(select(StatisticValue.value).where(
        StatisticValue.dataset_id == TYONV, StatisticValue.unit_code == "091",
        StatisticValue.measure == "TYOTTOMATLOPUSSA",
        StatisticValue.period == dt.date(2026, 10, 1)))
    assert stored > 1000


def test_the_demo_client_volumes_have_small_counts_and_gaps(demo_session):
    rows = volume_rows(demo_session)
    assert rows == volume_rows(demo_session)  # deterministic
    months = {r.month for r in rows}
    assert min(months) == dt.date(2025, 1, 1) and max(months) == dt.date(2026, 10, 1)
    assert any(v < 5 for r in rows for v in r.counts.values())
    stored = demo_session.scalars(select(ClientVolume)).all()
    assert len(stored) == len(rows) and all("synthetic" in v.source for v in stored)
    per_network = defaultdict(int)
    for v in stored:
        per_network[v.network_id] += 1
    assert min(per_network.values()) < max(per_network.values())  # some have not reported


# --- computing ----------------------------------------------------------------------------------

@pytest.fixture
def data(demo_session):
    return IndicatorData(demo_session, threshold=5, today=dt.date(2026, 11, 22))


@pytest.fixture
def monitor_data(demo_session):
    return IndicatorData(demo_session, threshold=5, monitor=True, today=dt.date(2026, 11, 22))


def _counts(session, month: dt.date) -> dict[str, dict[str, int]]:
    return {v.network_id: {f: getattr(v, f) for f in COUNT_FIELDS}
            for v in session.scalars(select(ClientVolume).where(ClientVolume.month == month))}


def test_client_counts_add_up_from_networks_to_counties_and_the_nation(data, monitor_data,
                                                                        demo_session):
    counts = _counts(demo_session, dt.date(2026, 10, 1))
    indicator = get_indicator("active-clients")
    networks = {v.unit: v for v in monitor_data.values(indicator, level="network",
                                                        period=MONTH)}
    for network_id, v in networks.items():
        if network_id in counts:
            assert v.value == counts[network_id]["active_end"]
        else:
            assert v.value is None and v.status == "not_reported"
    nation = monitor_data.values(indicator, level="nation", period=MONTH)[0]
    assert nation.value == sum(c["active_end"] for c in counts.values())
    assert nation.members_reporting == len(counts) < nation.members
    public = {v.unit: v for v in data.values(indicator, level="network", period=MONTH)}
    for network_id, v in public.items():
        if v.value is not None:
            assert v.value == counts[network_id]["active_end"] >= 5


def test_small_counts_are_suppressed_for_the_public_and_marked_for_monitors(data,
                                                                             monitor_data,
                                                                             demo_session):
    month = dt.date(2026, 10, 1)
    counts = _counts(demo_session, month)
    table = data.count_table(month)
    hidden = table.suppression.hidden
    small = {("network", n, f) for n, c in counts.items() for f, v in c.items() if v < 5}
    assert small and small <= hidden
    assert table.suppression.secondary  # some cells hidden only to protect others
    exits = get_indicator("exits-to-work-or-education-per-100-ended")
    for v in data.values(exits, level="network", period=MONTH):
        c = counts.get(v.unit)
        if c and (c["ended_employment"] < 5 or c["ended_education"] < 5):
            assert v.value is None and v.status == "suppressed" and v.denominator is None
    shown = [v for v in monitor_data.values(exits, level="network", period=MONTH)
             if v.unsuppressed]
    assert shown and all(v.value is not None for v in shown)
    assert not any(v.unsuppressed for v in data.values(exits, period=MONTH))


def test_every_blank_value_says_why(data):
    reasons = {"suppressed", "not_reported", "not_applicable", "not_released"}
    for indicator in CATALOGUE:
        for v in data.values(indicator, period=data.periods(indicator)[-1]):
            assert (v.value is None) == (v.status is not None)
            assert v.status is None or v.status in reasons


def test_employment_areas_get_network_counts_only_where_networks_tile_them(monitor_data):
    indicator = get_indicator("active-clients")
    areas = {v.unit: v for v in monitor_data.values(indicator, level="employment_area",
                                                     period=MONTH)}
    networks = {v.unit: v.value for v in monitor_data.values(indicator, level="network",
                                                              period=MONTH)}
    # Satakunta's network covers two areas: its counts cannot be split between them
    assert areas["satakunta"].status == "not_applicable"
    assert areas["etela-satakunta"].status == "not_applicable"
    # Kerava-Sipoo crosses a county border and is tiled by two networks
    if networks.get("kerava") is not None and networks.get("sipoo") is not None:
        assert areas["kerava-sipoo"].value == networks["kerava"] + networks["sipoo"]
    assert areas["turku"].value == networks["turku"]


def test_rates_follow_from_their_numerator_and_denominator(data, demo_session):
    indicator = get_indicator("unemployment-rate")
    nation = data.values(indicator, level="nation", period=MONTH)[0]
    frame = statistic_frames(demo_session)[TYONV]
    month = frame[frame["period"] == dt.date(2026, 10, 1)]
    unemployed = month[month["measure"] == "TYOTTOMATLOPUSSA"]["value"].sum()
    labour = month[month["measure"] == "TYOVOIMATK"]["value"].sum()
    assert nation.value == pytest.approx(100 * unemployed / labour)
    reach = get_indicator("clients-per-1000-long-term-unemployed")
    for v in data.values(reach, level="county", period=MONTH):
        if v.value is not None:
            assert v.value == pytest.approx(1000 * v.numerator / v.denominator)


def test_registry_indicators_pool_their_networks(data):
    size = get_indicator("steering-group-size")
    networks = [v for v in data.values(size, level="network", period="2026-06")]
    nation = data.values(size, level="nation", period="2026-06")[0]
    assert nation.value == pytest.approx(sum(v.value for v in networks) / len(networks))
    assert 3 <= min(v.value for v in networks) and max(v.value for v in networks) <= 19
    health = get_indicator("health-share-of-county-staff")
    assert data.periods(health) == ["2025", "2026"]
    for v in data.values(health, level="network", period="2026"):
        assert 11 <= v.value <= 35


def test_statistics_indicators_exist_before_networks_do(data):
    rate = get_indicator("unemployment-rate")
    periods = data.periods(rate)
    assert periods[0] == "2024-01"
    early = data.values(rate, period="2024-06")
    assert {v.level for v in early} == {"county", "nation"}  # no networks or areas yet


def test_peer_groups_and_medians(data):
    assert [band(x) for x in (5_000, 20_000, 60_000, 250_000)] == [
        "lf-under-20k", "lf-20k-50k", "lf-50k-100k", "lf-100k-plus"]
    assert band(None) is None
    units = [v.unit for v in data.values(get_indicator("active-clients"), level="network",
                                         period=MONTH)]
    groups = peer_groups(data, "network", MONTH, units)
    assert set(groups) == set(units) and len(set(groups.values())) >= 3
    assert quantile([1, 2, 3, 4], 0.5) == 2.5 and quantile([], 0.5) is None
    s = summarise([4, 1, 3, 2, None])
    assert (s.count, s.median, s.q1, s.q3, s.minimum, s.maximum) == (4, 2.5, 1.75, 3.25, 1, 4)
    summary = data.summary(get_indicator("clients-per-1000-long-term-unemployed"), "network",
                           MONTH, groups)
    assert summary.q1 <= summary.median <= summary.q3 and summary.peers
