"""Sotkanet: indicator metadata (limits, data-updated) stored, municipality and
wellbeing-county values loaded from recorded-format answers replayed locally, other
region levels counted, bad rows quarantined, errors leaving the data untouched."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from etl.transforms.sotkanet import region_index, to_values
from portal.registry.etl.models import JobRun, QuarantinedRow, RunStatus
from portal.registry.statistics.models import StatisticDataset, StatisticValue
from tests.replay_server import Answer

API = "/rest/1.1"
REGIONS = [
    {"id": 52, "code": "091", "category": "KUNTA", "title": {"fi": "Helsinki", "sv": "Helsingfors"},
     "uri": "http://sotkanet.fi/rest/1.1/regions/52"},
    {"id": 333, "code": "507", "category": "KUNTA", "title": {"fi": "Mäntyharju"}},
    {"id": 370, "code": "588", "category": "KUNTA", "title": {"fi": "Pertunmaa"}},
    {"id": 901, "code": "12", "category": "HYVINVOINTIALUE",
     "title": {"fi": "Etelä-Savon hyvinvointialue"}},
    {"id": 902, "code": "90", "category": "HYVINVOINTIALUE", "title": {"fi": "Helsinki"}},
    {"id": 1, "code": "SSS", "category": "MAA", "title": {"fi": "Koko maa"}},
    {"id": 600, "code": "10", "category": "MAAKUNTA", "title": {"fi": "Etelä-Savo"}},
    {"id": 999, "code": "999", "category": "KUNTA", "title": {"fi": "Tuntematon"}},
]
META = {"id": 127, "title": {"fi": "Toimeentulotukea saaneet henkilöt vuoden aikana",
                             "sv": "Personer som fått utkomststöd under året",
                             "en": "Persons receiving social assistance during the year"},
        "organization": {"id": 2, "title": {"fi": "THL"}},
        "limits": {"fi": "Alle 5 henkilön luvut on salattu.", "en": "Counts under 5 hidden."},
        "data-updated": "2025-03-14", "range": {"start": 1990, "end": 2024},
        "primary-region-type": "KUNTA", "decimals": 0}


def data_rows(value_091=9646.0):
    return [
        {"indicator": 127, "region": 52, "year": 2023, "gender": "total", "value": value_091},
        {"indicator": 127, "region": 52, "year": 2024, "gender": "total", "value": 9801},
        {"indicator": 127, "region": 333, "year": 2023, "gender": "total", "value": 120},
        {"indicator": 127, "region": 370, "year": 2023, "gender": "total", "value": 31},
        {"indicator": 127, "region": 901, "year": 2023, "gender": "total", "value": 5210},
        {"indicator": 127, "region": 902, "year": 2024, "gender": "total", "value": None},
        {"indicator": 127, "region": 1, "year": 2023, "gender": "total", "value": 250000},
        {"indicator": 127, "region": 600, "year": 2023, "gender": "total", "value": 5300},
        {"indicator": 127, "region": 999, "year": 2023, "gender": "total", "value": 1},
        {"indicator": 127, "region": 4242, "year": 2023, "gender": "total", "value": 1},
    ]


def serve(replay, rows=None, meta=None, regions=None) -> str:
    replay.add(f"{API}/regions", *(regions or [Answer(json.dumps(REGIONS).encode())]))
    replay.add(f"{API}/indicators/127", *(meta or [Answer(json.dumps(META).encode())]))
    replay.add(f"{API}/json", *(rows or [Answer(json.dumps(data_rows()).encode())]))
    return replay.url + API


def run(cli, url, **settings):
    return cli("etl", "run", "sotkanet", SOTKANET_URL=url, SOTKANET_INDICATORS="127",
               **settings)


def _values(session):
    return {(v.level, v.unit_code, v.period.year): (v.value, v.status) for v in session.scalars(
        select(StatisticValue).where(StatisticValue.dataset_id == "sotkanet-127"))}


def _last(session) -> JobRun:
    return session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()


def test_to_values_keeps_municipalities_and_counties():
    result = to_values(data_rows(), 127, region_index(REGIONS), {"091", "507", "588"},
                       {"12", "90"})
    assert result.values[["level", "unit_code"]].values.tolist() == [
        ["municipality", "091"], ["municipality", "091"], ["municipality", "507"],
        ["municipality", "588"], ["county", "12"], ["county", "90"]]
    assert dict(result.other_levels) == {"MAA": 1, "MAAKUNTA": 1}
    assert [r.reason for r in result.rejected] == [
        "KUNTA code '999' is not a municipality of the reference geography",
        "region id 4242 is not in Sotkanet's /regions"]


@pytest.mark.parametrize("row, reason", [
    ({"indicator": 128, "region": 52, "year": 2023, "value": 1}, "indicator 128 is not 127"),
    ({"indicator": 127, "region": 52, "year": 2023, "gender": "male", "value": 1},
     "gender 'male' was not asked for (total)"),
    ({"indicator": 127, "region": 52, "year": "2023", "value": 1}, "year '2023' is not a year"),
    ({"indicator": 127, "region": 52, "year": 2023, "value": "many"},
     "value 'many' is not a number"),
])
def test_unreadable_rows_are_refused(row, reason):
    result = to_values([row], 127, region_index(REGIONS), {"091"}, set())
    assert [r.reason for r in result.rejected] == [reason]
    assert result.rejected[0].row_number == 1


def test_the_job_loads_values_and_metadata(cli, session, replay):
    url = serve(replay)
    result = run(cli, url)
    assert result.exit_code == 0, result.output
    assert _values(session) == {
        ("municipality", "091", 2023): (9646.0, None),
        ("municipality", "091", 2024): (9801.0, None),
        ("municipality", "507", 2023): (120.0, None), ("municipality", "588", 2023): (31.0, None),
        ("county", "12", 2023): (5210.0, None), ("county", "90", 2024): (None, "..")}
    dataset = session.get(StatisticDataset, "sotkanet-127")
    assert dataset.release == "2025-03-14" and dataset.frequency == "year"
    assert dataset.metadata_["limits"]["fi"] == "Alle 5 henkilön luvut on salattu."
    assert dataset.metadata_["data-updated"] == "2025-03-14"
    assert dataset.title == "Toimeentulotukea saaneet henkilöt vuoden aikana"
    record = _last(session)
    assert record.status == RunStatus.succeeded
    assert (record.rows_read, record.rows_accepted, record.rows_rejected) == (10, 6, 2)
    assert record.source_version == "data-updated 127: 2025-03-14"
    assert "rows of other region levels not stored: MAA 1, MAAKUNTA 1" in record.message
    reasons = {r.reason for r in session.scalars(select(QuarantinedRow).where(
        QuarantinedRow.run_id == record.id))}
    assert "region id 4242 is not in Sotkanet's /regions" in reasons
    asked = [s for s in replay.seen if s.path == f"{API}/json"][0].query
    assert asked.startswith("indicator=127&years=2019&years=2020")
    assert asked.endswith("&genders=total")
    # the same answers again change nothing
    again = run(cli, url)
    assert again.exit_code == 0 and _last(session).rows_changed == 0


FAILURES = {
    "429": ([Answer(b'{"error":"rate"}', status=429, headers={"Retry-After": "0"})],
            ["Sotkanet data of indicator 127", "HTTP 429", "after 2 attempts"]),
    "500": ([Answer(b"Internal Server Error", status=500, content_type="text/plain")],
            ["HTTP 500: Internal Server Error"]),
    "truncated": ([Answer(json.dumps(data_rows()).encode()[:120])],
                  ["Sotkanet data of indicator 127: the answer is truncated JSON"]),
    "timeout": ([Answer(json.dumps(data_rows()).encode(), delay=1.5)],
                ["no answer within 0.5 s"]),
    "not a list": ([Answer(b'{"message": "indicator not found"}')],
                   ["Sotkanet data of indicator 127: expected a list of values"]),
}


@pytest.mark.parametrize("kind", list(FAILURES))
def test_a_failing_answer_leaves_the_data(cli, session, replay, kind):
    assert run(cli, serve(replay)).exit_code == 0
    before = _values(session)
    replay.routes.clear()
    answers, fragments = FAILURES[kind]
    result = run(cli, serve(replay, rows=answers), HTTP_TIMEOUT=0.5)
    assert result.exit_code == 1
    record = _last(session)
    assert record.status == RunStatus.failed
    for fragment in fragments:
        assert fragment in record.message
    assert _values(session) == before


def test_unknown_indicator_metadata_fails_cleanly(cli, session, replay):
    url = serve(replay, meta=[Answer(b'{"id": 999}')])
    result = run(cli, url)
    assert result.exit_code == 1
    assert "Sotkanet indicator 127 metadata: not the metadata of indicator 127" in result.output
    assert session.get(StatisticDataset, "sotkanet-127") is None


def test_a_bad_indicator_setting_is_reported(cli, replay):
    result = cli("etl", "run", "sotkanet", SOTKANET_URL=serve(replay),
                 SOTKANET_INDICATORS="127,abc")
    assert result.exit_code == 1
    assert "TYM_SOTKANET_INDICATORS: 'abc' is not an indicator id" in result.output
