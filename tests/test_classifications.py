"""Statistics Finland classification service: parsing, bundle building, and `tym load
reference --source URL` against recorded answers replayed locally."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import socket
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from etl.sources.classifications import (
    ClassificationError,
    Correspondence,
    MapRow,
    build_bundle,
    combine_languages,
    decode_json,
    maps_url,
    merge_memberships,
    parse_maps,
)
from portal.registry.geography.models import (
    CountyMembership,
    EmploymentArea,
    EmploymentAreaMembership,
    Level,
    Municipality,
    WellbeingCounty,
)
from portal.registry.geography.reference import ReferenceBundle
from portal.registry.geography.services import census_on, members_on, units_of_municipality
from tests.replay_server import Answer

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "classifications"
API = "/api/classifications/v2"
JAN_2025 = dt.date(2025, 1, 1)
JAN_2026 = dt.date(2026, 1, 1)
MID_2024 = dt.date(2024, 6, 1)
TABLES = ("hyvinvointialue", "tyollisyysalue")
LANGS = ("fi", "sv", "en")
COUNTY_TABLE_ID = "kunta_1_20250101#hyvinvointialue_1_20250101"
AREA_TABLE_ID = "kunta_1_20250101#tyollisyysalue_1_20250101"
MODELS = (WellbeingCounty, Municipality, EmploymentArea, CountyMembership,
          EmploymentAreaMembership)


# --- helpers -----------------------------------------------------------------------------

@cache
def _fixture_text(target: str, lang: str) -> str:
    return (FIXTURES / f"{target}_20250101_{lang}.json").read_text(encoding="utf-8")


def _fixture(target: str, lang: str) -> list[dict]:
    return json.loads(_fixture_text(target, lang))


def _path(target: str, on: dt.date = JAN_2025) -> str:
    return f"{API}/correspondenceTables/kunta_1_{on:%Y%m%d}%23{target}_1_{on:%Y%m%d}/maps"


def _serve(replay, changes: dict | None = None, on: dt.date = JAN_2025) -> str:
    """Serve the six recorded answers; ``changes`` maps (target, lang) to answers or to a
    function that edits the parsed answer. Returns the API base URL."""
    changes = changes or {}
    for target in TABLES:
        for lang in LANGS:
            change = changes.get((target, lang))
            text = _fixture_text(target, lang).replace("20250101", f"{on:%Y%m%d}")
            if callable(change):
                answers = [Answer(json.dumps(change(json.loads(text))).encode())]
            elif change is not None:
                answers = change if isinstance(change, list) else [change]
            else:
                answers = [Answer(text.encode())]
            replay.add(_path(target, on), *answers, query=f"lang={lang}")
    return replay.url + API


def _in_all_languages(target: str, edit) -> dict:
    return {(target, lang): edit for lang in LANGS}


def _rows(session) -> dict[str, list[tuple]]:
    """Every row of the reference tables, to show that a failed load changed nothing."""
    return {m.__tablename__: sorted(map(tuple, session.execute(select(m.__table__)).all()),
                                    key=repr)
            for m in MODELS}


def _empty(session) -> None:
    session.execute(Municipality.__table__.update().values(merged_into_code=None))
    for model in reversed(MODELS):
        session.execute(delete(model))
    session.commit()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- through the CLI, against the replayed service ---------------------------------------

def test_full_load_from_the_service_into_an_empty_database(cli, session, replay):
    _empty(session)
    url = _serve(replay)
    result = cli("load", "reference", "--source", url, "--date", "2025-01-01")
    assert result.exit_code == 0, result.output
    census = census_on(session, JAN_2025)
    assert (census.municipalities, census.employment_areas, census.counties) == (308, 45, 23)
    assert census_on(session, MID_2024).municipalities == 309  # Pertunmaa, from the snapshot
    units = [units_of_municipality(session, code, JAN_2025)
             for code in session.scalars(select(Municipality.code))]
    mainland = [u for u in units if u.county is not None and u.county.in_tym_scope]
    assert len(mainland) == 292
    assert all(u.employment_area is not None for u in mainland)
    assert session.get(Municipality, "091").source.startswith(
        "Statistics Finland classifications, CC BY 4.0 (kunta_1_20250101#hyvinvointialue")
    asked = sorted((s.path, s.query) for s in replay.seen)
    assert len(asked) == 6
    assert all("content=data" in q and "meta=min" in q for _, q in asked)
    assert {p for p, _ in asked} == {_path(t) for t in TABLES}
    assert {q.split("lang=")[1][:2] for _, q in asked} == set(LANGS)

    again = cli("load", "reference", "--source", url, "--date", "2025-01-01")
    assert again.exit_code == 0, again.output
    assert "0 changes" in again.output


def test_the_service_agrees_with_the_snapshot(cli, session, replay):
    before = _rows(session)
    result = cli("load", "reference", "--source", _serve(replay))
    assert result.exit_code == 0, result.output
    assert "0 changes" in result.output
    assert _rows(session) == before
    # history the service does not know is kept: Pertunmaa in Etelä-Savo in 2024
    assert "588" in {m.code for m in members_on(session, Level.county, "12", MID_2024)}


def _move_pieksamaki(maps: list[dict]) -> list[dict]:
    """Pieksämäki (593) from Keski-Savo (13) to Mikkelin seutu (23)."""
    mikkeli = next(m["targetItem"] for m in maps if m["targetItem"]["code"] == "23")
    return [dict(m, targetItem=mikkeli) if m["sourceItem"]["code"] == "593" else m for m in maps]


def test_a_changed_membership_is_loaded(cli, session, replay):
    result = cli("load", "reference", "--source",
                 _serve(replay, _in_all_languages("tyollisyysalue", _move_pieksamaki)))
    assert result.exit_code == 0, result.output
    assert "1 changes" in result.output
    assert units_of_municipality(session, "593", JAN_2025).employment_area.id == "mikkelin-seutu"


def test_a_later_classification_date_keeps_the_earlier_period(cli, session, replay):
    url = _serve(replay, _in_all_languages("tyollisyysalue", _move_pieksamaki), on=JAN_2026)
    result = cli("load", "reference", "--source", url, "--date", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert ("employment_area_memberships: 1 inserted, 1 updated, 0 removed, 291 unchanged"
            in result.output)
    assert "2 changes" in result.output
    mid_2025, mid_2026 = dt.date(2025, 6, 1), dt.date(2026, 6, 1)
    assert units_of_municipality(session, "593", mid_2025).employment_area.id == "keski-savo"
    assert units_of_municipality(session, "593", mid_2026).employment_area.id == "mikkelin-seutu"
    # unchanged memberships stay one row each, from their original start
    assert session.scalar(select(EmploymentAreaMembership.valid_from).where(
        EmploymentAreaMembership.municipality_code == "091")) == JAN_2025
    assert census_on(session, mid_2026).municipalities == 308


def test_a_failed_request_is_retried(cli, session, replay):
    url = _serve(replay, {("hyvinvointialue", "fi"): [
        Answer(b'{"detail": "server error"}', status=500),
        Answer(_fixture_text("hyvinvointialue", "fi").encode())]})
    result = cli("load", "reference", "--source", url)
    assert result.exit_code == 0, result.output
    assert "0 changes" in result.output
    county_fi = [s for s in replay.seen
                 if s.path == _path("hyvinvointialue") and "lang=fi" in s.query]
    assert len(county_fi) == 2


ERROR_ANSWERS = {
    "HTTP 429 persistent": (
        {("tyollisyysalue", "fi"): Answer(b'{"detail": "Request was throttled."}', status=429,
                                          headers={"Retry-After": "0"})},
        [f"table {AREA_TABLE_ID} (municipality -> employment area, lang=fi)", "HTTP 429",
         "after 2 attempts"]),
    "truncated JSON": (
        {("hyvinvointialue", "sv"): Answer(
            _fixture_text("hyvinvointialue", "sv").encode()[:50_000])},
        [f"table {COUNTY_TABLE_ID} (municipality -> wellbeing county, lang=sv)",
         "answer is truncated JSON"]),
    "HTML error page": (
        {("hyvinvointialue", "fi"): Answer(
            b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
            b"<body>The server is temporarily unable to service your request.</body></html>",
            content_type="text/html; charset=utf-8")},
        [f"table {COUNTY_TABLE_ID} (municipality -> wellbeing county, lang=fi)",
         "answer is an HTML/XML page, not JSON (Content-Type text/html; charset=utf-8, "
         "begins '<!DOCTYPE html>"]),
    "unknown employment-area code": (
        _in_all_languages("tyollisyysalue", lambda maps: [
            dict(m, targetItem=dict(m["targetItem"], code="47"))
            if m["sourceItem"]["code"] == "091" else m for m in maps]),
        ["municipality 091 Helsinki: unknown employment area code 47", AREA_TABLE_ID]),
    "municipality missing from one table": (
        _in_all_languages("tyollisyysalue", lambda maps: [
            m for m in maps if m["sourceItem"]["code"] != "091"]),
        [f"municipality 091 Helsinki: missing from {AREA_TABLE_ID}"]),
    "empty table": (
        {("hyvinvointialue", "fi"): Answer(b"[]")},
        [f"table {COUNTY_TABLE_ID} (lang=fi): the table is empty"]),
    "wrong structure": (
        {("tyollisyysalue", "en"): Answer(b'{"detail": "Not found."}')},
        [f"table {AREA_TABLE_ID} (lang=en): wrong structure: expected a list of maps, got an "
         "object (Not found.)"]),
}


@pytest.mark.parametrize("case", list(ERROR_ANSWERS))
def test_a_bad_answer_is_refused_with_a_clear_message_and_nothing_changes(
        cli, session, replay, case):
    changes, expected = ERROR_ANSWERS[case]
    before = _rows(session)
    result = cli("load", "reference", "--source", _serve(replay, changes))
    assert result.exit_code != 0
    assert "reference data not loaded, nothing changed" in result.output
    for fragment in expected:
        assert fragment in result.output
    assert "Traceback" not in result.output
    assert _rows(session) == before


def test_an_unknown_classification_date_says_so(cli, session, replay):
    before = _rows(session)
    result = cli("load", "reference", "--source", _serve(replay), "--date", "2024-03-01")
    assert result.exit_code != 0
    assert "kunta_1_20240301#hyvinvointialue_1_20240301" in result.output
    assert "HTTP 404" in result.output
    assert "is there a classification dated 2024-03-01?" in result.output
    assert _rows(session) == before


def test_an_unreachable_service_is_reported(cli, session):
    before = _rows(session)
    url = f"http://127.0.0.1:{_closed_port()}{API}"
    result = cli("load", "reference", "--source", url)
    assert result.exit_code != 0
    assert "reference data not loaded, nothing changed" in result.output
    assert f"table {COUNTY_TABLE_ID}" in result.output and "cannot connect" in result.output
    assert _rows(session) == before


def test_fixtures_are_what_make_fixtures_writes():
    spec = importlib.util.spec_from_file_location("make_fixtures",
                                                  FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = module.build_fixtures()
    assert sorted(files) == sorted(p.name for p in FIXTURES.glob("*.json"))
    for name, maps in files.items():
        assert (FIXTURES / name).read_text(encoding="utf-8") == module.render(maps), name
    counties = {m["targetItem"]["code"] for m in files["hyvinvointialue_20250101_fi.json"]}
    areas = {m["targetItem"]["code"] for m in files["tyollisyysalue_20250101_fi.json"]}
    assert (len(files["hyvinvointialue_20250101_fi.json"]), len(counties), len(areas)) == (
        308, 23, 46)


# --- pure functions on small inline data -------------------------------------------------

TABLE = "kunta_1_20250101#hyvinvointialue_1_20250101"


def _map(municipality, target, lang="fi", municipality_name="Helsinki", target_name="Kaupunki",
         table=TABLE) -> dict:
    def item(code, name):
        return {"localId": f"x/{code}", "level": 1, "code": code,
                "classificationItemNames": [{"langName": "suomi", "lang": lang, "name": name}]}

    return {"sourceLocalId": f"kunta_1_20250101/{municipality}",
            "correspondenceTable": {"localId": table},
            "sourceItem": item(municipality, municipality_name),
            "targetItem": item(target, target_name)}


def test_maps_url_sends_the_hash_encoded_and_asks_for_one_language():
    assert maps_url("https://data.stat.fi/api/classifications/v2/", TABLE, "sv") == (
        "https://data.stat.fi/api/classifications/v2/correspondenceTables/"
        "kunta_1_20250101%23hyvinvointialue_1_20250101/maps"
        "?content=data&meta=min&lang=sv&format=json")


@pytest.mark.parametrize("body, content_type, message", [
    (b'[{"a": 1}, {"b": "Hel', "application/json", "truncated JSON"),
    (b'[{"a": 1}, {"b": ', "application/json", "truncated JSON"),
    (b"  <html><body>Bad gateway</body></html>", "text/html",
     "an HTML/XML page, not JSON (Content-Type text/html, begins '<html><body>Bad gateway"),
    (b"", "application/json", "answer is empty"),
    (b'[{"a": 1}} ]', "application/json", "not valid JSON"),
    (b"\xff\xfe[]", "application/json", "not UTF-8"),
])
def test_decode_json_says_what_is_wrong(body, content_type, message):
    with pytest.raises(ClassificationError, match="^the table: ") as exc:
        decode_json(body, content_type, "the table")
    assert message in str(exc.value)


def test_decode_json_reads_a_list():
    assert decode_json(b'[{"code": "091"}]', "application/json", "t") == [
        {"code": "091"}]


def test_parse_maps_normalises_codes_and_picks_the_name_in_the_language():
    payload = [_map(91, "90", municipality_name="Helsinki  ", target_name="Helsingin  kaupunki"),
               _map("005", 1),
               _map("478", "91", lang="sv")]  # names in Swedish in a Finnish answer
    rows = parse_maps(payload, TABLE, "fi", code_width=2)
    assert rows == [MapRow("091", "Helsinki", "90", "Helsingin kaupunki"),
                    MapRow("005", "Helsinki", "01", "Kaupunki"),
                    MapRow("478", None, "91", None)]
    areas = parse_maps([_map("005", "07")], TABLE, "fi", code_width=0)
    assert areas[0].target == "7"


@pytest.mark.parametrize("payload, message", [
    ({"detail": "Not found."}, "expected a list of maps, got an object (Not found.)"),
    ("maps", "expected a list of maps, got str"),
    ([["005", "01"]], "map 1: not an object"),
    ([{"sourceItem": {"code": "005"}}], "map 1: sourceItem and targetItem must be objects"),
    ([_map("5a", "01")], "map 1: sourceItem.code '5a' is not a 3-digit municipality code"),
    ([_map("1234", "01")], "is not a 3-digit municipality code"),
    ([_map("005", "01"), _map("009", "Uusimaa")],
     "map 2 (municipality 009): targetItem.code 'Uusimaa' is not a numeric code"),
    ([_map("005", "01", table="kunta_1_20250101#maakunta_1_20250101")],
     "map 1: belongs to table 'kunta_1_20250101#maakunta_1_20250101'"),
])
def test_parse_maps_rejects_a_wrong_structure(payload, message):
    with pytest.raises(ClassificationError, match=f"^table {TABLE} \\(lang=fi\\)") as exc:
        parse_maps(payload, TABLE, "fi", code_width=2)
    assert message in str(exc.value)


def _rows_in(lang, pairs, names=True):
    return [MapRow(m, f"{m}-{lang}" if names else None, t, f"{t}-{lang}" if names else None)
            for m, t in pairs]


def test_combine_languages_joins_names_and_tolerates_missing_english():
    pairs = [("005", "01"), ("091", "90")]
    table = combine_languages(TABLE, {"fi": _rows_in("fi", pairs), "sv": _rows_in("sv", pairs),
                                      "en": []})
    assert table.members == {"005": "01", "091": "90"}
    assert table.municipality_names["091"] == {"fi": "091-fi", "sv": "091-sv"}
    assert table.target_names["90"] == {"fi": "90-fi", "sv": "90-sv"}


@pytest.mark.parametrize("answers, message", [
    ({"fi": [], "sv": [], "en": []}, "(lang=fi): the table is empty"),
    ({"fi": _rows_in("fi", [("005", "01")]), "sv": [], "en": []}, "lang=sv: the table is empty"),
    ({"fi": _rows_in("fi", [("005", "01")]), "sv": _rows_in("sv", [("005", "02")]), "en": []},
     "lang=sv: the maps differ from lang=fi for municipalities 005"),
    ({"fi": _rows_in("fi", [("005", "01"), ("005", "02")]),
      "sv": _rows_in("sv", [("005", "01")]), "en": []},
     "lang=fi: municipality 005 is mapped to both 01 and 02"),
    ({"fi": _rows_in("fi", [("005", "01")]),
      "sv": _rows_in("sv", [("005", "01")], names=False), "en": []},
     "municipality 005: no name in sv"),
])
def test_combine_languages_refuses_inconsistent_answers(answers, message):
    with pytest.raises(ClassificationError) as exc:
        combine_languages(TABLE, answers)
    assert message in str(exc.value) and TABLE in str(exc.value)


def _membership(code, unit, start, end=None):
    return {"municipality_code": code, "county_code": unit, "valid_from": start, "valid_to": end}


def test_merge_memberships_keeps_history_and_continuing_rows():
    d = dt.date
    base = [
        _membership("005", "16", d(2023, 1, 1)),                    # continues
        _membership("588", "12", d(2023, 1, 1), d(2024, 12, 31)),   # ended before: kept
        _membership("593", "12", d(2023, 1, 1)),                    # moves on 2026-01-01
        _membership("600", "01", d(2023, 1, 1), d(2026, 6, 30)),    # ends later: reopened
        _membership("600", "02", d(2026, 7, 1)),                    # after: superseded
    ]
    merged = merge_memberships(base, "county_code",
                               {"005": "16", "593": "13", "600": "01", "700": "05"}, JAN_2026)
    assert merged == [
        _membership("005", "16", d(2023, 1, 1)),
        _membership("588", "12", d(2023, 1, 1), d(2024, 12, 31)),
        _membership("593", "12", d(2023, 1, 1), d(2025, 12, 31)),
        _membership("593", "13", JAN_2026),
        _membership("600", "01", d(2023, 1, 1)),
        _membership("700", "05", JAN_2026),
    ]


def _small_base() -> ReferenceBundle:
    d = dt.date(2023, 1, 1)

    def county(code, scope):
        return {"code": code, "name_fi": f"Alue {code}", "name_sv": f"Område {code}",
                "name_en": f"County {code}", "unit_type": "wellbeing_services_county",
                "in_tym_scope": scope, "valid_from": d, "valid_to": None}

    def municipality(code, valid_to=None, merged=None):
        return {"code": code, "name_fi": f"Kunta {code}", "name_sv": f"Kommun {code}",
                "valid_from": None, "valid_to": valid_to, "merged_into_code": merged}

    def area(area_id, statfi):
        return {"id": area_id, "statfi_code": statfi, "name_fi": f"TA {statfi}",
                "name_sv": f"SO {statfi}", "name_en": f"EA {statfi}",
                "organising_model": "host_municipality", "host_municipality_code": "005",
                "host_status": "confirmed", "valid_from": JAN_2025, "valid_to": None}

    return ReferenceBundle(
        counties=[county("01", True), county("91", False)],
        municipalities=[municipality("005"), municipality("009"), municipality("478"),
                        municipality("588", dt.date(2024, 12, 31), "005")],
        employment_areas=[area("eka", 1), area("toka", 2)],
        county_memberships=[_membership("005", "01", d), _membership("009", "01", d),
                            _membership("478", "91", d),
                            _membership("588", "01", d, dt.date(2024, 12, 31))],
        area_memberships=[
            {"municipality_code": "005", "area_id": "eka", "valid_from": JAN_2025,
             "valid_to": None},
            {"municipality_code": "009", "area_id": "toka", "valid_from": JAN_2025,
             "valid_to": None}])


def _tables(county_members, area_members, names=None):
    names = names or {}

    def table(table_id, members):
        return Correspondence(
            table_id, dict(members),
            {m: {"fi": names.get(m, f"Kunta {m}"), "sv": f"Kommun {m}"} for m in members},
            {t: {"fi": names.get(t, f"N{t}"), "sv": f"S{t}", "en": f"E{t}"}
             for t in members.values()})

    return table(TABLE, county_members), table(
        "kunta_1_20250101#tyollisyysalue_1_20250101", area_members)


def test_build_bundle_takes_memberships_and_names_from_the_service_and_the_rest_from_base():
    counties, areas = _tables({"005": "01", "009": "01", "478": "91"},
                              {"005": "1", "009": "1", "478": "46"},
                              names={"005": "Uusi nimi", "01": "Uusi alue"})
    bundle = build_bundle(counties, areas, JAN_2025, _small_base(), "test source")
    by_code = {m["code"]: m for m in bundle.municipalities}
    assert by_code["005"]["name_fi"] == "Uusi nimi"
    assert by_code["588"] == _small_base().municipalities[3]  # merged away: from base
    county = bundle.counties[0]
    assert (county["name_fi"], county["name_en"], county["unit_type"]) == (
        "Uusi alue", "E01", "wellbeing_services_county")
    assert bundle.employment_areas[0]["name_fi"] == "N1"
    assert bundle.employment_areas[0]["host_municipality_code"] == "005"
    assert bundle.employment_areas[1]["name_fi"] == "TA 2"  # no members: base kept as is
    assert [(r["municipality_code"], r["area_id"], r["valid_from"])
            for r in bundle.area_memberships] == [("005", "eka", JAN_2025),
                                                  ("009", "eka", JAN_2025)]
    assert ("588", "01", dt.date(2024, 12, 31)) in [
        (r["municipality_code"], r["county_code"], r["valid_to"])
        for r in bundle.county_memberships]
    assert bundle.source == "test source"


@pytest.mark.parametrize("county_members, area_members, message", [
    ({"005": "01", "009": "01", "478": "91"}, {"005": "1", "009": "47", "478": "46"},
     "municipality 009 Kunta 009: unknown employment area code 47 (N47)"),
    ({"005": "01", "009": "01", "478": "91"}, {"005": "1", "009": "46", "478": "46"},
     "municipality 009 Kunta 009: mapped to Åland's pseudo-area 46"),
    ({"005": "01", "009": "01", "478": "91"}, {"005": "1", "009": "2", "478": "2"},
     "municipality 478 Kunta 478: in county 91 outside TYM, but mapped to employment area 2"),
    ({"005": "01", "009": "01", "478": "91"}, {"005": "1", "478": "46"},
     "municipality 009 Kunta 009: missing from kunta_1_20250101#tyollisyysalue_1_20250101"),
    ({"005": "01", "478": "91"}, {"005": "1", "009": "2", "478": "46"},
     f"municipality 009 Kunta 009: missing from {TABLE}"),
    ({"005": "01", "009": "02", "478": "91"}, {"005": "1", "009": "2", "478": "46"},
     "municipality 009 Kunta 009: unknown wellbeing county code 02"),
    ({"005": "01", "009": "01", "478": "91", "999": "01"}, {"005": "1", "009": "2",
                                                           "478": "46", "999": "2"},
     "municipality 999 Kunta 999: unknown municipality code, not in the reference snapshot"),
    ({"005": "01", "009": "01", "478": "91", "588": "01"}, {"005": "1", "009": "2",
                                                           "478": "46", "588": "2"},
     "municipality 588 Kunta 588: listed for 2025-01-01, but the reference snapshot says it "
     "existed ... to 2024-12-31"),
])
def test_build_bundle_refuses_what_does_not_fit(county_members, area_members, message):
    counties, areas = _tables(county_members, area_members)
    with pytest.raises(ClassificationError) as exc:
        build_bundle(counties, areas, JAN_2025, _small_base(), "test")
    assert str(exc.value).startswith(
        "the classification service's tables for 2025-01-01 do not fit the reference data:")
    assert message in str(exc.value)
