"""The ``tym-registry/1`` format as data: record fields, their kinds, defaults and limits.

docs/registry-format.md is the specification; this module is its machine-readable form,
read by ``validate`` (what is allowed), ``load`` (defaults for optional fields) and
``export`` (field order). A field's ``kind`` names a check in ``validate``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from portal.registry.agreements.models import CostSharing, SectionCoding
from portal.registry.networks.models import ExceptionKind, NetworkStatus, OrgType
from portal.registry.staff.models import Sector, StaffOrganisation

FORMAT = "tym-registry/1"

SLUG_RE = re.compile(r"[a-z0-9-]+")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
SLUG_MAX = 80
NAME_MAX = 200
PROFESSION_MAX = 120
URL_MAX = 500
YEAR_MIN, YEAR_MAX = 2015, 2100
LEVEL_MIN, LEVEL_MAX = 1, 6

TYP_START = dt.date(2015, 1, 1)
TYP_END = dt.date(2024, 12, 31)

SECTIONS: tuple[str, ...] = tuple(str(n) for n in range(1, 13))
SERVICES: tuple[str, ...] = (
    "employment", "social", "health", "kela_rehabilitation", "benefit_advice")


def values(enum_cls) -> tuple[str, ...]:
    return tuple(member.value for member in enum_cls)


STATUSES = values(NetworkStatus)
ORG_TYPES = values(OrgType)
EXCEPTION_KINDS = values(ExceptionKind)
STAFF_ORGANISATIONS = values(StaffOrganisation)
SECTORS = values(Sector)
CODINGS = values(SectionCoding)
COST_SHARING = values(CostSharing)


@dataclass(frozen=True)
class Field:
    """One field of a record.

    ``kind``: ``format``, ``bool``, ``optional_bool``, ``slug``, ``text`` (non-empty
    string), ``string`` (any string), ``optional_text`` (string or null), ``date`` (ISO
    date or null), ``choice``, ``year``, ``level``, ``number``, ``url`` (http(s) or null),
    ``list``, ``object``. A missing optional field takes ``default``.
    """

    name: str
    kind: str
    required: bool = True
    default: Any = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None


def _optional(name: str, kind: str, default: Any = None, **kw) -> Field:
    return Field(name, kind, required=False, default=default, **kw)


TOP_LEVEL = (
    Field("format", "format"),
    Field("synthetic", "bool"),
    Field("source", "string"),  # may be empty: an empty registry has no source
    Field("networks", "list"),
    Field("typ_networks", "list"),
)

NETWORK = (
    Field("id", "slug", max_length=SLUG_MAX),
    Field("name_fi", "text", max_length=NAME_MAX),
    Field("name_sv", "text", max_length=NAME_MAX),
    Field("county", "text"),
    Field("status", "choice", choices=STATUSES),
    _optional("valid_from", "date"),
    _optional("valid_to", "date"),
    _optional("last_confirmed_on", "date"),
    Field("employment_areas", "list"),
    _optional("municipality_exceptions", "list", ()),
    _optional("leaders", "list", ()),
    _optional("steering_groups", "list", ()),
    _optional("agreements", "list", ()),
    _optional("staff", "list", ()),
    _optional("maturity", "list", ()),
)

EXCEPTION = (
    Field("municipality", "text"),
    Field("kind", "choice", choices=EXCEPTION_KINDS),
    _optional("reason", "string", ""),
)

LEADER = (
    Field("title", "text", max_length=NAME_MAX),
    Field("organisation", "text", max_length=NAME_MAX),
    _optional("name", "optional_text", max_length=NAME_MAX),
    _optional("public_contact", "optional_text", max_length=NAME_MAX),
    _optional("valid_from", "date"),
    _optional("valid_to", "date"),
)

STEERING_GROUP = (
    _optional("valid_from", "date"),
    _optional("valid_to", "date"),
    Field("chair", "choice", choices=ORG_TYPES),
    _optional("vice_chair", "choice", choices=ORG_TYPES),  # null allowed
    Field("seats", "object"),
    _optional("member_names", "object", {}),
)

AGREEMENT = (
    Field("parties", "list"),
    _optional("signed_on", "date"),
    _optional("valid_from", "date"),
    _optional("valid_to", "date"),
    _optional("document_url", "url", max_length=URL_MAX),
    _optional("sections", "object", {}),
    _optional("objectives_specific", "optional_bool"),
    _optional("target_group_defined", "optional_bool"),
    _optional("shared_service_points", "optional_bool"),
    _optional("services", "object", {}),
    _optional("cost_sharing", "choice", CostSharing.not_stated.value, choices=COST_SHARING),
    _optional("information_system", "string", "", max_length=NAME_MAX),
)

STAFF = (
    Field("year", "year"),
    Field("organisation", "choice", choices=STAFF_ORGANISATIONS),
    Field("profession", "text", max_length=PROFESSION_MAX),
    Field("sector", "choice", choices=SECTORS),
    Field("fte", "number"),
)

MATURITY = (
    Field("year", "year"),
    Field("level", "level"),
    _optional("assessed_on", "date"),
    _optional("notes", "string", ""),
)

TYP_NETWORK = (
    Field("id", "slug", max_length=SLUG_MAX),
    Field("name", "text", max_length=NAME_MAX),
    _optional("valid_from", "date"),
    _optional("valid_to", "date"),
    Field("municipalities", "list"),
)


def get(record: dict, fields: tuple[Field, ...], name: str) -> Any:
    """The value of field ``name`` in a validated ``record``, default when missing."""
    if name in record:
        return record[name]
    for f in fields:
        if f.name == name:
            return f.default
    raise KeyError(name)


def parse_date(value: str | None) -> dt.date | None:
    """A validated ISO date string (or null) as a date."""
    return None if value is None else dt.date.fromisoformat(value)
