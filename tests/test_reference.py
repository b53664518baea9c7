"""Reference geography: loading, idempotency, validity dates, bad input."""

from __future__ import annotations

import datetime as dt
import shutil

from sqlalchemy import delete, func, select

from portal.registry.geography.models import (
    CountyMembership,
    EmploymentArea,
    EmploymentAreaMembership,
    Level,
    Municipality,
    WellbeingCounty,
)
from portal.registry.geography.reference import SNAPSHOT_DIR
from portal.registry.geography.services import (
    census_on,
    counties_of_area,
    members_on,
    units_of_municipality,
)
from portal.registry.validity import valid_on

JAN_2025 = dt.date(2025, 1, 1)
MID_2024 = dt.date(2024, 6, 1)


def _empty(session) -> None:
    for model in (EmploymentAreaMembership, CountyMembership, EmploymentArea, Municipality,
                  WellbeingCounty):
        if model is Municipality:
            session.execute(Municipality.__table__.update().values(merged_into_code=None))
        session.execute(delete(model))
    session.commit()


def _row_counts(session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
            for m in (WellbeingCounty, Municipality, EmploymentArea, CountyMembership,
                      EmploymentAreaMembership)}


def test_load_reference_into_empty_database_gives_the_2025_division(cli, session):
    _empty(session)
    result = cli("load", "reference")
    assert result.exit_code == 0, result.output
    census = census_on(session, JAN_2025)
    assert (census.municipalities, census.employment_areas, census.counties) == (308, 45, 23)
    assert census_on(session, MID_2024).municipalities == 309
    # every mainland municipality valid on 2025-01-01 is in exactly one area and one county
    mainland = session.scalars(
        select(Municipality.code)
        .join(CountyMembership, CountyMembership.municipality_code == Municipality.code)
        .join(WellbeingCounty, WellbeingCounty.code == CountyMembership.county_code)
        .where(valid_on(Municipality, JAN_2025), valid_on(CountyMembership, JAN_2025),
               WellbeingCounty.in_tym_scope)).all()
    assert len(mainland) == len(set(mainland)) == 292
    for code in mainland:
        units = units_of_municipality(session, code, JAN_2025)
        assert units.county is not None and units.employment_area is not None, code


def test_second_load_changes_nothing(cli, session):
    before = _row_counts(session)
    result = cli("load", "reference")
    assert result.exit_code == 0
    assert "0 changes" in result.output
    assert _row_counts(session) == before


def test_pertunmaa_belongs_to_etela_savo_in_2024_and_is_merged_in_2025(session):
    etela_savo_2024 = {m.code for m in members_on(session, Level.county, "12", MID_2024)}
    etela_savo_2025 = {m.code for m in members_on(session, Level.county, "12", JAN_2025)}
    assert "588" in etela_savo_2024 and "588" not in etela_savo_2025
    assert etela_savo_2024 - etela_savo_2025 == {"588"}
    assert session.get(Municipality, "588").merged_into_code == "507"
    # no employment areas existed before the TE24 reform
    assert members_on(session, Level.employment_area, "mikkelin-seutu", MID_2024) == []
    assert "507" in {m.code for m in
                     members_on(session, Level.employment_area, "mikkelin-seutu", JAN_2025)}


def test_cross_county_employment_areas(session):
    spans = {a: [c.code for c in counties_of_area(session, a, JAN_2025)]
             for a in ("kainuu-koillismaa", "suupohja", "keski-savo", "etelainen-keski-suomi",
                       "kerava-sipoo")}
    assert spans == {"kainuu-koillismaa": ["19", "20"], "suupohja": ["16", "17"],
                     "keski-savo": ["12", "13"], "etelainen-keski-suomi": ["08", "15"],
                     "kerava-sipoo": ["01", "04"]}


def test_members_command_answers_for_a_date(cli):
    result = cli("members", "county", "12", "--on", "2024-06-01")
    assert result.exit_code == 0
    assert "588\tPertunmaa" in result.output
    result = cli("members", "county", "12", "--on", "2025-03-01")
    assert "Pertunmaa" not in result.output and "Mäntyharju" in result.output
    bad = cli("members", "county", "99")
    assert bad.exit_code != 0 and "no county with code '99'" in bad.output
    bad_date = cli("members", "county", "12", "--on", "2025-13-01")
    assert bad_date.exit_code != 0 and "is not a date" in bad_date.output


def _broken_snapshot(tmp_path, filename, transform):
    target = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT_DIR, target)
    path = target / filename
    path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def test_snapshot_with_wrong_columns_is_refused_and_nothing_changes(cli, session, tmp_path):
    before = _row_counts(session)
    source = _broken_snapshot(tmp_path, "municipalities.csv",
                              lambda s: s.replace("name_sv", "nimi_ruotsiksi", 1))
    result = cli("load", "reference", "--source", str(source))
    assert result.exit_code != 0
    assert "municipalities.csv: wrong columns: missing name_sv" in result.output
    assert _row_counts(session) == before


def test_snapshot_with_a_municipality_in_no_area_names_it(cli, session, tmp_path):
    source = _broken_snapshot(
        tmp_path, "employment_area_memberships.csv",
        lambda s: "\n".join(line for line in s.splitlines() if not line.startswith("091,")) + "\n")
    result = cli("load", "reference", "--source", str(source))
    assert result.exit_code != 0
    assert "municipality 091 Helsinki: in 0 employment areas on 2025-01-01" in result.output


def test_snapshot_with_bad_row_names_the_row(cli, tmp_path):
    source = _broken_snapshot(tmp_path, "employment_areas.csv",
                              lambda s: s.replace("host_municipality,049", "franchise,049", 1))
    result = cli("load", "reference", "--source", str(source))
    assert result.exit_code != 0
    assert "employment_areas.csv row 2: organising_model" in result.output


def test_unknown_source_is_refused(cli):
    result = cli("load", "reference", "--source", "/no/such/place")
    assert result.exit_code != 0 and "unknown reference source" in result.output
