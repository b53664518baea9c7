"""Translated names for the registry's codes, fields and tables, as the editing forms
and the change history show them. Functions, so each call translates into the
language of the request."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from portal.registry.agreements.models import MODEL_SECTIONS


def roles() -> dict[str, str]:
    return {"admin": gettext("Administrator"), "monitor": gettext("Monitor"),
            "editor": gettext("Network editor")}


def role_label(role: str) -> str:
    return roles().get(role, role)


def org_types() -> dict[str, str]:
    return {"employment_authority": gettext("Employment authority"),
            "county_social": gettext("Wellbeing county, social services"),
            "county_health": gettext("Wellbeing county, health services"),
            "kela": gettext("Kela"),
            "other": gettext("Other organisation")}


def statuses() -> dict[str, str]:
    return {"draft": gettext("Draft"),
            "confirmed": gettext("Confirmed by the network"),
            "verified": gettext("Verified by the monitoring authority")}


def sections() -> dict[str, str]:
    """The 12 sections of Kuntaliitto's 2024 model agreement."""
    names = {"purpose": gettext("Purpose"), "parties": gettext("Parties"),
             "area": gettext("Area"), "steering_group": gettext("Steering group"),
             "objectives": gettext("Objectives"),
             "organisation": gettext("Ways of organising the service"),
             "services": gettext("Services offered"), "staff": gettext("Staff"),
             "leader": gettext("The person leading the cooperation and their tasks"),
             "costs": gettext("Costs"),
             "information_system": gettext("Client data and information system"),
             "validity": gettext("Validity and amendment")}
    return {str(n): names[key] for n, key in enumerate(MODEL_SECTIONS, start=1)}


def codings() -> dict[str, str]:
    return {"absent": gettext("Absent"), "general": gettext("Present, general"),
            "specific": gettext("Present, specific to the network")}


def cost_sharing() -> dict[str, str]:
    return {"not_stated": gettext("Not stated"),
            "each_bears_own": gettext("Each party bears its own costs"),
            "shared_by_formula": gettext("Shared by a formula"),
            "host_pays": gettext("The host pays"),
            "other": gettext("Other arrangement")}


def services() -> dict[str, str]:
    return {"employment": gettext("Employment services"),
            "social": gettext("Social services"),
            "health": gettext("Health services"),
            "kela_rehabilitation": gettext("Kela's rehabilitation"),
            "benefit_advice": gettext("Benefit advice")}


def staff_organisations() -> dict[str, str]:
    return {"employment_authority": gettext("Employment authority"),
            "county": gettext("Wellbeing county"), "kela": gettext("Kela"),
            "other": gettext("Other organisation")}


def sectors() -> dict[str, str]:
    return {"employment": gettext("Employment services"), "social": gettext("Social care"),
            "health": gettext("Health care"), "benefits": gettext("Benefits"),
            "other": gettext("Other")}


def maturity_steps() -> dict[int, str]:
    """The six steps of the 2024 national recommendations' cooperation maturity."""
    return {
        1: gettext("No interaction."),
        2: gettext("Interaction, but not regular."),
        3: gettext("Regular interaction and cooperation, but the whole and its goals have "
                   "not been discussed together."),
        4: gettext("People in different roles cooperate regularly, and shared goals are "
                   "defined."),
        5: gettext("Cooperation is an important part of operations, and the joint goals "
                   "support each organisation's goals."),
        6: gettext("Operations form a whole: cooperation is natural in every sector, and "
                   "shared strategic goals link to each organisation's strategy."),
    }


def parts() -> dict[str, str]:
    return {"details": gettext("Basic details"), "leaders": gettext("Leaders"),
            "steering_groups": gettext("Steering group"),
            "agreements": gettext("Cooperation agreement"),
            "staff": gettext("Staff resources"),
            "maturity": gettext("Maturity self-assessment")}


def tables() -> dict[str, str]:
    return {"networks": gettext("Network"), "network_areas": gettext("Employment area covered"),
            "network_municipality_exceptions": gettext("Municipality exception"),
            "network_leaders": gettext("Leader"), "steering_groups": gettext("Steering group"),
            "steering_seats": gettext("Steering-group seats"),
            "agreements": gettext("Cooperation agreement"),
            "agreement_sections": gettext("Agreement section"),
            "agreement_documents": gettext("Agreement document"),
            "staff_resources": gettext("Staff resources"),
            "maturity_assessments": gettext("Maturity self-assessment")}


def actions() -> dict[str, str]:
    return {"insert": gettext("added"), "update": gettext("changed"),
            "delete": gettext("removed"), "restore": gettext("restored")}


def fields() -> dict[str, str]:
    return {
        "name_fi": gettext("Name in Finnish"), "name_sv": gettext("Name in Swedish"),
        "status": gettext("Status"), "valid_from": gettext("Valid from"),
        "valid_to": gettext("Valid until"),
        "last_confirmed_on": gettext("Record last confirmed current"),
        "county_code": gettext("Wellbeing county"), "synthetic": gettext("Synthetic data"),
        "source": gettext("Source"), "area_id": gettext("Employment area"),
        "municipality_code": gettext("Municipality"), "kind": gettext("Kind"),
        "reason": gettext("Reason"), "title": gettext("Title"),
        "organisation": gettext("Organisation"), "name": gettext("Name"),
        "public_contact": gettext("Public contact"), "chair": gettext("Chair"),
        "vice_chair": gettext("Vice-chair"), "org_type": gettext("Organisation type"),
        "count": gettext("Seats"), "member_names": gettext("Published member names"),
        "parties": gettext("Parties"), "signed_on": gettext("Signed on"),
        "document_url": gettext("Link to the agreement document"),
        "objectives_specific": gettext("Objectives are specific"),
        "target_group_defined": gettext("Target group is defined"),
        "shared_service_points": gettext("Shared service points"),
        "services_employment": gettext("Employment services"),
        "services_social": gettext("Social services"),
        "services_health": gettext("Health services"),
        "services_kela_rehabilitation": gettext("Kela's rehabilitation"),
        "services_benefit_advice": gettext("Benefit advice"),
        "cost_sharing": gettext("Cost sharing"),
        "information_system": gettext("Information system"),
        "number": gettext("Section"), "coding": gettext("Coding"),
        "year": gettext("Year"), "profession": gettext("Profession"),
        "sector": gettext("Sector"), "fte": gettext("Full-time equivalents"),
        "level": gettext("Level"), "assessed_on": gettext("Assessed on"),
        "notes": gettext("Notes"), "filename": gettext("File name"),
        "content_type": gettext("File type"), "size": gettext("Size in bytes"),
        "sha256": gettext("Checksum (SHA-256)"), "uploaded_at": gettext("Uploaded at"),
        "uploaded_by": gettext("Uploaded by"), "proposal": gettext("Proposed coding"),
        "proposal_status": gettext("Proposal status"),
    }


_VALUE_LABELS = {
    "status": statuses, "chair": org_types, "vice_chair": org_types, "org_type": org_types,
    "coding": codings, "cost_sharing": cost_sharing, "organisation": None,
    "sector": sectors,
}


def value(field: str, raw: Any, table: str = "") -> str:
    """A stored value as the history shows it."""
    if raw is None or raw == "":
        return "–"
    if isinstance(raw, bool):
        return gettext("yes") if raw else gettext("no")
    if field == "organisation" and table == "staff_resources":
        return staff_organisations().get(raw, str(raw))
    names = _VALUE_LABELS.get(field)
    if names is not None and isinstance(raw, str):
        return names().get(raw, raw)
    if isinstance(raw, float):
        return f"{raw:g}"
    return str(raw)
