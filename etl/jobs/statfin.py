"""Job ``statfin_pxweb``: one StatFin PxWeb table, monthly by municipality.

Extract: read ``?config`` (limits) and the table's metadata, map the area, time and
measure variables by code, request JSON-stat2 in as many POSTs as the limits need.
Transform: ``etl.transforms.statfin.to_values`` (pure). Load: one transaction that makes
the stored values equal to the answer (``sync_values``) and records the release.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import select

from etl.runs import JobContext, JobFailed, Outcome, now
from etl.sources.pxweb import PxWebClient, PxWebError, map_variables, plan_queries
from etl.transforms.statfin import month_of, to_values, wanted_areas
from portal.registry.geography.models import Municipality
from portal.registry.statistics.services import sync_values, upsert_dataset

ATTRIBUTION = "Statistics Finland, employment service statistics (CC BY 4.0)"


def dataset_id_for(table: str) -> str:
    """``StatFin/tyonv/12r5.px`` -> ``statfin-tyonv-12r5``."""
    parts = [p for p in table.strip("/").removesuffix(".px").split("/") if p]
    if parts and parts[0].lower() == "statfin":
        parts = parts[1:]
    return "statfin-" + "-".join(p.lower() for p in parts)


def municipality_frame(session) -> pd.DataFrame:
    rows = session.execute(select(Municipality.code, Municipality.name_fi,
                                  Municipality.valid_from, Municipality.valid_to,
                                  Municipality.merged_into_code)).all()
    return pd.DataFrame(rows, columns=["code", "name", "valid_from", "valid_to", "merged_into"])


def run(context: JobContext, *, table: str, area_variable: str = "Alue",
        time_variable: str = "Kuukausi", measure_variable: str = "Tiedot",
        measures: Sequence[str] | None = None, first_period: str | None = None,
        last_period: str | None = None, non_additive: Sequence[str] = (),
        base_url: str | None = None) -> Outcome:
    base = (base_url or context.settings["STATFIN_URL"]).rstrip("/")
    dataset_id = dataset_id_for(table)
    outcome = Outcome(source=f"{base}/{table.strip('/')}")
    with context.http_client() as http:
        client = PxWebClient(http, base)
        try:
            limits = client.limits()
            meta = client.metadata(table)
            variables = map_variables(meta, {"area": area_variable, "time": time_variable,
                                             "measure": measure_variable}, f"table {table}")
            others = [v.code for v in meta.variables
                      if v.code not in {area_variable, time_variable, measure_variable}]
            if others:
                raise JobFailed(f"table {table} has variables this job does not select: "
                                f"{', '.join(others)}", outcome)
            selections = _selections(table, variables, measures, first_period, last_period,
                                     outcome)
            ordered = {v.code: selections[v.code] for v in meta.variables}
            queries = plan_queries(ordered, limits.max_values, [time_variable, area_variable])
            answers = [client.fetch(table, q, f"table {table} (request {n} of {len(queries)})")
                       for n, q in enumerate(queries, start=1)]
        except PxWebError as exc:
            raise JobFailed(str(exc), outcome) from None
    retrieved_at = now()
    for answer in answers:
        missing = {area_variable, time_variable, measure_variable} - set(answer.frame.columns)
        if missing:
            dimensions = [c for c in answer.frame.columns if c not in ("value", "status")]
            raise JobFailed(f"table {table}: the answer has no dimension "
                            f"{', '.join(sorted(missing))} (dimensions: "
                            f"{', '.join(dimensions)})", outcome)
    frame = pd.concat([a.frame for a in answers], ignore_index=True)
    release = max((a.updated for a in answers), default="")
    outcome.rows_read = len(frame)
    outcome.source_version = release

    units = {}
    for answer in answers:
        units.update(answer.units)
    measure_var = variables["measure"]
    texts = dict(zip(measure_var.values, measure_var.value_texts, strict=False))
    measure_info = {
        code: {"label": texts.get(code, code),
               "unit": str(units.get(code, {}).get("base", "")),
               "additive": code not in non_additive
               and "%" not in str(units.get(code, {}).get("base", ""))}
        for code in selections[measure_variable]}

    with context.database.transaction(context.actor) as session:
        transformed = to_values(frame, area_variable, time_variable, measure_variable,
                                municipality_frame(session))
        outcome.rejected.extend(transformed.rejected)
        values = transformed.values
        outcome.rows_accepted = len(values)
        periods = [month_of(p) for p in selections[time_variable]]
        fields = {"source": "statfin", "frequency": "month", "title": meta.title,
                  "url": outcome.source, "attribution": ATTRIBUTION, "release": release,
                  "measures": measure_info, "metadata_": {"variables": {
                      "area": area_variable, "time": time_variable,
                      "measure": measure_variable}}}
        dataset, dataset_changed = upsert_dataset(session, dataset_id, fields)
        report = sync_values(session, dataset_id, values, run_id=context.run_id,
                             retrieved_at=retrieved_at, measures=measure_info,
                             levels=["municipality", "nation"], start=min(periods),
                             end=max(periods))
        if report.changed or dataset_changed:
            dataset.run_id, dataset.retrieved_at = context.run_id, retrieved_at
            session.flush()
    outcome.rows_changed = report.changed
    notes = [f"{dataset_id}: {report.summary()}"]
    if transformed.blank_outside_validity:
        notes.append(f"{transformed.blank_outside_validity} blank cells of municipalities "
                     "that did not exist in that month were not stored")
    if outcome.rejected:
        notes.append(f"{len(outcome.rejected)} cells quarantined")
    notes.append(f"{len(answers)} data requests (limit {limits.max_values} values, "
                 f"{limits.max_calls} calls / {limits.time_window:g} s)")
    outcome.message = "; ".join(notes)
    return outcome


def _selections(table, variables, measures, first_period, last_period, outcome) -> dict:
    area, time, measure = variables["area"], variables["time"], variables["measure"]
    areas = wanted_areas(list(area.values))
    if not areas:
        raise JobFailed(f"table {table}: variable {area.code!r} has no municipality (KU...) "
                        "or whole-country (SSS) values", outcome)
    if measures is None:
        chosen = list(measure.values)
    else:
        unknown = [m for m in measures if m not in measure.values]
        if unknown:
            raise JobFailed(f"table {table}: variable {measure.code!r} has no value "
                            f"{', '.join(map(repr, unknown))} (it has: "
                            f"{', '.join(measure.values)})", outcome)
        chosen = list(measures)
    bad = [m for m in time.values if month_of(m) is None]
    if bad:
        raise JobFailed(f"table {table}: variable {time.code!r} has values that are not "
                        f"months (YYYYMmm): {', '.join(bad[:5])}", outcome)
    low = month_of(first_period) if first_period else None
    high = month_of(last_period) if last_period else None
    months = [m for m in time.values if (low is None or month_of(m) >= low)
              and (high is None or month_of(m) <= high)]
    if not months:
        raise JobFailed(f"table {table}: no months between {first_period or '...'} and "
                        f"{last_period or '...'}", outcome)
    return {area.code: areas, time.code: months, measure.code: chosen}
