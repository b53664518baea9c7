"""The registry bundle (docs/registry-format.md): load, export, round trip, every kind of
bad input named by record and field with nothing written, and no silent mixing of real
and synthetic data. Everything goes through the ``tym`` command."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import select

from portal.registry.agreements.models import Agreement
from portal.registry.bundle.export import dump, export_registry
from portal.registry.bundle.load import BundleInvalid, load_registry, registry_counts
from portal.registry.bundle.schema import FORMAT
from portal.registry.networks.models import Network, SteeringGroup, TypNetwork
from portal.registry.staff.models import StaffResource

# --- a small hand-made bundle -----------------------------------------------------------


def leader(**fields) -> dict:
    return {"title": "TYM-koordinaattori", "organisation": "Työllisyysalue Kouvola",
            "name": None, "public_contact": None, "valid_from": "2025-01-01",
            "valid_to": None, **fields}


def group(**fields) -> dict:
    return {"valid_from": "2025-01-01", "valid_to": None, "chair": "employment_authority",
            "vice_chair": "county_social",
            "seats": {"employment_authority": 4, "county_social": 1, "county_health": 1,
                      "kela": 1},
            "member_names": {}, **fields}


def agreement(**fields) -> dict:
    return {"parties": ["Työllisyysalue Kouvola", "Kymenlaakson hyvinvointialue", "Kela"],
            "signed_on": "2024-12-12", "valid_from": "2025-01-01", "valid_to": None,
            "document_url": "https://example.org/sopimus.pdf",
            "sections": {"1": "general", "5": "specific", "12": "absent"},
            "objectives_specific": True, "target_group_defined": False,
            "shared_service_points": None,
            "services": {"employment": True, "social": True, "health": False,
                         "kela_rehabilitation": True, "benefit_advice": False},
            "cost_sharing": "each_bears_own", "information_system": "Typpi", **fields}


def staff(**fields) -> dict:
    return {"year": 2025, "organisation": "county", "profession": "sosiaaliohjaaja",
            "sector": "social", "fte": 1.5, **fields}


def maturity(**fields) -> dict:
    return {"year": 2025, "level": 3, "assessed_on": "2025-11-30", "notes": "", **fields}


def network(network_id: str, county: str, areas: list[str], **fields) -> dict:
    return {"id": network_id, "name_fi": f"TYM-verkosto {network_id}",
            "name_sv": f"TYM-nätverket {network_id}", "county": county, "status": "confirmed",
            "valid_from": "2025-01-01", "valid_to": None, "last_confirmed_on": "2025-06-01",
            "employment_areas": areas, "municipality_exceptions": [], "leaders": [leader()],
            "steering_groups": [group()], "agreements": [agreement()],
            "staff": [staff(), staff(profession="terveydenhoitaja", sector="health", fte=0.5)],
            "maturity": [maturity()], **fields}


def typ(typ_id: str, municipalities: list[str], **fields) -> dict:
    return {"id": typ_id, "name": f"TYP {typ_id}", "valid_from": "2015-01-01",
            "valid_to": "2024-12-31", "municipalities": municipalities, **fields}


def make_bundle(*, synthetic: bool = False) -> dict:
    """Two counties fully covered: Kymenlaakso (one network for its two areas) and
    Etelä-Savo (one network for its three), and one TYP network."""
    return {
        "format": FORMAT, "synthetic": synthetic, "source": "hand-made test bundle",
        "networks": [
            network("kymenlaakso", "10", ["etela-kymenlaakso", "kouvola"]),
            network("etela-savo", "12", ["keski-savo", "mikkelin-seutu", "savonlinna"]),
        ],
        "typ_networks": [typ("mikkelin-seutu", ["097", "178", "213", "491", "507", "588",
                                                 "623"])],
    }


@pytest.fixture
def write(tmp_path):
    def write_bundle(document, name="bundle.json") -> str:
        path = tmp_path / name
        text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return str(path)
    return write_bundle


@pytest.fixture
def loaded(cli, write, session):
    """The registry holding ``make_bundle()``; returns its export."""
    result = cli("load", "registry", write(make_bundle()))
    assert result.exit_code == 0, result.output
    return dump(export_registry(session))


# --- loading and exporting --------------------------------------------------------------

def test_load_then_export_gives_the_bundle_in_canonical_form(loaded, session):
    document = json.loads(loaded)
    assert [n["id"] for n in document["networks"]] == ["etela-savo", "kymenlaakso"]
    kymenlaakso = document["networks"][1]
    assert kymenlaakso["employment_areas"] == ["etela-kymenlaakso", "kouvola"]
    assert kymenlaakso["steering_groups"][0]["seats"] == {
        "employment_authority": 4, "county_social": 1, "county_health": 1, "kela": 1}
    assert kymenlaakso["agreements"][0]["sections"] == {"1": "general", "5": "specific",
                                                        "12": "absent"}
    assert [s["profession"] for s in kymenlaakso["staff"]] == ["sosiaaliohjaaja",
                                                               "terveydenhoitaja"]
    assert document["typ_networks"][0]["municipalities"][-2:] == ["588", "623"]
    assert document["synthetic"] is False and document["source"] == "hand-made test bundle"
    network = session.get(Network, "kymenlaakso")
    assert network.source == "hand-made test bundle" and network.synthetic is False
    assert {a.source for a in session.scalars(select(Agreement))} == {"hand-made test bundle"}


def test_export_load_export_is_byte_identical_and_a_reload_changes_nothing(
        cli, loaded, tmp_path, session):
    first = tmp_path / "first.json"
    assert cli("export", "registry", str(first)).exit_code == 0
    assert first.read_text(encoding="utf-8") == loaded
    result = cli("load", "registry", str(first))
    assert result.exit_code == 0, result.output
    assert "networks: 0 inserted, 0 updated, 2 unchanged, 0 removed" in result.output
    assert "TYP networks: 0 inserted, 0 updated, 1 unchanged, 0 removed" in result.output
    second = cli("export", "registry", "-")
    assert second.exit_code == 0
    assert second.output == loaded


def test_load_replaces_the_registry_as_a_whole(cli, loaded, write, session):
    changed = make_bundle()
    kymenlaakso = changed["networks"][0]
    # Kymenlaakso now has two networks (type 2); the old one loses an area.
    kymenlaakso["employment_areas"] = ["etela-kymenlaakso"]
    kymenlaakso["steering_groups"] = [group(valid_to="2025-12-31"),
                                      group(valid_from="2026-01-01", seats={
                                          "employment_authority": 6, "county_social": 2,
                                          "kela": 1})]
    kymenlaakso["staff"] = [staff(fte=2.0)]
    changed["networks"].append(network("kouvola", "10", ["kouvola"]))
    del changed["networks"][1]  # Etelä-Savo goes
    changed["typ_networks"] = [typ("kotka-hamina", ["075", "285"])]
    result = cli("load", "registry", write(changed))
    assert result.exit_code == 0, result.output
    assert "networks: 1 inserted, 1 updated, 0 unchanged, 1 removed" in result.output
    assert "TYP networks: 1 inserted, 0 updated, 0 unchanged, 1 removed" in result.output
    assert session.get(Network, "etela-savo") is None
    assert session.get(TypNetwork, "mikkelin-seutu") is None
    exported = export_registry(session)
    assert [n["id"] for n in exported["networks"]] == ["kouvola", "kymenlaakso"]
    assert exported["networks"][1]["staff"] == [staff(fte=2.0)]
    assert len(exported["networks"][1]["steering_groups"]) == 2
    assert registry_counts(session)["staff rows"] == 3  # 1 + kouvola's 2
    assert not session.scalars(select(StaffResource)
                               .where(StaffResource.network_id == "etela-savo")).all()


def test_load_keeps_the_rows_of_networks_that_stay(cli, loaded, write, session):
    before = session.get(Network, "kymenlaakso")
    version = before.version
    changed = make_bundle()
    changed["networks"][1]["name_fi"] = "TYM-verkosto Etelä-Savo"
    assert cli("load", "registry", write(changed)).exit_code == 0
    session.expire_all()
    assert session.get(Network, "kymenlaakso").version == version  # untouched
    assert session.get(Network, "etela-savo").name_fi == "TYM-verkosto Etelä-Savo"


def test_load_function_writes_nothing_and_raises_on_problems(session, loaded):
    bad = make_bundle()
    bad["networks"][0]["status"] = "final"
    with pytest.raises(BundleInvalid) as info:
        load_registry(session, bad)
    assert info.value.problems == [
        'networks[0] (kymenlaakso).status: must be one of draft, confirmed, verified '
        '(not "final")']
    assert dump(export_registry(session)) == loaded


def test_export_to_a_file_says_what_it_wrote(cli, loaded, tmp_path):
    result = cli("export", "registry", str(tmp_path / "out.json"))
    assert result.exit_code == 0
    assert "wrote 2 networks and 1 TYP networks" in result.output
    unwritable = cli("export", "registry", str(tmp_path / "no" / "such" / "dir.json"))
    assert unwritable.exit_code != 0
    assert "cannot write" in unwritable.output and "No such file or directory" in unwritable.output


# --- bad input: each problem named by record and field, nothing written -----------------

def _set(path: str, value):
    """A mutation that sets ``value`` at a dotted path (list indexes as numbers)."""
    def mutate(document):
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is _DELETE:
            del target[last]
        else:
            target[last] = value
    return mutate


def _append(path: str, value):
    def mutate(document):
        target = document
        for key in path.split("."):
            target = target[int(key)] if isinstance(target, list) else target[key]
        target.append(value)
    return mutate


_DELETE = object()
K = "networks[0] (kymenlaakso)"
S = "networks[1] (etela-savo)"

BAD_INPUT = [
    ("wrong format", _set("format", "tym-registry/2"),
     'format: must be "tym-registry/1", not "tym-registry/2"'),
    ("missing format", _set("format", _DELETE), 'format: is required (expected "tym-registry/1")'),
    ("unknown county", _set("networks.0.county", "99"),
     f'{K}.county: unknown wellbeing county "99"'),
    ("county outside TYM", _set("networks.0.county", "91"),
     f"{K}.county: county 91 Ahvenanmaa is outside TYM scope"),
    ("unknown area", _set("networks.0.employment_areas", ["etela-kymenlaakso", "kuovola"]),
     f'{K}.employment_areas[1]: unknown employment area "kuovola"'),
    ("area outside the county", _append("networks.0.employment_areas", "helsinki"),
     f"{K}.employment_areas[2]: employment area helsinki has no member municipalities in "
     "county 10 on 2025-01-01"),
    ("no areas", _set("networks.0.employment_areas", []),
     f"{K}.employment_areas: must list at least one employment area"),
    ("overlapping networks", _append("networks", network("kouvola", "10", ["kouvola"])),
     "networks[2] (kouvola).employment_areas: municipality 286 Kouvola is also in network "
     "kymenlaakso (networks[0]) on 2025-01-01"),
    ("municipality in no network", _set("networks.0.employment_areas", ["etela-kymenlaakso"]),
     "county 10 Kymenlaakson hyvinvointialue: municipality 286 Kouvola is in no network on "
     "2025-01-01"),
    ("gap between two periods", lambda d: (  # two new networks, the second starts late
        _set("networks.0.valid_to", "2025-12-31")(d),
        _append("networks", network("kouvola", "10", ["kouvola"], valid_from="2026-01-01"))(d),
        _append("networks", network("kotka-hamina", "10", ["etela-kymenlaakso"],
                                    valid_from="2026-02-01"))(d)),
     "county 10 Kymenlaakson hyvinvointialue: municipality 075 Hamina is in no network on "
     "2026-01-01"),
    ("negative seats", _set("networks.1.steering_groups.0.seats.kela", -1),
     f"{S}.steering_groups[0].seats.kela: must be a whole number >= 0"),
    ("fractional seats", _set("networks.1.steering_groups.0.seats.kela", 1.5),
     f"{S}.steering_groups[0].seats.kela: must be a whole number >= 0"),
    ("seats as text", _set("networks.1.steering_groups.0.seats.kela", "1"),
     f"{S}.steering_groups[0].seats.kela: must be a whole number >= 0"),
    ("unknown seat type", _set("networks.0.steering_groups.0.seats.ministry", 1),
     f"{K}.steering_groups[0].seats.ministry: unknown organisation type (expected one of "
     "employment_authority, county_social, county_health, kela, other)"),
    ("chair not represented", _set("networks.0.steering_groups.0.seats.employment_authority", 0),
     f"{K}.steering_groups[0].chair: employment_authority holds no seats (the chair's "
     "organisation must be represented)"),
    ("vice-chair not represented", _set("networks.0.steering_groups.0.vice_chair", "other"),
     f"{K}.steering_groups[0].vice_chair: other holds no seats (the vice-chair's "
     "organisation must be represented)"),
    ("network dates reversed", _set("networks.0.valid_to", "2024-12-31"),
     f"{K}.valid_to: 2024-12-31 is before valid_from 2025-01-01"),
    ("agreement dates reversed", _set("networks.0.agreements.0.valid_to", "2024-06-30"),
     f"{K}.agreements[0].valid_to: 2024-06-30 is before valid_from 2025-01-01"),
    ("not a date", _set("networks.0.last_confirmed_on", "1.6.2025"),
     f'{K}.last_confirmed_on: must be a date YYYY-MM-DD or null, not "1.6.2025"'),
    ("duplicate network id", _append("networks", network("kymenlaakso", "10", ["kouvola"])),
     'networks[2] (kymenlaakso).id: duplicate id "kymenlaakso" (also networks[0])'),
    ("duplicate TYP id", _append("typ_networks", typ("mikkelin-seutu", ["740"])),
     'typ_networks[1] (mikkelin-seutu).id: duplicate id "mikkelin-seutu" (also typ_networks[0])'),
    ("bad slug", _set("networks.0.id", "Kymenlaakso 1"),
     'networks[0] (Kymenlaakso 1).id: must be a slug of lower-case letters a-z, digits 0-9 '
     'and "-"'),
    ("bad status", _set("networks.0.status", "final"),
     f'{K}.status: must be one of draft, confirmed, verified (not "final")'),
    ("bad sector", _set("networks.0.staff.0.sector", "education"),
     f'{K}.staff[0].sector: must be one of employment, social, health, benefits, other '
     '(not "education")'),
    ("bad section coding", _set("networks.0.agreements.0.sections.5", "vague"),
     f'{K}.agreements[0].sections.5: must be one of absent, general, specific (not "vague")'),
    ("unknown section", _set("networks.0.agreements.0.sections.13", "general"),
     f'{K}.agreements[0].sections.13: unknown section (expected "1" to "12")'),
    ("bad cost sharing", _set("networks.0.agreements.0.cost_sharing", "state"),
     f"{K}.agreements[0].cost_sharing: must be one of not_stated, each_bears_own, "
     'shared_by_formula, host_pays, other (not "state")'),
    ("bad exception kind", _set("networks.0.municipality_exceptions",
                                [{"municipality": "286", "kind": "drop"}]),
     f'{K}.municipality_exceptions[0].kind: must be one of include, exclude (not "drop")'),
    ("negative fte", _set("networks.0.staff.0.fte", -0.5),
     f"{K}.staff[0].fte: must be a number >= 0"),
    ("duplicate staff row", _append("networks.0.staff", staff(fte=0.3)),
     f"{K}.staff[2]: duplicate row for 2025, county, sosiaaliohjaaja (also staff[0])"),
    ("maturity level 7", _set("networks.0.maturity.0.level", 7),
     f"{K}.maturity[0].level: must be a whole number from 1 to 6"),
    ("maturity level 0", _set("networks.0.maturity.0.level", 0),
     f"{K}.maturity[0].level: must be a whole number from 1 to 6"),
    ("duplicate maturity year", _append("networks.0.maturity", maturity(level=4)),
     f"{K}.maturity[1].year: duplicate year 2025 (also maturity[0])"),
    ("overlapping steering groups", _append("networks.0.steering_groups",
                                            group(valid_from="2025-06-01")),
     f"{K}.steering_groups[1]: period 2025-06-01..open overlaps steering_groups[0] "
     "(2025-01-01..open)"),
    ("unknown municipality in a TYP network",
     _set("typ_networks.0.municipalities", ["491", "999"]),
     'typ_networks[0] (mikkelin-seutu).municipalities[1]: unknown municipality "999"'),
    ("TYP network after 2024", _set("typ_networks.0.valid_to", "2025-06-30"),
     "typ_networks[0] (mikkelin-seutu).valid_to: must be within the TYP period "
     "2015-01-01..2024-12-31"),
    ("unknown municipality in an exception", _set("networks.0.municipality_exceptions",
                                                  [{"municipality": "999", "kind": "include"}]),
     f'{K}.municipality_exceptions[0].municipality: unknown municipality "999"'),
    ("merged municipality in an exception", _set("networks.1.municipality_exceptions",
                                                 [{"municipality": "588", "kind": "include"}]),
     f"{S}.municipality_exceptions[0].municipality: municipality 588 Pertunmaa does not "
     "exist on 2025-01-01"),
    ("exclusion of a municipality not covered", _set(
        "networks.0.municipality_exceptions",
        [{"municipality": "491", "kind": "exclude", "reason": "test"}]),
     f"{K}.municipality_exceptions[0].municipality: 491 Mikkeli is not covered through the "
     "employment areas; nothing to exclude"),
    ("more names than seats", _set("networks.0.steering_groups.0.member_names",
                                   {"kela": ["A. Example", "B. Example"]}),
     f"{K}.steering_groups[0].member_names.kela: 2 names for 1 seat"),
    ("non-http document URL", _set("networks.0.agreements.0.document_url",
                                   "ftp://example.org/sopimus.pdf"),
     f"{K}.agreements[0].document_url: must be an http(s) URL or null"),
    ("missing name", _set("networks.0.name_sv", _DELETE), f"{K}.name_sv: is required"),
    ("empty name", _set("networks.0.name_fi", " "), f"{K}.name_fi: must be a non-empty string"),
    ("unknown field", _set("networks.0.colour", "blue"), f"{K}.colour: unknown field"),
    ("synthetic not a boolean", _set("synthetic", "yes"), "synthetic: must be true or false"),
    ("networks not a list", _set("networks", {}), "networks: must be a list"),
]


@pytest.mark.parametrize(("mutate", "message"), [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_input_is_named_and_nothing_is_written(cli, loaded, write, session, mutate,
                                                   message):
    counts = registry_counts(session)
    document = copy.deepcopy(make_bundle())
    mutate(document)
    result = cli("load", "registry", write(document))
    assert result.exit_code != 0
    assert "registry not loaded, nothing changed" in result.output
    assert message in result.output.splitlines(), result.output
    assert registry_counts(session) == counts
    assert dump(export_registry(session)) == loaded


def test_every_problem_is_reported_at_once(cli, loaded, write):
    document = make_bundle()
    document["networks"][0]["status"] = "final"
    document["networks"][1]["staff"][0]["fte"] = -1
    result = cli("load", "registry", write(document))
    assert "(2 problems)" in result.output
    assert f"{S}.staff[0].fte: must be a number >= 0" in result.output


@pytest.mark.parametrize(("text", "message"), [
    ("{\"format\": ", "not valid JSON: Expecting value (line 1, column 12)"),
    ("{\"format\": \"tym-registry/1\", \"format\": \"x\"}",
     'key "format" appears twice in one object'),
    ("[]", "document: must be an object"),
])
def test_unreadable_bundles_are_refused(cli, loaded, write, session, text, message):
    result = cli("load", "registry", write(text))
    assert result.exit_code != 0
    assert message in result.output
    assert dump(export_registry(session)) == loaded


def test_a_missing_file_is_refused(cli, tmp_path):
    result = cli("load", "registry", str(tmp_path / "nowhere.json"))
    assert result.exit_code != 0
    assert "nowhere.json: cannot read the file: No such file or directory" in result.output


# --- real and synthetic data are never mixed silently ----------------------------------

def test_synthetic_bundle_does_not_replace_real_data_without_replace(cli, loaded, write,
                                                                     session):
    synthetic = write(make_bundle(synthetic=True), "synthetic.json")
    result = cli("load", "registry", synthetic)
    assert result.exit_code != 0
    assert ("the registry now holds real data (2 networks, 1 TYP networks); this bundle is "
            "synthetic demonstration data") in result.output
    assert "--replace" in result.output
    assert dump(export_registry(session)) == loaded

    result = cli("load", "registry", synthetic, "--replace")
    assert result.exit_code == 0, result.output
    assert "(synthetic demonstration data)" in result.output
    session.expire_all()
    assert all(n.synthetic for n in session.scalars(select(Network)))
    assert all(p.synthetic for p in session.scalars(select(TypNetwork)))
    assert export_registry(session)["synthetic"] is True


def test_real_bundle_does_not_replace_synthetic_data_without_replace(cli, write, session):
    assert cli("load", "registry", write(make_bundle(synthetic=True))).exit_code == 0
    before = dump(export_registry(session))
    result = cli("load", "registry", write(make_bundle(), "real.json"))
    assert result.exit_code != 0
    assert ("the registry now holds synthetic demonstration data (2 networks, 1 TYP "
            "networks); this bundle is real data") in result.output
    assert dump(export_registry(session)) == before
    assert cli("load", "registry", write(make_bundle(), "real.json"), "--replace").exit_code == 0
    assert export_registry(session)["synthetic"] is False


def test_steering_group_names_round_trip(cli, write, session):
    document = make_bundle()
    document["networks"][0]["steering_groups"][0]["member_names"] = {
        "kela": ["A. Example"], "employment_authority": ["B. Example", "C. Example"]}
    assert cli("load", "registry", write(document)).exit_code == 0
    exported = export_registry(session)["networks"][1]["steering_groups"][0]
    assert exported["member_names"] == {"employment_authority": ["B. Example", "C. Example"],
                                        "kela": ["A. Example"]}
    group_row = session.scalars(select(SteeringGroup)
                                .where(SteeringGroup.network_id == "kymenlaakso")).one()
    assert {s.org_type.value: s.count for s in group_row.seats}["employment_authority"] == 4
