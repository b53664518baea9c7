"""Build portal/reference_data/ from ../shared/reference (run by hand when the source changes).

The shared tables describe the division valid on 2025-01-01. The snapshot adds what
the registry needs to hold 2024 and 2025 side by side: validity dates, and the one
change between them (588 Pertunmaa merged into 507 Mäntyharju on 2025-01-01; in
2024 it belonged to the Etelä-Savo wellbeing county, 12). Employment areas start on
2025-01-01 (TE24 reform); wellbeing counties on 2023-01-01.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "reference"
OUT = ROOT / "portal" / "reference_data"

COUNTIES_START = "2023-01-01"
TE24_START = "2025-01-01"
SOURCE = "Statistics Finland classifications, CC BY 4.0 (kunta_1_20250101 correspondences)"
MERGERS = [  # (code, name_fi, name_sv, county in its last year, valid_to, merged into)
    ("588", "Pertunmaa", "Pertunmaa", "12", "2024-12-31", "507"),
]


def read(name: str) -> list[dict[str, str]]:
    with open(SHARED / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with open(OUT / name, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    counties = read("wellbeing_counties.csv")
    write(
        "wellbeing_counties.csv",
        ["code", "name_fi", "name_sv", "name_en", "unit_type", "in_tym_scope", "valid_from",
         "valid_to"],
        [[c["code"], c["name_fi"], c["name_sv"], c["name_en"], c["unit_type"],
          c["in_tym_scope"], COUNTIES_START, ""] for c in counties],
    )
    municipalities = read("municipalities_2025.csv")
    muni_rows = [[m["code"], m["name_fi"], m["name_sv"], "", "", ""] for m in municipalities]
    muni_rows += [[code, fi, sv, "", to, into] for code, fi, sv, _c, to, into in MERGERS]
    write("municipalities.csv",
          ["code", "name_fi", "name_sv", "valid_from", "valid_to", "merged_into_code"],
          sorted(muni_rows))
    county_rows = [[m["code"], m["wellbeing_county_code"], COUNTIES_START, ""]
                   for m in municipalities]
    county_rows += [[code, county, COUNTIES_START, to] for code, _f, _s, county, to, _i in MERGERS]
    write("county_memberships.csv",
          ["municipality_code", "county_code", "valid_from", "valid_to"], sorted(county_rows))
    areas = read("employment_areas_2025.csv")
    write(
        "employment_areas.csv",
        ["id", "statfi_code", "name_fi", "name_sv", "name_en", "organising_model",
         "host_municipality_code", "host_status", "valid_from", "valid_to"],
        [[a["id"], a["statfi_code"], a["name_fi"], a["name_sv"], a["name_en"],
          a["organising_model"], a["host_municipality_code"], a["host_status"], TE24_START, ""]
         for a in areas],
    )
    write(
        "employment_area_memberships.csv",
        ["municipality_code", "area_id", "valid_from", "valid_to"],
        sorted([m["code"], m["employment_area_id"], TE24_START, ""]
               for m in municipalities if m["employment_area_id"]),
    )
    (OUT / "SOURCE.md").write_text(
        "# Reference snapshot\n\n"
        "Built by `scripts/build_reference_snapshot.py` from the project's shared reference\n"
        "tables (municipal division valid 2025-01-01), plus validity dates and the 2025\n"
        "merger of 588 Pertunmaa into 507 Mäntyharju so that 2024 and 2025 are both held.\n\n"
        f"Attribution: {SOURCE}. Employment-area organising models and host municipalities\n"
        "from municipal and ministry web pages (see host_status: confirmed, strongly_implied,\n"
        "unconfirmed).\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
