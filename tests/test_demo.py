"""``tym demo``: the synthetic registry reproduces the THL study's national figures,
is deterministic, round-trips through the bundle format, and never mixes with real
data silently."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import select

from portal.registry.agreements.models import Agreement
from portal.registry.bundle.export import dump, export_registry
from portal.registry.demo import DEMO_SOURCE, build_demo
from portal.registry.networks.configuration import ConfigType, classify_counties, distribution
from portal.registry.networks.continuity import Continuity
from portal.registry.networks.models import Network, OrgType, TypNetwork
from portal.registry.networks.services import (
    continuity_on,
    current,
    health_share,
    networks_on,
    staff_of,
)
from portal.registry.networks.steering import seat_counts, summarise
from portal.registry.staff.models import StaffResource
from tests.conftest import ROOT
from tests.test_registry_bundle import make_bundle

ON = dt.date(2026, 6, 1)


@pytest.fixture
def demo(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    return result


def test_demo_loads_through_the_bundle_loader(demo, session):
    assert "networks: 42 inserted" in demo.output
    assert "(synthetic demonstration data)" in demo.output
    networks = session.scalars(select(Network)).all()
    typ = session.scalars(select(TypNetwork)).all()
    assert len(networks) == 42 and 31 <= len(typ) <= 33
    assert all(n.synthetic and n.source == DEMO_SOURCE for n in networks)
    assert all(p.synthetic and p.source == DEMO_SOURCE for p in typ)
    assert {a.source for a in session.scalars(select(Agreement))} == {DEMO_SOURCE}
    assert {s.source for s in session.scalars(select(StaffResource))} == {DEMO_SOURCE}


def test_demo_reproduces_the_configuration_distribution(demo, session):
    classifications = classify_counties(session, ON)
    counts = distribution(classifications)
    assert {k.value: v for k, v in counts.items()} == {
        "1": 5, "2": 10, "3": 4, "4": 2, "5": 1, "incomplete": 0}
    by_type = {}
    for code, c in classifications.items():
        by_type.setdefault(c.type.value, []).append(code)
    assert by_type["1"] == ["02", "11", "14", "18", "90"]
    assert by_type["5"] == ["20"]
    assert by_type["3"] == ["06", "07", "10", "12"]
    assert by_type["4"] == ["03", "21"]
    assert classifications["20"].type == ConfigType.type5


def test_demo_continuity_has_about_nine_that_continue_and_every_class(demo, session):
    kinds = Counter(r.kind for r in continuity_on(session, ON).values())
    assert 8 <= kinds[Continuity.continues] <= 10
    assert all(kinds[k] >= 1 for k in Continuity), kinds


def test_demo_steering_groups_match_the_study(demo, session):
    groups = [current(n.steering_groups, ON) for n in networks_on(session, ON)]
    summary = summarise(seat_counts(g) for g in groups if g is not None)
    assert summary.groups == 42
    assert summary.size.min >= 3 and summary.size.max <= 19
    assert 7 <= summary.size.mean <= 9
    ea = summary.seats[OrgType.employment_authority.value]
    assert (ea.min, ea.max) == (1, 17) and 4.5 <= ea.mean <= 5.5
    county = summary.seats["county"]
    assert county.min >= 1 and county.max <= 4
    kela = summary.seats[OrgType.kela.value]
    assert (kela.min, kela.max) == (1, 2)
    assert 0.6 <= summary.social_and_health / summary.groups <= 0.8  # study: 17 of 24
    for g in groups:
        assert g.chair == OrgType.employment_authority
        assert g.vice_chair in (OrgType.county_social, OrgType.county_health)


def test_demo_agreements_staff_and_maturity_look_like_the_study(demo, session):
    agreements = session.scalars(select(Agreement)).all()
    assert sum(a.objectives_specific is True for a in agreements) == 5
    assert sum(a.target_group_defined is True for a in agreements) == 1
    assert Counter(a.information_system for a in agreements).most_common(1)[0][0] == "Typpi"
    shares = []
    for network in networks_on(session, ON):
        rows = staff_of(session, network.id)
        assert {r.year for r in rows} == {2025, 2026}
        shares += [health_share([r for r in rows if r.year == y]) for y in (2025, 2026)]
    assert 0.11 <= min(shares) < 0.15 and 0.30 < max(shares) <= 0.35
    levels = {m.level for n in networks_on(session, ON) for m in n.maturity}
    assert levels == {2, 3, 4, 5}


def test_pertunmaa_is_in_the_typ_network_with_mantyharju(demo, session):
    mikkeli = session.get(TypNetwork, "mikkelin-seutu")
    codes = {m.municipality_code for m in mikkeli.municipalities}
    assert {"507", "588"} <= codes


def test_demo_round_trips_byte_for_byte(demo, cli, tmp_path, session):
    first = tmp_path / "demo.json"
    assert cli("export", "registry", str(first)).exit_code == 0
    result = cli("load", "registry", str(first))
    assert result.exit_code == 0, result.output
    assert "networks: 0 inserted, 0 updated, 42 unchanged, 0 removed" in result.output
    second = cli("export", "registry", "-")
    assert second.output == first.read_text(encoding="utf-8")
    assert first.read_text(encoding="utf-8") == dump(build_demo(session))


def test_demo_is_deterministic(session):
    assert dump(build_demo(session)) == dump(build_demo(session))


def test_demo_does_not_depend_on_hash_order(session, database_url, engine):
    """Two fresh interpreters with different hash seeds build the same bytes as this one."""
    script = ("import hashlib, sys\n"
              "from portal.db import Database\n"
              "from portal.registry.demo import build_demo\n"
              "from portal.registry.bundle.export import dump\n"
              "with Database.from_url(sys.argv[1]).transaction() as s:\n"
              "    print(hashlib.sha256(dump(build_demo(s)).encode()).hexdigest())\n")
    expected = hashlib.sha256(dump(build_demo(session)).encode()).hexdigest()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", script, database_url], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True, timeout=120)
        assert out.stdout.strip() == expected


def test_demo_refuses_to_overwrite_real_data_without_replace(cli, session, tmp_path):
    path = tmp_path / "real.json"
    path.write_text(dump(make_bundle()), encoding="utf-8")
    assert cli("load", "registry", str(path)).exit_code == 0
    before = dump(export_registry(session))
    refused = cli("demo")
    assert refused.exit_code != 0
    assert "the registry now holds real data (2 networks, 1 TYP networks)" in refused.output
    assert dump(export_registry(session)) == before
    replaced = cli("demo", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "networks: 40 inserted, 2 updated, 0 unchanged, 0 removed" in replaced.output
    assert export_registry(session)["synthetic"] is True


def test_demo_twice_changes_nothing(demo, cli):
    again = cli("demo")
    assert again.exit_code == 0
    assert "networks: 0 inserted, 0 updated, 42 unchanged, 0 removed" in again.output
