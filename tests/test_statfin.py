"""StatFin PxWeb: pure parsing and transforms on small inline data, then `tym etl run`
against a fake 12r5 table replayed locally (errors included), idempotency, failure
leaving data untouched, and aggregation across the 588 -> 507 merger."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from etl.sources.pxweb import (
    Limits,
    PxWebError,
    Throttle,
    map_variables,
    parse_config,
    parse_jsonstat2,
    parse_metadata,
    plan_queries,
)
from etl.transforms.statfin import to_values
from portal.registry.etl.models import JobRun, QuarantinedRow, RunStatus
from portal.registry.statistics.models import StatisticDataset, StatisticValue
from portal.registry.statistics.services import aggregate_values
from tests import pxweb_cube
from tests.registry_factories import add_network
from tests.replay_server import Answer

DATASET = "statfin-tyonv-12r5"
JOB = "statfin-tyonv-12r5"
MEASURES = ["TYOTTOMATLOPUSSA", "TYOVOIMATK", "AVPAIKATLOPUSSA"]
MEASURE_TEXTS = ["Työttömät työnhakijat laskentapäivänä (lkm.)", "Työvoima (lkm.)",
                 "Avoimet työpaikat laskentapäivänä (lkm.)"]
AREAS = {"SSS": "KOKO MAA", "KU091": "Helsinki", "KU491": "Mikkeli", "KU507": "Mäntyharju",
         "KU588": "Pertunmaa", "KU593": "Pieksämäki"}
MONTHS = ["2024M11", "2024M12", "2025M01", "2025M02"]


def cell_value(codes: dict[str, str]) -> float | None:
    """A deterministic number per cell; Pertunmaa is blank ('.') once merged."""
    area, month, measure = codes["Alue"], codes["Kuukausi"], codes["Tiedot"]
    if area == "KU588" and month >= "2025M01":
        return None
    base = {"SSS": 100_000, "KU091": 40_000, "KU491": 3_000, "KU507": 300, "KU588": 80,
            "KU593": 1_200}.get(area, 50)
    return float(base + 10 * MONTHS.index(month) + MEASURES.index(measure)
                 if month in MONTHS else base)


def make_cube(value=cell_value, areas=AREAS, months=MONTHS, area_code="Alue") -> pxweb_cube.Cube:
    return pxweb_cube.Cube(
        variables=[(area_code, "Alue", list(areas), list(areas.values())),
                   ("Kuukausi", "Kuukausi", months, months),
                   ("Tiedot", "Tiedot", MEASURES, MEASURE_TEXTS)],
        value=value,
        status=lambda c: "." if c["Alue"] == "KU588" and c["Kuukausi"] >= "2025M01" else None)


def run_job(cli, url: str, **settings):
    result = cli("etl", "run", JOB, STATFIN_URL=url, **settings)
    return result


def _values(session) -> dict:
    rows = session.execute(select(StatisticValue.measure, StatisticValue.level,
                                  StatisticValue.unit_code, StatisticValue.period,
                                  StatisticValue.value, StatisticValue.status,
                                  StatisticValue.run_id)
                           .where(StatisticValue.dataset_id == DATASET)).all()
    return {tuple(r[:4]): tuple(r[4:]) for r in rows}


def _last_run(session) -> JobRun:
    return session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()


# --- pure: JSON-stat2, metadata, limits, splitting ---------------------------------------

def test_parse_jsonstat2_unpacks_row_major_values_with_status():
    document = {
        "class": "dataset", "updated": "2026-10-28T05:00:00Z",
        "id": ["Alue", "Kuukausi", "Tiedot"], "size": [2, 2, 1],
        "dimension": {
            "Alue": {"category": {"index": {"KU091": 0, "SSS": 1},
                                  "label": {"KU091": "Helsinki", "SSS": "KOKO MAA"}}},
            "Kuukausi": {"category": {"index": {"2025M01": 0, "2025M02": 1}}},
            "Tiedot": {"category": {"index": {"TYOTTOMATLOPUSSA": 0},
                                    "unit": {"TYOTTOMATLOPUSSA": {"base": "lkm"}}}}},
        "value": [1, 2, None, 4], "status": {"2": ".."}}
    parsed = parse_jsonstat2(document, "t")
    assert parsed.updated == "2026-10-28T05:00:00Z"
    assert parsed.units == {"TYOTTOMATLOPUSSA": {"base": "lkm"}}
    frame = parsed.frame
    assert list(frame["Alue"].astype(str)) == ["KU091", "KU091", "SSS", "SSS"]
    assert list(frame["Kuukausi"].astype(str)) == ["2025M01", "2025M02", "2025M01", "2025M02"]
    assert frame["value"].tolist()[:2] == [1.0, 2.0] and math.isnan(frame["value"][2])
    assert frame["status"].tolist() == [None, None, "..", None]


@pytest.mark.parametrize("change, message", [
    ({"value": [1, 2, 3]}, "3 values for 4 cells (2 x 2 x 1)"),
    ({"size": [2, 3, 1]}, "dimension 'Kuukausi' has 2 categories, size says 3"),
    ({"dimension": {}}, "dimension 'Alue' has no category index"),
    ({"value": [1, "x", 3, 4]}, "a value is not a number: 'x'"),
    ({"id": None}, "needs id, size, dimension and value"),
])
def test_parse_jsonstat2_refuses_a_broken_dataset(change, message):
    document = {"class": "dataset", "id": ["Alue", "Kuukausi", "Tiedot"], "size": [2, 2, 1],
                "dimension": {"Alue": {"category": {"index": ["KU091", "SSS"]}},
                              "Kuukausi": {"category": {"index": ["2025M01", "2025M02"]}},
                              "Tiedot": {"category": {"index": ["X"]}}},
                "value": [1, 2, 3, 4]}
    document.update(change)
    with pytest.raises(PxWebError, match="^answer 1: ") as exc:
        parse_jsonstat2(document, "answer 1")
    assert message in str(exc.value)


def test_parse_config_reads_the_limits_and_falls_back_to_the_documented_defaults():
    assert parse_config({"maxValues": 10000, "maxCalls": 30, "timeWindow": 1,
                         "CORS": True}) == Limits(10000, 30, 1.0)
    assert parse_config({"maxValues": "lots"}) == Limits(100_000, 30, 10.0)
    assert parse_config([]) == Limits()


def test_plan_queries_stays_under_the_value_limit_and_covers_every_cell():
    selections = {"Alue": [f"KU{i:03d}" for i in range(310)],
                  "Kuukausi": pxweb_cube.months(2015, 2024),
                  "Tiedot": [f"M{i}" for i in range(20)]}
    for limit in (100_000, 10_000, 1_000, 25):
        queries = plan_queries(selections, limit, ["Kuukausi", "Alue"])
        sizes = [math.prod(len(v) for v in q.values()) for q in queries]
        assert max(sizes) <= limit
        cells = {(a, k, t) for q in queries for a in q["Alue"] for k in q["Kuukausi"]
                 for t in q["Tiedot"]}
        assert len(cells) == sum(sizes) == 310 * 120 * 20
    # with the service's default limit the months are cut, the areas kept whole
    queries = plan_queries(selections, 100_000, ["Kuukausi", "Alue"])
    assert len(queries) == 8 and all(len(q["Alue"]) == 310 for q in queries)


def test_plan_queries_refuses_when_the_unsplit_variables_are_too_large():
    with pytest.raises(PxWebError, match="already make 20 cells"):
        plan_queries({"A": ["1"], "Tiedot": list("abcdefghijklmnopqrst")}, 10, ["A"])


def test_throttle_keeps_to_the_calls_per_window():
    clock, slept = [0.0], []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    throttle = Throttle(Limits(100, 3, 10), clock=lambda: clock[0], sleep=sleep)
    for _ in range(7):
        throttle.wait()
        clock[0] += 0.5
    assert slept == [pytest.approx(8.5), pytest.approx(8.5)]


def test_variables_are_mapped_by_code_and_a_renamed_code_is_named():
    meta = parse_metadata(make_cube(area_code="Alue2026").metadata(), "t")
    assert map_variables(meta, {"time": "Kuukausi"}, "t")["time"].values[0] == "2024M11"
    with pytest.raises(PxWebError) as exc:
        map_variables(meta, {"area": "Alue", "time": "Kuukausi"}, "table 12r5")
    assert str(exc.value).startswith(
        "table 12r5: variable code 'Alue' (area) is not in the table: the variable 'Alue' now "
        "has the code 'Alue2026' (renamed; update the job's area_variable)")
    assert "The table has: 'Alue2026' (Alue), 'Kuukausi' (Kuukausi), 'Tiedot' (Tiedot)" in str(
        exc.value)


def _municipalities() -> pd.DataFrame:
    return pd.DataFrame([
        ("091", "Helsinki", None, None, None),
        ("507", "Mäntyharju", None, None, None),
        ("588", "Pertunmaa", None, dt.date(2024, 12, 31), "507")],
        columns=["code", "name", "valid_from", "valid_to", "merged_into"])


def test_to_values_keeps_municipalities_and_the_nation_and_quarantines_the_rest():
    frame = pd.DataFrame({
        "Alue": ["KU091", "SSS", "KU588", "KU588", "KU588", "KU999", "MK01", "KU507"],
        "Kuukausi": ["2025M01", "2025M01", "2024M12", "2025M01", "2025M02", "2025M01",
                     "2025M01", "2025M13"],
        "Tiedot": ["T"] * 8,
        "value": [1.0, 2.0, 3.0, np.nan, 5.0, 6.0, 7.0, 8.0],
        "status": [None, None, None, ".", None, None, None, None]})
    result = to_values(frame, "Alue", "Kuukausi", "Tiedot", _municipalities())
    kept = result.values[["level", "unit_code", "period", "value"]].values.tolist()
    assert kept == [["municipality", "091", dt.date(2025, 1, 1), 1.0],
                    ["nation", "SSS", dt.date(2025, 1, 1), 2.0],
                    ["municipality", "588", dt.date(2024, 12, 1), 3.0]]
    assert result.blank_outside_validity == 1
    assert [(r.record["area"], r.reason) for r in result.rejected] == [
        ("KU588", "municipality 588 Pertunmaa did not exist in 2025-02 (merged into 507 on "
                  "2025-01-01)"),
        ("KU999", "municipality 999 is not in the reference geography"),
        ("MK01", "area code is neither KU + a municipality code nor SSS"),
        ("KU507", "month code is not YYYYMmm")]
    assert result.rejected[0].record == {"area": "KU588", "period": "2025M02", "measure": "T",
                                         "value": 5.0, "status": None}


# --- the job against the replayed service ------------------------------------------------

def test_a_full_load_stores_every_cell_and_records_the_run(cli, session, replay):
    url = pxweb_cube.serve(replay, make_cube(), config=pxweb_cube.config_answer(max_values=25))
    result = run_job(cli, url)
    assert result.exit_code == 0, result.output
    run = _last_run(session)
    assert run.status == RunStatus.succeeded and run.job_id == JOB
    # 6 areas x 4 months x 3 measures; Pertunmaa's two blank 2025 months are not stored
    assert (run.rows_read, run.rows_accepted, run.rows_rejected) == (72, 66, 0)
    assert run.rows_changed == 66 and run.source_version == pxweb_cube.UPDATED
    assert run.source == f"{url}/StatFin/tyonv/12r5.px"
    values = _values(session)
    assert len(values) == 66
    assert values[("TYOTTOMATLOPUSSA", "municipality", "588", dt.date(2024, 12, 1))][:2] == (
        90.0, None)
    assert values[("AVPAIKATLOPUSSA", "nation", "SSS", dt.date(2025, 2, 1))][0] == 100_032.0
    stored = session.scalars(select(StatisticValue)).first()
    assert stored.run_id == run.id and stored.retrieved_at is not None
    dataset = session.get(StatisticDataset, DATASET)
    assert dataset.release == pxweb_cube.UPDATED and dataset.run_id == run.id
    assert dataset.measures["TYOTTOMATLOPUSSA"]["label"] == MEASURE_TEXTS[0]
    # metadata first, then POSTs of at most 25 values: 72 cells -> months cut to 1 each
    methods = [(s.method, s.query) for s in replay.seen]
    assert methods[:2] == [("GET", "config"), ("GET", "")]
    posts = [json.loads(s.body) for s in replay.seen if s.method == "POST"]
    assert len(posts) == 4
    for body in posts:
        assert body["response"] == {"format": "json-stat2"}
        assert [q["code"] for q in body["query"]] == ["Alue", "Kuukausi", "Tiedot"]
        sizes = [len(q["selection"]["values"]) for q in body["query"]]
        assert math.prod(sizes) <= 25
    assert "statfin-tyonv-12r5: 66 inserted, 0 updated, 0 deleted" in result.output


def test_running_twice_on_the_same_input_changes_nothing(cli, session, replay):
    url = pxweb_cube.serve(replay, make_cube())
    assert run_job(cli, url).exit_code == 0
    first = _values(session)
    audit_before = session.scalar(select(func.count()).select_from(
        StatisticDataset.__table__))
    again = run_job(cli, url)
    assert again.exit_code == 0, again.output
    run = _last_run(session)
    assert run.status == RunStatus.succeeded and run.rows_changed == 0
    assert "0 inserted, 0 updated, 0 deleted, 66 unchanged" in run.message
    assert _values(session) == first  # run ids included: unchanged values are not rewritten
    assert session.scalar(select(func.count()).select_from(
        StatisticDataset.__table__)) == audit_before


def test_a_revised_value_is_updated_and_keeps_the_others(cli, session, replay):
    assert run_job(cli, pxweb_cube.serve(replay, make_cube())).exit_code == 0
    first_run = _last_run(session).id

    def revised(codes):
        value = cell_value(codes)
        return 1.0 if codes == {"Alue": "KU091", "Kuukausi": "2025M02",
                                "Tiedot": "TYOTTOMATLOPUSSA"} else value

    replay.routes.clear()
    replay.query_routes.clear()
    assert run_job(cli, pxweb_cube.serve(replay, make_cube(revised))).exit_code == 0
    run = _last_run(session)
    assert run.rows_changed == 1
    values = _values(session)
    assert values[("TYOTTOMATLOPUSSA", "municipality", "091", dt.date(2025, 2, 1))] == (
        1.0, None, run.id)
    assert values[("TYOTTOMATLOPUSSA", "municipality", "091", dt.date(2025, 1, 1))][2] == (
        first_run)


def _bad(replay, cube, kind):
    """Serve ``cube`` with one kind of failure."""
    if kind == "429":
        return pxweb_cube.serve(replay, cube, data=[Answer(
            b"Too Many Requests", status=429, headers={"Retry-After": "0"},
            content_type="text/plain")])
    if kind == "503":
        return pxweb_cube.serve(replay, cube, data=[Answer(
            b"<html><body>Service Unavailable</body></html>", status=503,
            content_type="text/html")])
    if kind == "timeout":
        return pxweb_cube.serve(replay, cube, data=[lambda seen: Answer(
            cube.respond(seen).body, delay=1.5)])
    if kind == "truncated":
        return pxweb_cube.serve(replay, cube, data=[lambda seen: Answer(
            cube.respond(seen).body[:300])])
    if kind == "renamed":
        return pxweb_cube.serve(replay, cube, metadata=make_cube(
            area_code="Alue2026").metadata_answer())
    if kind == "html":
        return pxweb_cube.serve(replay, cube, data=[Answer(
            b"<!DOCTYPE html><html><title>Virhe</title></html>", content_type="text/html")])
    raise AssertionError(kind)


FAILURES = {
    "429": ["table StatFin/tyonv/12r5.px (request 1 of 1): POST", "HTTP 429",
            "after 2 attempts"],
    "503": ["HTTP 503: <html><body>Service Unavailable</body></html>", "after 2 attempts"],
    "timeout": ["no answer within 0.5 s (after 2 attempts)"],
    "truncated": ["table StatFin/tyonv/12r5.px (request 1 of 1): the answer is truncated JSON "
                  "(it stops after 300 bytes)"],
    "renamed": ["table StatFin/tyonv/12r5.px: variable code 'Alue' (area) is not in the table: "
                "the variable 'Alue' now has the code 'Alue2026' (renamed; update the job's "
                "area_variable)"],
    "html": ["the answer is HTML, not JSON (begins '<!DOCTYPE html><html><title>Virhe"],
}


@pytest.mark.parametrize("kind", list(FAILURES))
def test_a_failing_source_is_recorded_and_leaves_the_previous_data(cli, session, replay, kind):
    assert run_job(cli, pxweb_cube.serve(replay, make_cube())).exit_code == 0
    before = _values(session)
    replay.routes.clear()
    replay.query_routes.clear()

    def changed(codes):
        return 7.0  # what a successful load would have written everywhere

    url = _bad(replay, make_cube(changed), kind)
    result = run_job(cli, url, HTTP_TIMEOUT=0.5)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    run = _last_run(session)
    assert run.status == RunStatus.failed and run.rows_changed == 0
    assert run.message.startswith("nothing loaded: ")
    for fragment in FAILURES[kind]:
        assert fragment in run.message and fragment in result.output
    assert _values(session) == before


def test_a_failure_inside_the_load_rolls_back_every_value(cli, session, replay, monkeypatch):
    assert run_job(cli, pxweb_cube.serve(replay, make_cube())).exit_code == 0
    before = _values(session)
    from portal.registry.statistics import services

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "upsert_dataset", explode)
    import etl.jobs.statfin as job
    monkeypatch.setattr(job, "upsert_dataset", explode)
    replay.routes.clear()
    replay.query_routes.clear()
    result = run_job(cli, pxweb_cube.serve(replay, make_cube(lambda c: 7.0)))
    assert result.exit_code == 1
    run = _last_run(session)
    assert run.status == RunStatus.failed and "RuntimeError: disk full" in run.message
    assert _values(session) == before


def test_unknown_municipalities_are_quarantined_and_the_rest_loads(cli, session, replay):
    areas = dict(AREAS, KU999="Tuntematon")
    url = pxweb_cube.serve(replay, make_cube(areas=areas))
    result = run_job(cli, url)
    assert result.exit_code == 0, result.output
    run = _last_run(session)
    assert (run.rows_accepted, run.rows_rejected) == (66, 12)
    rows = session.scalars(select(QuarantinedRow).where(QuarantinedRow.run_id == run.id)).all()
    assert {r.reason for r in rows} == {"municipality 999 is not in the reference geography"}
    assert {r.record["area"] for r in rows} == {"KU999"}


# --- aggregation across the Pertunmaa -> Mäntyharju merger -------------------------------

def _agg(session, level, measure="TYOTTOMATLOPUSSA") -> dict:
    frame = aggregate_values(session, DATASET, level, measures=[measure])
    return {(r.unit, r.period): (None if pd.isna(r.value) else r.value, r.members)
            for r in frame.itertuples()}


def test_aggregates_use_the_memberships_valid_in_each_month(cli, session, replay):
    assert run_job(cli, pxweb_cube.serve(replay, make_cube())).exit_code == 0
    add_network(session, "mikkeli-verkosto", "12", ["mikkelin-seutu"])
    dec, jan = dt.date(2024, 12, 1), dt.date(2025, 1, 1)
    v = {code: cell_value({"Alue": f"KU{code}", "Kuukausi": month, "Tiedot": MEASURES[0]})
         for code in ("091", "491", "507", "588", "593") for month in ["2024M12"]}
    jan_v = {code: cell_value({"Alue": f"KU{code}", "Kuukausi": "2025M01",
                               "Tiedot": MEASURES[0]}) for code in ("491", "507", "593")}

    county = _agg(session, "county")
    # 2024: Pertunmaa (588) counts for Etelä-Savo (12) with Mikkeli, Mäntyharju, Pieksämäki
    assert county[("12", dec)] == (v["491"] + v["507"] + v["588"] + v["593"], 4)
    assert county[("12", jan)] == (sum(jan_v.values()), 3)  # merged: once, via 507
    nation = _agg(session, "nation")
    assert nation[("FI", dec)] == (sum(v.values()), 5)
    assert nation[("FI", jan)][1] == 4

    areas = _agg(session, "employment_area")
    assert ("mikkelin-seutu", dec) not in areas  # employment areas start in 2025
    assert areas[("mikkelin-seutu", jan)] == (jan_v["491"] + jan_v["507"], 2)
    networks = _agg(session, "network")
    assert ("mikkeli-verkosto", dec) not in networks
    assert networks[("mikkeli-verkosto", jan)] == (jan_v["491"] + jan_v["507"], 2)


def test_a_release_restated_in_the_new_division_replaces_the_old_rows(cli, session, replay):
    assert run_job(cli, pxweb_cube.serve(replay, make_cube())).exit_code == 0
    dec = dt.date(2024, 12, 1)
    old_total = _agg(session, "county")[("12", dec)][0]

    # Statistics Finland republishes history in the current division: no KU588, and
    # Mäntyharju's 2024 values include Pertunmaa's.
    def restated(codes):
        if codes["Alue"] == "KU507" and codes["Kuukausi"] < "2025M01":
            return cell_value(codes) + cell_value(dict(codes, Alue="KU588"))
        return cell_value(codes)

    areas = {k: v for k, v in AREAS.items() if k != "KU588"}
    replay.routes.clear()
    replay.query_routes.clear()
    result = run_job(cli, pxweb_cube.serve(replay, make_cube(restated, areas=areas)))
    assert result.exit_code == 0, result.output
    assert "deleted" in result.output
    run = _last_run(session)
    assert "6 deleted" in run.message  # 588's 2024 rows: 2 months x 3 measures
    assert not [k for k in _values(session) if k[2] == "588"]
    assert _agg(session, "county")[("12", dec)] == (old_total, 3)  # not counted twice


def test_sums_of_a_month_with_a_blank_member_are_marked_incomplete(cli, session, replay):
    def with_blank(codes):
        return None if codes["Alue"] == "KU593" and codes["Kuukausi"] == "2025M02" else (
            cell_value(codes))

    assert run_job(cli, pxweb_cube.serve(replay, make_cube(with_blank))).exit_code == 0
    frame = aggregate_values(session, DATASET, "county", measures=["TYOTTOMATLOPUSSA"])
    row = frame[(frame["unit"] == "12") & (frame["period"] == dt.date(2025, 2, 1))].iloc[0]
    assert pd.isna(row["value"]) and row["status"] == "incomplete" and row["blank"] == 1


def test_the_content_fingerprint_ignores_row_order_but_not_values():
    from portal.registry.statistics.services import content_fingerprint

    frame = pd.DataFrame({"measure": ["A", "A", "B"], "level": ["municipality"] * 3,
                          "unit_code": ["091", "507", "091"],
                          "period_key": ["2025-01-01"] * 3, "value": [1.0, np.nan, 3.0],
                          "status": [None, "..", None]})
    scope = (["A", "B"], ["municipality"], dt.date(2025, 1, 1), dt.date(2025, 1, 1))
    same = content_fingerprint(frame.iloc[::-1], *scope)
    assert content_fingerprint(frame, *scope) == same
    changed = frame.assign(value=[1.0, np.nan, 4.0])
    assert content_fingerprint(changed, *scope) != same
    swapped = frame.assign(unit_code=["507", "091", "091"])
    assert content_fingerprint(swapped, *scope) != same
    assert content_fingerprint(frame, ["A"], *scope[1:]) != same
