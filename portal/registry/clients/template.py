"""The client-volume template (docs/client-volume-template.md): its columns, the Finnish
headers also accepted, and the blank files the portal serves."""

from __future__ import annotations

import io

from portal.registry.clients.models import COUNT_FIELDS

COLUMNS: tuple[str, ...] = ("network", "month", *COUNT_FIELDS)
FINNISH: dict[str, str] = {
    "network": "verkosto",
    "month": "kuukausi",
    "active_end": "asiakkaita_kuukauden_lopussa",
    "new_clients": "uudet_asiakkaat",
    "ended_employment": "paattyneet_tyollistyminen",
    "ended_education": "paattyneet_koulutus",
    "ended_rehabilitation": "paattyneet_kuntoutus_tai_muu_palvelu",
    "ended_other": "paattyneet_muu_syy",
    "assessments_started": "aloitetut_palvelutarpeen_arvioinnit",
}
ALIASES: dict[str, str] = {finnish: column for column, finnish in FINNISH.items()}
DESCRIPTIONS: dict[str, str] = {
    "network": "Network id as in the portal address, e.g. etela-savo-mikkeli",
    "month": "Month, YYYY-MM",
    "active_end": "Active clients at the end of the month",
    "new_clients": "New clients during the month",
    "ended_employment": "Client relationships ended: employment",
    "ended_education": "Client relationships ended: education",
    "ended_rehabilitation": "Client relationships ended: rehabilitation or another service",
    "ended_other": "Client relationships ended: other reason",
    "assessments_started": "Service-need assessments started during the month",
}


def blank_csv() -> bytes:
    """Header only, UTF-8 with a byte-order mark and ``;`` (opens right in Finnish Excel)."""
    return ("\ufeff" + ";".join(COLUMNS) + "\r\n").encode("utf-8")


def blank_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "client_volumes"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            14, len(column) + 2)
    guide = workbook.create_sheet("guide")
    guide.append(["column", "sarake (fi)", "meaning"])
    for column in COLUMNS:
        guide.append([column, FINNISH[column], DESCRIPTIONS[column]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
