"""Steering-group composition is derived from seats; the national summary."""

from __future__ import annotations

import datetime as dt

from portal.registry.networks.models import OrgType
from portal.registry.networks.services import steering_summary_on
from portal.registry.networks.steering import has_social_and_health, summarise
from tests.registry_factories import add_network

EA, SOC, HEA, KELA, OTHER = (OrgType.employment_authority, OrgType.county_social,
                             OrgType.county_health, OrgType.kela, OrgType.other)


def comp(ea=0, soc=0, hea=0, kela=0, other=0):
    return {EA: ea, SOC: soc, HEA: hea, KELA: kela, OTHER: other}


def test_summary_in_the_thl_form():
    summary = summarise([comp(5, 1, 1, 1), comp(1, 1, 0, 1), comp(17, 2, 2, 2, 2)])
    assert summary.groups == 3
    assert (summary.size.min, summary.size.max) == (3, 25)
    assert summary.size.mean == round((8 + 3 + 25) / 3, 1)
    assert summary.seats["employment_authority"].mean == round(23 / 3, 1)
    assert (summary.seats["county"].min, summary.seats["county"].max) == (1, 4)
    assert summary.social_and_health == 2


def test_empty_summary():
    assert summarise([]).groups == 0


def test_social_and_health_requires_both():
    assert has_social_and_health(comp(soc=1, hea=1))
    assert not has_social_and_health(comp(soc=2))


def test_summary_reads_the_groups_in_force(session):
    add_network(session, "ek", "11", ["etela-karjala"], seats={EA: 4, SOC: 1, HEA: 1, KELA: 1})
    add_network(session, "hki", "90", ["helsinki"], seats={EA: 6, SOC: 2, KELA: 1})
    summary = steering_summary_on(session, dt.date(2025, 6, 1))
    assert summary.groups == 2
    assert (summary.size.min, summary.size.max) == (7, 9)
    assert summary.social_and_health == 1
    assert steering_summary_on(session, dt.date(2024, 6, 1)).groups == 0
