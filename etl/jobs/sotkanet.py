"""Job ``sotkanet``: the indicators listed in ``SOTKANET_INDICATORS`` (or ``indicators``),
each stored as dataset ``sotkanet-<id>`` per municipality and wellbeing county and year,
with the indicator's metadata (title, ``limits``, ``data-updated``). All indicators load
in one transaction: a failure anywhere loads none of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from etl.runs import JobContext, JobFailed, Outcome, now
from etl.sources.sotkanet import SotkanetClient, SotkanetError
from etl.transforms.sotkanet import MEASURE, region_index, to_values
from portal.registry.geography.models import Municipality, WellbeingCounty
from portal.registry.statistics.services import sync_values, upsert_dataset

ATTRIBUTION = "THL, Sotkanet (CC BY 4.0)"


def configured_indicators(text: str) -> list[int]:
    ids = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not part.isdigit():
            raise JobFailed(f"TYM_SOTKANET_INDICATORS: {part!r} is not an indicator id")
        ids.append(int(part))
    return ids


def run(context: JobContext, *, indicators: Sequence[int] | None = None,
        first_year: int = 2019, last_year: int | None = None,
        base_url: str | None = None) -> Outcome:
    base = (base_url or context.settings["SOTKANET_URL"]).rstrip("/")
    ids = list(indicators) if indicators is not None else configured_indicators(
        context.settings.get("SOTKANET_INDICATORS", ""))
    outcome = Outcome(source=base)
    if not ids:
        outcome.message = "no indicators configured (TYM_SOTKANET_INDICATORS): nothing to load"
        return outcome
    years = list(range(first_year, (last_year or dt.date.today().year) + 1))
    fetched = []
    with context.http_client() as http:
        client = SotkanetClient(http, base)
        try:
            regions = region_index(client.regions())
            for indicator_id in ids:
                fetched.append((indicator_id, client.indicator(indicator_id),
                                client.data(indicator_id, years)))
        except SotkanetError as exc:
            raise JobFailed(str(exc), outcome) from None
    retrieved_at = now()
    notes, versions = [], []
    with context.database.transaction(context.actor) as session:
        municipalities = set(session.scalars(select(Municipality.code)))
        counties = set(session.scalars(select(WellbeingCounty.code)))
        for indicator_id, meta, rows in fetched:
            transformed = to_values(rows, indicator_id, regions, municipalities, counties)
            outcome.rows_read += len(rows)
            outcome.rows_accepted += len(transformed.values)
            outcome.rejected.extend(transformed.rejected)
            dataset_id = f"sotkanet-{indicator_id}"
            updated = str(meta.get("data-updated") or meta.get("dataUpdated") or "")
            title = meta.get("title") if isinstance(meta.get("title"), dict) else {}
            fields = {
                "source": "sotkanet", "frequency": "year",
                "title": str(title.get("fi") or title.get("en") or ""),
                "url": f"{base}/indicators/{indicator_id}", "attribution": ATTRIBUTION,
                "release": updated,
                "measures": {MEASURE: {"label": title, "additive": False}},
                "metadata_": {k: meta.get(k) for k in (
                    "title", "limits", "data-updated", "range", "organization",
                    "decimals", "primary-region-type") if k in meta},
            }
            dataset, dataset_changed = upsert_dataset(session, dataset_id, fields)
            report = sync_values(session, dataset_id, transformed.values,
                                 run_id=context.run_id, retrieved_at=retrieved_at,
                                 measures=[MEASURE], levels=["municipality", "county"],
                                 start=dt.date(years[0], 1, 1), end=dt.date(years[-1], 1, 1))
            if report.changed or dataset_changed:
                dataset.run_id, dataset.retrieved_at = context.run_id, retrieved_at
                session.flush()
            outcome.rows_changed += report.changed
            versions.append(f"{indicator_id}: {updated or '?'}")
            other = ", ".join(f"{c or '?'} {n}" for c, n in sorted(
                transformed.other_levels.items()))
            notes.append(f"{dataset_id}: {report.summary()}"
                         + (f" (rows of other region levels not stored: {other})"
                            if other else ""))
    outcome.source_version = "data-updated " + "; ".join(versions)
    if outcome.rejected:
        notes.append(f"{len(outcome.rejected)} rows quarantined")
    outcome.message = "; ".join(notes)
    return outcome
