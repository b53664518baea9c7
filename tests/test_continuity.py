"""TYP → TYM continuity classes, each on a small hand-made case."""

from __future__ import annotations

import datetime as dt

from portal.registry.networks.continuity import (
    Continuity,
    apply_mergers,
    classify_continuity,
)
from portal.registry.networks.models import TypMunicipality, TypNetwork
from portal.registry.networks.services import continuity_on
from tests.registry_factories import add_network

S = frozenset


def kinds(tym, typ):
    return {k: v.kind for k, v in classify_continuity(tym, typ).items()}


def test_continues_when_the_sets_are_identical():
    assert kinds({"t": S("abc")}, {"p": S("abc")}) == {"t": Continuity.continues}


def test_split_when_a_typ_network_went_to_two_tym_networks():
    result = kinds({"t1": S("ab"), "t2": S("cd")}, {"p": S("abcd")})
    assert result == {"t1": Continuity.split, "t2": Continuity.split}


def test_merged_when_two_typ_networks_form_one():
    assert kinds({"t": S("abcd")}, {"p1": S("ab"), "p2": S("cd")}) == {"t": Continuity.merged}


def test_new_when_no_typ_network_supplies_a_quarter():
    result = classify_continuity({"t": S("abcdefghi")}, {"p": S("az")})
    assert result["t"].kind == Continuity.new
    assert result["t"].predecessors == ()


def test_moved_when_single_municipalities_changed_network():
    # t took p1 minus "d", plus "e" from p2; p2 otherwise continues as t2
    result = kinds({"t": S("abce"), "t2": S("dfgh")}, {"p1": S("abcd"), "p2": S("efgh")})
    assert result["t"] == Continuity.moved
    assert result["t2"] == Continuity.moved


def test_thresholds_are_documented_shares():
    result = classify_continuity({"t": S("abcd")}, {"p": S("abcdefgh")})["t"]
    (pred,) = result.predecessors
    assert (pred.shared, pred.share_of_tym, pred.share_of_typ) == (4, 1.0, 0.5)


def test_mergers_map_old_codes_forward():
    assert apply_mergers(S({"588", "491"}), {"588": "507"}) == {"507", "491"}
    assert apply_mergers(S({"a"}), {"a": "b", "b": "c"}) == {"c"}


def test_pertunmaa_in_a_typ_network_counts_as_mantyharju(session):
    """A TYP network of 2024 with 588 Pertunmaa continues as a 2025 TYM network that has
    507 Mäntyharju (into which Pertunmaa merged), not as 'moved'."""
    add_network(session, "ek", "11", ["etela-karjala"])
    add_network(session, "etela-savo", "12", ["mikkelin-seutu", "savonlinna", "keski-savo"])
    from portal.registry.networks.coverage import network_municipalities
    from portal.registry.networks.services import get_network

    members = network_municipalities(session, get_network(session, "etela-savo"))
    old = (members - {"507"}) | {"507", "588"}
    session.add(TypNetwork(id="typ-etela-savo", name="TYP Etelä-Savo",
                           valid_from=dt.date(2015, 1, 1), valid_to=dt.date(2024, 12, 31),
                           municipalities=[TypMunicipality(municipality_code=c) for c in old]))
    session.flush()
    result = continuity_on(session, dt.date(2025, 6, 1))
    assert result["etela-savo"].kind == Continuity.continues
    assert result["ek"].kind == Continuity.new
