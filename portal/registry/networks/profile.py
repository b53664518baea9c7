"""One network as its page shows it, read from the registry for one date; the networks
of a county or an employment area; and a network's outline (its municipalities'
stored shapes dissolved into one).

Framework-free and read-only. Everything is derived on each call from the registry and
the reference geography (see ``services``), so a change shows the moment it is saved.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.topology import to_geojson_geometry
from portal.registry.agreements.models import (
    MODEL_SECTIONS,
    SERVICE_FLAGS,
    Agreement,
    SectionCoding,
)
from portal.registry.geography.boundaries import list_shapes
from portal.registry.geography.models import (
    AreaShape,
    BoundarySet,
    EmploymentArea,
    Level,
    Municipality,
    WellbeingCounty,
)
from portal.registry.geography.profiles import boundary_set_for
from portal.registry.networks.configuration import Classification, NetworkCover, classify
from portal.registry.networks.continuity import ContinuityResult
from portal.registry.networks.coverage import Geography, networks_on, reference_date
from portal.registry.networks.models import (
    ExceptionKind,
    Leader,
    MaturityAssessment,
    MunicipalityException,
    Network,
    OrgType,
    SteeringGroup,
    TypNetwork,
)
from portal.registry.networks.services import (
    Completeness,
    agreements_of,
    completeness,
    continuity_on,
    current,
    fte_by_organisation,
    get_network,
    health_share,
    staff_of,
)
from portal.registry.networks.steering import group_size, has_social_and_health, seat_counts
from portal.registry.staff.models import StaffResource
from portal.registry.validity import is_valid_on

# A network id as the registry format allows it (docs/registry-format.md); anything
# else cannot name a network and never reaches the database.
NETWORK_ID = re.compile(r"[a-z0-9-]{1,80}")


class UnknownNetwork(LookupError):
    """No network has that id."""


def find_network(session: Session, network_id: str) -> Network:
    """The network ``network_id`` (valid or not) with its governance loaded."""
    network = get_network(session, network_id) if NETWORK_ID.fullmatch(network_id) else None
    if network is None:
        raise UnknownNetwork(f"no network with id {network_id!r}")
    return network


# --- the parts of a profile ---------------------------------------------------------------

@dataclass(frozen=True)
class MunicipalityRow:
    municipality: Municipality
    area: EmploymentArea | None
    included: MunicipalityException | None = None  # added by an explicit exception


@dataclass(frozen=True)
class AreaPart:
    """A covered employment area: its municipalities in the network's county, of all."""

    area: EmploymentArea
    in_county: int
    total: int
    other_counties: list[WellbeingCounty]

    @property
    def whole(self) -> bool:
        return self.in_county == self.total


@dataclass(frozen=True)
class Composition:
    """A steering group with its seats per organisation type (size derived, never typed)."""

    group: SteeringGroup
    seats: dict[OrgType, int]
    names: dict[OrgType, list[str]]

    @property
    def size(self) -> int:
        return group_size(self.seats)

    @property
    def social_and_health(self) -> bool:
        return has_social_and_health(self.seats)

    @property
    def county_seats(self) -> int:
        return self.seats[OrgType.county_social] + self.seats[OrgType.county_health]


def composition(group: SteeringGroup) -> Composition:
    names = {OrgType(s.org_type): [n for n in s.member_names.splitlines() if n.strip()]
             for s in group.seats}
    return Composition(group, seat_counts(group),
                       {t: names.get(t, []) for t in OrgType})


@dataclass(frozen=True)
class SectionRow:
    number: int
    key: str  # MODEL_SECTIONS name, e.g. "objectives"
    coding: SectionCoding | None  # None: not coded


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    sections: list[SectionRow]
    services: dict[str, bool]  # SERVICE_FLAGS without the "services_" prefix

    @property
    def coded(self) -> bool:
        return any(s.coding is not None for s in self.sections)

    @property
    def present(self) -> int:
        return sum(s.coding in (SectionCoding.general, SectionCoding.specific)
                   for s in self.sections)

    @property
    def specific(self) -> int:
        return sum(s.coding == SectionCoding.specific for s in self.sections)

    @property
    def parties(self) -> list[str]:
        return [p for p in self.agreement.parties.splitlines() if p.strip()]


def agreement_view(agreement: Agreement) -> AgreementView:
    coded = {s.number: SectionCoding(s.coding) for s in agreement.sections}
    sections = [SectionRow(n, key, coded.get(n)) for n, key in enumerate(MODEL_SECTIONS, 1)]
    services = {flag.removeprefix("services_"): bool(getattr(agreement, flag))
                for flag in SERVICE_FLAGS}
    return AgreementView(agreement, sections, services)


@dataclass(frozen=True)
class StaffYear:
    year: int
    rows: list[StaffResource]
    by_organisation: dict[str, float]
    health_share: float | None

    @property
    def total(self) -> float:
        return sum(self.by_organisation.values())


def staff_years(rows: list[StaffResource]) -> list[StaffYear]:
    """Staff per year, latest year first."""
    years = sorted({r.year for r in rows}, reverse=True)
    out = []
    for year in years:
        of_year = [r for r in rows if r.year == year]
        out.append(StaffYear(year, of_year, fte_by_organisation(of_year), health_share(of_year)))
    return out


@dataclass
class NetworkProfile:
    network: Network
    on: dt.date
    valid: bool
    county: WellbeingCounty
    municipalities: list[MunicipalityRow]
    areas: list[AreaPart]
    excluded: list[MunicipalityException]
    steering: Composition | None
    steering_history: list[Composition]
    leaders: list[Leader]
    other_leaders: list[Leader]
    agreement: AgreementView | None
    other_agreements: list[Agreement]
    staff: list[StaffYear]
    maturity: list[MaturityAssessment]
    continuity: ContinuityResult | None
    typ_names: dict[str, str]
    configuration: Classification | None
    completeness: Completeness
    boundary_set: BoundarySet | None
    bounds: tuple[tuple[float, float], tuple[float, float]] | None
    codes: frozenset[str] = field(default_factory=frozenset)

    @property
    def id(self) -> str:
        return self.network.id


def _by_start(record) -> dt.date:
    return record.valid_from or dt.date.min


def network_profile(session: Session, network_id: str, on: dt.date) -> NetworkProfile:
    """Everything the network's page shows on ``on``; ``UnknownNetwork`` if no such id.

    A network not in force on ``on`` gets a profile with ``valid=False``: its records
    are shown, its municipalities are those the date's geography gives it.
    """
    network = find_network(session, network_id)
    valid = is_valid_on(network.valid_from, network.valid_to, on)
    geography = Geography(session, on)
    codes = geography.municipalities_of(network)
    county = session.get(WellbeingCounty, network.county_code)
    area_of = {m: a for a, members in geography.area_members.items() for m in members}
    areas = {a.id: a for a in session.scalars(select(EmploymentArea))}
    municipalities = sorted(
        session.scalars(select(Municipality).where(Municipality.code.in_(codes))),
        key=lambda m: (m.name_fi, m.code))
    included = {e.municipality_code: e for e in network.exceptions
                if e.kind == ExceptionKind.include}
    rows = [MunicipalityRow(m, areas.get(area_of.get(m.code)), included.get(m.code))
            for m in municipalities]

    county_of = {m: c for c, members in geography.county_members.items() for m in members}
    counties = {c.code: c for c in session.scalars(select(WellbeingCounty))}
    parts = []
    for link in network.areas:
        members = geography.area_members.get(link.area_id, frozenset())
        in_county = members & geography.county_members.get(network.county_code, frozenset())
        others = sorted({county_of[m] for m in members if m in county_of}
                        - {network.county_code})
        parts.append(AreaPart(areas[link.area_id], len(in_county), len(members),
                              [counties[c] for c in others]))

    groups = sorted(network.steering_groups, key=_by_start)
    group = current(groups, on)
    leaders = sorted(network.leaders, key=_by_start)
    in_force = [x for x in leaders if is_valid_on(x.valid_from, x.valid_to, on)]
    agreements = agreements_of(session, network.id)
    agreement = current(agreements, on)
    staff = staff_of(session, network.id)
    continuity = continuity_on(session, on if valid else reference_date(network))
    boundary_set = boundary_set_for(session, on)
    return NetworkProfile(
        network=network, on=on, valid=valid, county=county, municipalities=rows,
        areas=parts,
        excluded=[e for e in network.exceptions if e.kind == ExceptionKind.exclude],
        steering=composition(group) if group else None,
        steering_history=[composition(g) for g in groups],
        leaders=in_force,
        other_leaders=[x for x in leaders if x not in in_force],
        agreement=agreement_view(agreement) if agreement else None,
        other_agreements=sorted((a for a in agreements if a is not agreement), key=_by_start),
        staff=staff_years(staff),
        maturity=sorted(network.maturity, key=lambda m: m.year, reverse=True),
        continuity=continuity.get(network.id),
        typ_names=dict(session.execute(select(TypNetwork.id, TypNetwork.name)).all()),
        configuration=classify_county(session, geography, network.county_code),
        completeness=completeness(network, agreements, staff, on),
        boundary_set=boundary_set,
        bounds=outline_bounds(session, boundary_set, codes),
        codes=codes,
    )


def classify_county(session: Session, geography: Geography, county: str,
                    networks: list[Network] | None = None) -> Classification | None:
    """The configuration type of one county on the geography's date (None outside TYM).
    ``networks``: the networks valid on that date, when the caller has them already."""
    unit = session.get(WellbeingCounty, county)
    if unit is None or not unit.in_tym_scope:
        return None
    if networks is None:
        networks = networks_on(session, geography.on)
    covers = {n.id: NetworkCover(frozenset(a.area_id for a in n.areas),
                                 geography.municipalities_of(n))
              for n in networks if n.county_code == county}
    return classify(county, geography.county_members.get(county, frozenset()),
                    geography.areas_in_county(county), covers)


# --- the networks of a county or an employment area -------------------------------------

@dataclass(frozen=True)
class NetworkCoverage:
    """A network and what it covers of the unit whose page lists it."""

    network: Network
    county: WellbeingCounty
    areas: list[EmploymentArea]
    municipalities: int  # of the network, or of the area inside the network


@dataclass(frozen=True)
class CountyNetworks:
    networks: list[NetworkCoverage]
    configuration: Classification | None


def county_networks(session: Session, county: str, on: dt.date) -> CountyNetworks:
    """The networks of county ``county`` valid on ``on`` and the county's configuration."""
    geography = Geography(session, on)
    unit = session.get(WellbeingCounty, county)
    areas = {a.id: a for a in session.scalars(select(EmploymentArea))}
    valid = networks_on(session, on)
    rows = [NetworkCoverage(n, unit, [areas[a.area_id] for a in n.areas],
                            len(geography.municipalities_of(n)))
            for n in valid if n.county_code == county]
    return CountyNetworks(rows, classify_county(session, geography, county, valid))


def area_networks(session: Session, area_id: str, on: dt.date) -> list[NetworkCoverage]:
    """The networks valid on ``on`` that cover (a part of) employment area ``area_id``;
    ``municipalities`` counts the area's municipalities in each network."""
    geography = Geography(session, on)
    members = geography.area_members.get(area_id, frozenset())
    counties = {c.code: c for c in session.scalars(select(WellbeingCounty))}
    areas = {a.id: a for a in session.scalars(select(EmploymentArea))}
    return [NetworkCoverage(n, counties[n.county_code], [areas[a.area_id] for a in n.areas],
                            len(geography.municipalities_of(n) & members))
            for n in networks_on(session, on) if any(a.area_id == area_id for a in n.areas)]


# --- the outline ------------------------------------------------------------------------

def _municipality_shapes(session: Session, boundary_set: BoundarySet,
                         codes: frozenset[str]) -> list[AreaShape]:
    return list(session.scalars(
        select(AreaShape).where(AreaShape.boundary_set_id == boundary_set.id,
                                AreaShape.level == Level.municipality,
                                AreaShape.code.in_(sorted(codes)))
        .order_by(AreaShape.code)))


def outline_bounds(session: Session, boundary_set: BoundarySet | None, codes: frozenset[str],
                   ) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """((south, west), (north, east)) of the municipalities ``codes``, None without shapes."""
    if boundary_set is None or not codes:
        return None
    shapes = _municipality_shapes(session, boundary_set, codes)
    if not shapes:
        return None
    return ((min(s.min_lat for s in shapes), min(s.min_lon for s in shapes)),
            (max(s.max_lat for s in shapes), max(s.max_lon for s in shapes)))


def outline_feature(session: Session, network: Network, boundary_set: BoundarySet,
                    codes: frozenset[str]) -> str | None:
    """The network's outline as a GeoJSON Feature (text): the union of its municipalities'
    shapes in ``boundary_set``, EPSG:4326. None when none of them has a shape."""
    shapes = _municipality_shapes(session, boundary_set, codes)
    if not shapes:
        return None
    union = shapely.union_all([shapely.from_geojson(s.geometry) for s in shapes])
    bbox = [min(s.min_lon for s in shapes), min(s.min_lat for s in shapes),
            max(s.max_lon for s in shapes), max(s.max_lat for s in shapes)]
    feature = {"type": "Feature", "id": network.id, "bbox": bbox,
               "properties": {"level": "network", "code": network.id,
                              "name_fi": network.name_fi, "name_sv": network.name_sv,
                              "municipalities": sorted(s.code for s in shapes)},
               "geometry": to_geojson_geometry(union)}
    return json.dumps(feature, ensure_ascii=False, separators=(",", ":"))


def all_counties(session: Session) -> dict[str, WellbeingCounty]:
    """Every county unit by code (valid or not: the lists name them whatever the date)."""
    return {c.code: c for c in session.scalars(select(WellbeingCounty))}


def county_shapes(session: Session, boundary_set: BoundarySet) -> dict[str, str]:
    """County code → its stored GeoJSON geometry text in ``boundary_set``."""
    return {s.code: s.geometry for s in list_shapes(session, boundary_set.year, Level.county)}
