"""Configuration types 1-5 and incomplete, on hand-made registries over the real 2025
geography (including cross-county employment areas and an area split in two)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.registry.networks.configuration import (
    ConfigType,
    NetworkCover,
    classify,
    classify_counties,
    distribution,
)
from portal.registry.networks.coverage import Geography, network_municipalities
from tests.registry_factories import add_network

ON = dt.date(2025, 6, 1)


def _classify(session, county: str) -> tuple[ConfigType, str]:
    result = classify_counties(session, ON)[county]
    return result.type, result.reason


def test_pure_classifier_on_tiny_sets():
    w = frozenset({"a", "b", "c", "d"})
    areas = {"A1": frozenset({"a", "b"}), "A2": frozenset({"c", "d"})}
    per_area = {"n1": NetworkCover(frozenset({"A1"}), frozenset({"a", "b"})),
                "n2": NetworkCover(frozenset({"A2"}), frozenset({"c", "d"}))}
    assert classify("W", w, areas, per_area).type == ConfigType.type2
    one = {"n": NetworkCover(frozenset({"A1", "A2"}), w)}
    assert classify("W", w, areas, one).type == ConfigType.type3
    assert classify("W", w, areas, {}).reason == "no_networks"
    three = {"A1": frozenset("a"), "A2": frozenset("b"), "A3": frozenset({"c", "d"})}
    combined = {"n1": NetworkCover(frozenset({"A1", "A2"}), frozenset({"a", "b"})),
                "n2": NetworkCover(frozenset({"A3"}), frozenset({"c", "d"}))}
    assert classify("W", w, three, combined).type == ConfigType.type4


def test_type1_county_and_area_coincide(session):
    add_network(session, "ek", "11", ["etela-karjala"])
    assert _classify(session, "11") == (ConfigType.type1, "")


def test_type5_kainuu_area_crosses_the_county_border(session):
    network = add_network(session, "kainuu", "20", ["kainuu-koillismaa"])
    assert _classify(session, "20") == (ConfigType.type5, "")
    # the network covers only the part of the area inside Kainuu: not Kuusamo (305, county 19)
    members = network_municipalities(session, network)
    assert "205" in members and "305" not in members


def test_type2_one_network_per_area_with_cross_county_area(session):
    # Itä-Uusimaa (01): Porvoon seutu + the Sipoo part of Kerava-Sipoo
    add_network(session, "porvoo", "01", ["porvoon-seutu"])
    sipoo = add_network(session, "sipoo", "01", ["kerava-sipoo"])
    assert _classify(session, "01") == (ConfigType.type2, "")
    assert network_municipalities(session, sipoo) == {"753"}  # Sipoo only, Kerava is in 04


def test_type3_one_network_for_several_areas(session):
    add_network(session, "satakunta", "06", ["etela-satakunta", "satakunta"])
    assert _classify(session, "06") == (ConfigType.type3, "")


def test_type4_combined_networks(session):
    add_network(session, "lansi-uusimaa-a", "03",
                ["espoo-kauniainen", "kirkkonummi-vihti-siuntio"])
    add_network(session, "lansi-uusimaa-b", "03", ["hanko-inkoo-raasepori", "lohja-karkkila"])
    assert _classify(session, "03") == (ConfigType.type4, "")


def test_suupohja_each_county_covers_its_own_part(session):
    # Etelä-Pohjanmaa (16): three areas, one network each → type 2
    for area in ("kymppi", "suupohja", "tyolakeus"):
        add_network(session, f"ep-{area}", "16", [area])
    assert _classify(session, "16") == (ConfigType.type2, "")
    geography = Geography(session, ON)
    suupohja_16 = geography.area_members["suupohja"] & geography.county_members["16"]
    suupohja_17 = geography.area_members["suupohja"] & geography.county_members["17"]
    assert suupohja_16 and suupohja_17 and not suupohja_16 & suupohja_17


def test_area_split_between_two_networks_is_incomplete(session):
    # Kymenlaakso (10): Kouvola whole; Etelä-Kymenlaakso split in two by exceptions
    add_network(session, "kouvola", "10", ["kouvola"])
    add_network(session, "kotka", "10", ["etela-kymenlaakso"], exclude=("075", "935"))
    add_network(session, "hamina", "10", ["etela-kymenlaakso"],
                exclude=("285", "489", "624"))
    assert _classify(session, "10") == (ConfigType.incomplete, "area_split")


def test_uncovered_municipality_is_incomplete(session):
    add_network(session, "ek", "11", ["etela-karjala"], exclude=("153",))
    assert _classify(session, "11") == (ConfigType.incomplete, "municipality_uncovered")


def test_county_without_networks_is_incomplete_and_aland_is_out_of_scope(session):
    result = classify_counties(session, ON)
    assert "91" not in result
    assert len(result) == 22
    assert result["13"].type == ConfigType.incomplete and result["13"].reason == "no_networks"


def test_distribution_counts_every_type(session):
    add_network(session, "ek", "11", ["etela-karjala"])
    counts = distribution(classify_counties(session, ON))
    assert counts[ConfigType.type1] >= 1
    assert sum(counts.values()) == 22
    assert set(counts) == set(ConfigType)


@pytest.mark.parametrize("on, expected", [(dt.date(2024, 12, 31), 0), (ON, 1)])
def test_networks_count_only_while_valid(session, on, expected):
    add_network(session, "ek", "11", ["etela-karjala"])
    assert classify_counties(session, on)["11"].networks == expected
