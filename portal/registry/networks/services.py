"""Read services over the network registry: what the pages, the API and the CLI show.

Every derived figure (municipalities, configuration type, continuity, steering-group
composition, health share, completeness) is computed here from the registry, never
stored, so it is current the moment the registry changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.registry.agreements.models import MODEL_SECTIONS, Agreement
from portal.registry.geography.models import Municipality
from portal.registry.networks.configuration import (
    Classification,
    ConfigType,
    classify_counties,
    distribution,
)
from portal.registry.networks.continuity import (
    ContinuityResult,
    apply_mergers,
    classify_continuity,
)
from portal.registry.networks.coverage import Geography, networks_on, reference_date
from portal.registry.networks.models import (
    Leader,
    MaturityAssessment,
    Network,
    SteeringGroup,
    TypNetwork,
)
from portal.registry.networks.steering import SteeringSummary, seat_counts, summarise
from portal.registry.staff.models import Sector, StaffOrganisation, StaffResource
from portal.registry.validity import is_valid_on

STALE_AFTER_DAYS = 365


def get_network(session: Session, network_id: str) -> Network | None:
    return session.scalar(
        select(Network).where(Network.id == network_id).options(
            selectinload(Network.areas), selectinload(Network.exceptions),
            selectinload(Network.leaders),
            selectinload(Network.steering_groups).selectinload(SteeringGroup.seats),
            selectinload(Network.maturity)))


def current(records, on: dt.date):
    """The record of a list of dated records in force on ``on`` (latest start wins)."""
    valid = [r for r in records if is_valid_on(r.valid_from, r.valid_to, on)]
    return max(valid, key=lambda r: r.valid_from or dt.date.min, default=None)


def agreements_of(session: Session, network_id: str) -> list[Agreement]:
    return list(session.scalars(
        select(Agreement).where(Agreement.network_id == network_id)
        .options(selectinload(Agreement.sections))
        .order_by(Agreement.valid_from.desc().nulls_last(), Agreement.id)))


def staff_of(session: Session, network_id: str) -> list[StaffResource]:
    return list(session.scalars(
        select(StaffResource).where(StaffResource.network_id == network_id)
        .order_by(StaffResource.year.desc(), StaffResource.organisation,
                  StaffResource.profession)))


def agreements_by_network(session: Session, network_ids: list[str]) -> dict[str, list[Agreement]]:
    """``agreements_of`` for many networks in one query (every id present)."""
    found: dict[str, list[Agreement]] = {i: [] for i in network_ids}
    for agreement in session.scalars(
            select(Agreement).where(Agreement.network_id.in_(network_ids))
            .options(selectinload(Agreement.sections))
            .order_by(Agreement.valid_from.desc().nulls_last(), Agreement.id)):
        found[agreement.network_id].append(agreement)
    return found


def staff_by_network(session: Session, network_ids: list[str]) -> dict[str, list[StaffResource]]:
    """``staff_of`` for many networks in one query (every id present)."""
    found: dict[str, list[StaffResource]] = {i: [] for i in network_ids}
    for row in session.scalars(
            select(StaffResource).where(StaffResource.network_id.in_(network_ids))
            .order_by(StaffResource.year.desc(), StaffResource.organisation,
                      StaffResource.profession)):
        found[row.network_id].append(row)
    return found


def health_share(rows: list[StaffResource]) -> float | None:
    """Share of the county's FTE that is health care (None when the county has none)."""
    county = [r for r in rows if r.organisation == StaffOrganisation.county]
    total = sum(r.fte for r in county)
    if not total:
        return None
    return sum(r.fte for r in county if r.sector == Sector.health) / total


def fte_by_organisation(rows: list[StaffResource]) -> dict[str, float]:
    totals = {o.value: 0.0 for o in StaffOrganisation}
    for r in rows:
        totals[StaffOrganisation(r.organisation).value] += r.fte
    return totals


def agreement_completeness(agreement: Agreement | None) -> float | None:
    """Share of the 12 model-agreement sections present (general or specific)."""
    if agreement is None or not agreement.sections:
        return None
    present = sum(1 for s in agreement.sections if s.coding.value != "absent")
    return present / len(MODEL_SECTIONS)


@dataclass
class Completeness:
    """What a network's record lacks, as codes the templates translate."""

    missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return 1 - len(self.missing) / len(COMPLETENESS_ITEMS)


COMPLETENESS_ITEMS = ("leader", "steering_group", "agreement", "agreement_coding", "staff",
                      "maturity", "confirmed_recently")


def completeness(network: Network, agreements: list[Agreement], staff: list[StaffResource],
                 on: dt.date) -> Completeness:
    missing = []
    if current(network.leaders, on) is None:
        missing.append("leader")
    if current(network.steering_groups, on) is None:
        missing.append("steering_group")
    agreement = current(agreements, on)
    if agreement is None:
        missing.append("agreement")
    if agreement is None or not agreement.sections:
        missing.append("agreement_coding")
    if not any(r.year == on.year for r in staff):
        missing.append("staff")
    if not any(m.year == on.year for m in network.maturity):
        missing.append("maturity")
    if (network.last_confirmed_on is None
            or (on - network.last_confirmed_on).days > STALE_AFTER_DAYS):
        missing.append("confirmed_recently")
    return Completeness(missing)


def typ_sets(session: Session) -> dict[str, frozenset[str]]:
    """TYP networks' municipality sets, mapped through municipal mergers."""
    merged_into = dict(session.execute(
        select(Municipality.code, Municipality.merged_into_code)
        .where(Municipality.merged_into_code.is_not(None))).all())
    typ = session.scalars(select(TypNetwork).options(selectinload(TypNetwork.municipalities)))
    return {p.id: apply_mergers(frozenset(m.municipality_code for m in p.municipalities),
                                merged_into) for p in typ}


def continuity_on(session: Session, on: dt.date) -> dict[str, ContinuityResult]:
    """Continuity class of every network valid on ``on`` (coverage at the network's start)."""
    networks = networks_on(session, on)
    geographies: dict[dt.date, Geography] = {}
    tym = {}
    for n in networks:
        when = reference_date(n)
        if when not in geographies:  # one Geography per date (setdefault would build one each)
            geographies[when] = Geography(session, when)
        geography = geographies[when]
        tym[n.id] = geography.municipalities_of(n)
    return classify_continuity(tym, typ_sets(session))


def steering_summary_on(session: Session, on: dt.date) -> SteeringSummary:
    groups = [current(n.steering_groups, on) for n in networks_on(session, on)]
    return summarise(seat_counts(g) for g in groups if g is not None)


@dataclass
class Overview:
    on: dt.date
    classifications: dict[str, Classification]
    distribution: dict[ConfigType, int]
    continuity: dict[str, ContinuityResult]
    steering: SteeringSummary
    networks: list[Network]
    municipality_counts: dict[str, int]
    completeness: dict[str, Completeness]
    synthetic: bool


def overview(session: Session, on: dt.date) -> Overview:
    """Everything the national overview page shows, computed once."""
    networks = networks_on(session, on)
    geography = Geography(session, on)
    classifications = classify_counties(session, on)
    agreements = agreements_by_network(session, [n.id for n in networks])
    staff = staff_by_network(session, [n.id for n in networks])
    return Overview(
        on=on,
        classifications=classifications,
        distribution=distribution(classifications),
        continuity=continuity_on(session, on),
        steering=steering_summary_on(session, on),
        networks=networks,
        municipality_counts={n.id: len(geography.municipalities_of(n)) for n in networks},
        completeness={n.id: completeness(n, agreements[n.id], staff[n.id], on)
                      for n in networks},
        synthetic=is_synthetic(session),
    )


def is_synthetic(session: Session) -> bool:
    """True when the registry holds generated demonstration data."""
    return bool(session.scalar(select(Network.id).where(Network.synthetic).limit(1))
                or session.scalar(select(TypNetwork.id).where(TypNetwork.synthetic).limit(1)))


def networks_of_county(session: Session, county_code: str, on: dt.date) -> list[Network]:
    return [n for n in networks_on(session, on) if n.county_code == county_code]


def latest_maturity(network: Network) -> MaturityAssessment | None:
    return max(network.maturity, key=lambda m: m.year, default=None)


def leaders_on(network: Network, on: dt.date) -> list[Leader]:
    return [x for x in network.leaders if is_valid_on(x.valid_from, x.valid_to, on)]

