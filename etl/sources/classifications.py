"""Statistics Finland classification service: the 2025 municipal correspondences as a bundle.

``fetch_reference_bundle`` reads two correspondence tables of the open classification API
(https://data.stat.fi/api/classifications/v2, CC BY 4.0) for one classification date,
municipality -> wellbeing county (``hyvinvointialue``) and municipality -> employment area
(``tyollisyysalue``), each in Finnish, Swedish and English, checks every answer and turns
them into a ``ReferenceBundle``. Memberships and names come from the service; everything
the service does not know (organising model, host municipality and its status, county
``unit_type``/``in_tym_scope``, validity of earlier periods) comes from ``base``, the
shipped snapshot. Any problem raises ``ClassificationError`` naming the table and what is
wrong; nothing is half-loaded.

The service's format, and where it was found
--------------------------------------------
* URL: ``{base}/correspondenceTables/{source}%23{target}/maps?content=data&meta=min&lang=xx``
  where a table's local id is ``<source classification>#<target classification>`` and the
  ``#`` is sent as ``%23``; ``lang`` is ``fi``, ``sv`` or ``en``.
  pttry/statficlassifications ``R/access_api.R`` builds exactly this (``access_API``:
  path ``correspondenceTables/<localId>/maps``, query ``content=data, meta=min, lang``,
  example local id ``kunta_1_20200101%23seutukunta_1_20200101``). That package is by
  Pellervo Economic Research PTT, not by Statistics Finland itself. We also send
  ``format=json``, as rOpenGov/geofi and other public clients do.
* rOpenGov/geofi ``inst/extras/municipality_keys.R`` (commit d99d699) lists the tables
  (``correspondenceTables?format=json``), keeps those whose id starts with
  ``kunta_1_YYYY0101#`` and names each key after the target id's prefix, which is where
  the ``hyvinvointialue`` and ``tyollisyysalue`` keys of its ``municipality_key_2025`` come
  from (see the project's reference/SOURCES.md). Without ``content=data`` the ``maps``
  answer is only a list of ``{"value": ".../maps/<source code>/<target code>"}`` URLs.
  geofi reads names per language from ``classifications/<id>/classificationItems``
  (``code``, ``classificationItemNames[].name``). When a classification has no names in a
  language, that answer is an empty list: geofi skips such a language with
  ``if (nrow(res) == 0) return()``.
* A stored copy of a real answer,
  ``correspondenceTables/toimiala_1_20020101%23toimiala_1_20080101/maps?content=data&meta=min&lang=fi``:
  a JSON **list** of maps, each
  ``{"sourceLocalId": "toimiala_1_20020101/L", "targetLocalId": "toimiala_1_20080101/A",
  "distributionSourceToTarget", "distributionTargetToSource", "modifiedDate", "validTo",
  "validFrom", "correspondenceTable": {"localId": "toimiala_1_20020101#toimiala_1_20080101",
  "sourceClassification", "targetClassification", "correspondenceTableTexts"},
  "source"/"target": {"localId", "nationalRecommendation", "internationalRecommendation",
  "classificationName": [{"langName", "lang", "name"}], "classificationDescription"},
  "sourceItem": {"localId", "level", "code", "order", ...}, "targetItem": {...}}``.
  Stored ``classificationItems`` answers (``alue_43_20220407``, ``toimiala_1_20080101``
  with ``lang=fi`` and ``lang=en``) show the rest of an item: ``modifiedDate``,
  ``parentItemLocalId``, ``parentCode``, ``classificationItemNames: [{"langName": "suomi",
  "lang": "fi", "name": ...}]`` holding **only the requested language**,
  ``explanatoryNotes``, ``classificationIndexEntry``.
* Public code found through the code index (the index does not name its repositories)
  agrees. One project downloads ``kunta_1_${year}0101#hyvinvointialue_1_${year}0101``.
  A Python client reads ``sourceItem.code`` and ``sourceItem.classificationItemNames``
  with ``meta=min`` and picks the name whose ``lang`` matches. Another reads
  ``sourceLocalId``/``targetLocalId`` and notes that with ``meta=max`` the target names are
  "not always inlined". That is why we ask for ``meta=min`` (as statficlassifications
  does) and look a name up by its ``lang``.

Not confirmed, so handled defensively:
* the id ``tyollisyysalue_1_YYYY0101``: only its prefix is documented (geofi's key
  names); the version number ``_1_`` is assumed, as in ``hyvinvointialue_1_YYYY0101``.
  A wrong id answers HTTP 404, reported as such.
* how the codes of the two targets are padded: county codes are accepted as ``1`` or
  ``01`` (stored ``01``), employment-area codes as ``1`` or ``01`` (stored as the number).
* the code and names of Åland's employment pseudo-area (``46`` "Ahvenanmaa", from geofi's
  pull, not a raw answer); it is dropped only for municipalities outside TYM.
* what a language without names looks like in a ``maps`` answer: for ``en`` an empty
  list or a missing name falls back to ``base``; Finnish and Swedish names are required.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from etl.sources.http import HttpClient, SourceError
from portal.registry.geography.reference import ReferenceBundle, ReferenceError, validate_bundle
from portal.registry.validity import is_valid_on

ALAND_PSEUDO_AREA_CODE = 46
LANGUAGES = ("fi", "sv", "en")
REQUIRED_LANGUAGES = ("fi", "sv")
SOURCE_CLASSIFICATION = "kunta"
_SHOWN_PROBLEMS = 10


class ClassificationError(RuntimeError):
    """The classification service could not be read or gave an unusable answer."""


@dataclass(frozen=True)
class TableSpec:
    """One correspondence table from municipalities to ``target``."""

    target: str  # classification name, e.g. "hyvinvointialue"
    label: str  # what it is, for messages
    code_width: int  # zero-pad target codes to this width; 0 = a plain number

    def local_id(self, on: dt.date) -> str:
        source, target = (classification_id(n, on) for n in (SOURCE_CLASSIFICATION, self.target))
        return f"{source}#{target}"


COUNTY_TABLE = TableSpec("hyvinvointialue", "municipality -> wellbeing county", 2)
AREA_TABLE = TableSpec("tyollisyysalue", "municipality -> employment area", 0)


def classification_id(name: str, on: dt.date) -> str:
    return f"{name}_1_{on:%Y%m%d}"


def maps_url(base_url: str, table_id: str, lang: str) -> str:
    """The URL of one table's maps in one language (``#`` in the id is sent as ``%23``)."""
    query = urlencode({"content": "data", "meta": "min", "lang": lang, "format": "json"})
    return f"{base_url.rstrip('/')}/correspondenceTables/{quote(table_id, safe='')}/maps?{query}"


# --- pure parsing ------------------------------------------------------------------------

@dataclass(frozen=True)
class MapRow:
    """One map of a ``maps`` answer: a municipality and its target, names in one language."""

    municipality: str
    municipality_name: str | None
    target: str
    target_name: str | None


@dataclass
class Correspondence:
    """One table in all languages: memberships and names, codes normalised."""

    table_id: str
    members: dict[str, str] = field(default_factory=dict)  # municipality -> target code
    municipality_names: dict[str, dict[str, str]] = field(default_factory=dict)
    target_names: dict[str, dict[str, str]] = field(default_factory=dict)


def _raise(what: str, problems: list[str]) -> None:
    shown = problems[:_SHOWN_PROBLEMS]
    more = (f"\n  ... and {len(problems) - _SHOWN_PROBLEMS} more"
            if len(problems) > _SHOWN_PROBLEMS else "")
    raise ClassificationError(f"{what}:\n  " + "\n  ".join(shown) + more)


def decode_json(body: bytes, content_type: str, what: str) -> Any:
    """Parse an answer body as JSON; say whether it was HTML, truncated or otherwise broken."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ClassificationError(f"{what}: answer is not UTF-8 text ({len(body)} bytes, "
                                  f"Content-Type {content_type or 'missing'})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        stripped = text.strip()
        if not stripped:
            problem = "answer is empty, not JSON"
        elif stripped.startswith("<"):
            start = " ".join(stripped[:80].split())
            problem = (f"answer is an HTML/XML page, not JSON (Content-Type "
                       f"{content_type or 'missing'}, begins {start!r})")
        elif exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            problem = (f"answer is truncated JSON: it stops after {len(body)} bytes, in the "
                       "middle of the document")
        else:
            problem = f"answer is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise ClassificationError(f"{what}: {problem}") from None


def _code(raw: Any, width: int) -> str | None:
    """A classification code as a string: digits, zero-padded to ``width`` (0: unpadded)."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        return None
    text = str(raw).strip()
    if not text.isdigit() or not text.isascii():
        return None
    return text.zfill(width) if width else str(int(text))


def _name(item: dict, lang: str) -> str | None:
    for entry in item.get("classificationItemNames") or ():
        if isinstance(entry, dict) and entry.get("lang") == lang and isinstance(
                entry.get("name"), str) and entry["name"].strip():
            return " ".join(entry["name"].split())  # stray and double spaces
    return None


def parse_maps(payload: Any, table_id: str, lang: str, code_width: int) -> list[MapRow]:
    """Check one ``maps`` answer and return its rows; raise ``ClassificationError``."""
    what = f"table {table_id} (lang={lang})"
    if isinstance(payload, dict):
        detail = payload.get("detail") or payload.get("error") or ", ".join(sorted(payload)[:5])
        raise ClassificationError(f"{what}: wrong structure: expected a list of maps, got an "
                                  f"object ({detail})")
    if not isinstance(payload, list):
        raise ClassificationError(f"{what}: wrong structure: expected a list of maps, got "
                                  f"{type(payload).__name__}")
    rows: list[MapRow] = []
    problems: list[str] = []
    for number, record in enumerate(payload, start=1):
        if not isinstance(record, dict):
            problems.append(f"map {number}: not an object")
            continue
        table = record.get("correspondenceTable")
        if isinstance(table, dict) and table.get("localId") not in (None, table_id):
            problems.append(f"map {number}: belongs to table {table.get('localId')!r}")
            continue
        source, target = record.get("sourceItem"), record.get("targetItem")
        if not isinstance(source, dict) or not isinstance(target, dict):
            problems.append(f"map {number}: sourceItem and targetItem must be objects")
            continue
        municipality = _code(source.get("code"), 3)
        target_code = _code(target.get("code"), code_width)
        if municipality is None or len(municipality) != 3:
            problems.append(f"map {number}: sourceItem.code {source.get('code')!r} is not a "
                            "3-digit municipality code")
            continue
        if target_code is None:
            problems.append(f"map {number} (municipality {municipality}): targetItem.code "
                            f"{target.get('code')!r} is not a numeric code")
            continue
        rows.append(MapRow(municipality, _name(source, lang), target_code, _name(target, lang)))
    if problems:
        _raise(f"{what}: wrong structure", problems)
    return rows


def combine_languages(table_id: str, answers: dict[str, list[MapRow]]) -> Correspondence:
    """Join the answers in each language into one table.

    Finnish defines the memberships and must not be empty; the other languages must
    agree with it. Finnish and Swedish names are required; English is used where given.
    """
    result = Correspondence(table_id)
    problems: list[str] = []
    fi_rows = answers.get("fi") or []
    if not fi_rows:
        raise ClassificationError(
            f"table {table_id} (lang=fi): the table is empty: no maps for this "
            "classification date")
    for lang, rows in answers.items():
        if not rows and lang not in REQUIRED_LANGUAGES:
            continue  # no names in this language: the caller falls back to the snapshot
        if not rows:
            problems.append(f"lang={lang}: the table is empty")
            continue
        members: dict[str, str] = {}
        for row in rows:
            earlier = members.setdefault(row.municipality, row.target)
            if earlier != row.target:
                problems.append(f"lang={lang}: municipality {row.municipality} is mapped to "
                                f"both {earlier} and {row.target}")
            for names, code, name in (
                    (result.municipality_names, row.municipality, row.municipality_name),
                    (result.target_names, row.target, row.target_name)):
                if name is not None:
                    names.setdefault(code, {}).setdefault(lang, name)
        if lang == "fi":
            result.members = members
        elif members != result.members:
            differ = sorted(code for code in set(members) | set(result.members)
                            if members.get(code) != result.members.get(code))
            problems.append(f"lang={lang}: the maps differ from lang=fi for municipalities "
                            f"{', '.join(differ[:10])}")
    for kind, names in (("municipality", result.municipality_names),
                        ("target", result.target_names)):
        codes = result.members if kind == "municipality" else set(result.members.values())
        for code in sorted(codes):
            missing = [lang for lang in REQUIRED_LANGUAGES if lang not in names.get(code, {})]
            if missing:
                problems.append(f"{kind} {code}: no name in {', '.join(missing)}")
    if problems:
        _raise(f"table {table_id}", problems)
    return result


# --- building the bundle -----------------------------------------------------------------

def merge_memberships(base_rows: Iterable[dict], unit_key: str, current: dict[str, str],
                      on: dt.date) -> list[dict]:
    """Memberships after learning the state on ``on`` (``current``: municipality -> unit).

    Rows of ``base_rows`` that ended before ``on`` are kept as they are. A membership that
    was already running on ``on`` with the same unit continues as the same row (its
    ``valid_from`` kept, open-ended); otherwise the running row ends the day before ``on``
    and a new open-ended row starts on ``on``. Base rows starting after ``on`` are
    superseded: the service's answer is the state from ``on`` on.
    """
    by_municipality: dict[str, list[dict]] = {}
    for row in base_rows:
        by_municipality.setdefault(row["municipality_code"], []).append(row)
    result: list[dict] = []
    for code in sorted(set(by_municipality) | set(current)):
        rows = sorted(by_municipality.get(code, []), key=lambda r: r["valid_from"] or dt.date.min)
        result.extend(dict(r) for r in rows if r["valid_to"] is not None and r["valid_to"] < on)
        unit = current.get(code)
        if unit is None:
            continue
        running = next((r for r in rows if is_valid_on(r["valid_from"], r["valid_to"], on)), None)
        if running is not None and running[unit_key] == unit:
            result.append(dict(running, valid_to=None))
            continue
        if running is not None and (running["valid_from"] is None or running["valid_from"] < on):
            result.append(dict(running, valid_to=on - dt.timedelta(days=1)))
        result.append({"municipality_code": code, unit_key: unit, "valid_from": on,
                       "valid_to": None})
    return result


def _names(unit: dict, names: dict[str, str], languages: Iterable[str]) -> dict:
    return dict(unit, **{f"name_{lang}": names.get(lang, unit[f"name_{lang}"])
                         for lang in languages})


def build_bundle(counties: Correspondence, areas: Correspondence, on: dt.date,
                 base: ReferenceBundle, source: str) -> ReferenceBundle:
    """The bundle for ``on``: memberships and names from the two tables, the rest from
    ``base``; raise ``ClassificationError`` listing every inconsistency."""
    problems: list[str] = []
    municipalities = {m["code"]: m for m in base.municipalities}
    base_counties = {c["code"]: c for c in base.counties}
    area_by_statfi = {a["statfi_code"]: a for a in base.employment_areas}
    in_scope = {c["code"] for c in base.counties if c["in_tym_scope"]}

    def label(code: str) -> str:
        known = municipalities.get(code)
        name = known["name_fi"] if known else counties.municipality_names.get(
            code, areas.municipality_names.get(code, {})).get("fi", "?")
        return f"municipality {code} {name}"

    for code in sorted(set(counties.members) | set(areas.members)):
        known = municipalities.get(code)
        if known is None:
            problems.append(f"{label(code)}: unknown municipality code, not in the reference "
                            "snapshot (a new municipality needs a snapshot update: its "
                            "predecessors and the date of the merger)")
        elif not is_valid_on(known["valid_from"], known["valid_to"], on):
            problems.append(f"{label(code)}: listed for {on}, but the reference snapshot says "
                            f"it existed {known['valid_from'] or '...'} to "
                            f"{known['valid_to'] or '...'}")
    for code, m in municipalities.items():
        if is_valid_on(m["valid_from"], m["valid_to"], on) and code not in counties.members:
            problems.append(f"{label(code)}: missing from {counties.table_id}")

    county_of: dict[str, str] = {}
    for code, county in sorted(counties.members.items()):
        unit = base_counties.get(county)
        if unit is None:
            name = counties.target_names.get(county, {}).get("fi", "?")
            problems.append(f"{label(code)}: unknown wellbeing county code {county} ({name}) "
                            f"in {counties.table_id}")
        elif not is_valid_on(unit["valid_from"], unit["valid_to"], on):
            problems.append(f"{label(code)}: county {county} is not valid on {on}")
        else:
            county_of[code] = county

    area_of: dict[str, str] = {}
    for code, raw in sorted(areas.members.items()):
        statfi = int(raw)
        name = areas.target_names.get(raw, {}).get("fi", "?")
        outside = code in county_of and county_of[code] not in in_scope
        if statfi == ALAND_PSEUDO_AREA_CODE:
            if not outside:
                problems.append(f"{label(code)}: mapped to Åland's pseudo-area {statfi} "
                                f"({name}) in {areas.table_id}, but its county is in TYM")
            continue
        area = area_by_statfi.get(statfi)
        if area is None:
            problems.append(f"{label(code)}: unknown employment area code {raw} ({name}) in "
                            f"{areas.table_id}; the reference snapshot has codes "
                            f"{min(area_by_statfi, default=0)}-{max(area_by_statfi, default=0)}"
                            " (a new area needs a frozen id in the snapshot)")
        elif outside:
            problems.append(f"{label(code)}: in county {county_of[code]} outside TYM, but "
                            f"mapped to employment area {raw} ({name})")
        elif not is_valid_on(area["valid_from"], area["valid_to"], on):
            problems.append(f"{label(code)}: employment area {area['id']} is not valid on {on}")
        else:
            area_of[code] = area["id"]
    for code, county in sorted(county_of.items()):
        if county in in_scope and code not in areas.members:
            problems.append(f"{label(code)}: missing from {areas.table_id}")
    if problems:
        _raise(f"the classification service's tables for {on} do not fit the reference data",
               problems)

    county_names = {code: counties.target_names.get(code, {}) for code in base_counties}
    area_names = {a["id"]: areas.target_names.get(_code(a["statfi_code"], 0), {})
                  for a in base.employment_areas}
    used_areas = set(area_of.values())
    bundle = ReferenceBundle(
        counties=[_names(c, county_names[c["code"]], LANGUAGES) for c in base.counties],
        municipalities=[_names(m, counties.municipality_names.get(m["code"], {}),
                               REQUIRED_LANGUAGES) for m in base.municipalities],
        employment_areas=[_names(a, area_names[a["id"]], LANGUAGES) if a["id"] in used_areas
                          else dict(a) for a in base.employment_areas],
        county_memberships=merge_memberships(base.county_memberships, "county_code",
                                             county_of, on),
        area_memberships=merge_memberships(base.area_memberships, "area_id", area_of, on),
        source=source,
    )
    try:
        validate_bundle(bundle, check_date=on)
    except ReferenceError as exc:
        _raise(f"the classification for {on} is not consistent", exc.problems)
    return bundle


# --- fetching ----------------------------------------------------------------------------

def fetch_table(client: HttpClient, base_url: str, spec: TableSpec, on: dt.date) -> Correspondence:
    """Fetch one table in every language and combine the answers."""
    table_id = spec.local_id(on)
    answers: dict[str, list[MapRow]] = {}
    for lang in LANGUAGES:
        url = maps_url(base_url, table_id, lang)
        what = f"table {table_id} ({spec.label}, lang={lang})"
        try:
            response = client.request("GET", url)
        except SourceError as exc:
            hint = (" (no such table: is there a classification dated "
                    f"{on:%Y-%m-%d}?)" if "HTTP 404" in str(exc) else "")
            raise ClassificationError(f"{what}: {exc}{hint}") from None
        payload = decode_json(response.content, response.headers.get("Content-Type", ""), what)
        answers[lang] = parse_maps(payload, table_id, lang, spec.code_width)
    return combine_languages(table_id, answers)


def fetch_reference_bundle(client: HttpClient, base_url: str, on: dt.date, *,
                           base: ReferenceBundle) -> ReferenceBundle:
    """Read the classification valid on ``on`` from the service at ``base_url``."""
    counties = fetch_table(client, base_url, COUNTY_TABLE, on)
    areas = fetch_table(client, base_url, AREA_TABLE, on)
    source = (f"Statistics Finland classifications, CC BY 4.0 ({COUNTY_TABLE.local_id(on)}, "
              f"{AREA_TABLE.local_id(on)} from {base_url.rstrip('/')})")
    return build_bundle(counties, areas, on, base, source)
