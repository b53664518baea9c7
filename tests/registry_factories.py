"""Small hand-made registries for tests: networks built with the ORM on top of the
real reference geography loaded in the test database."""

from __future__ import annotations

import datetime as dt

from portal.registry.networks.models import (
    ExceptionKind,
    MunicipalityException,
    Network,
    NetworkArea,
    OrgType,
    SteeringGroup,
    SteeringSeat,
)

TYM_START = dt.date(2025, 1, 1)


def add_network(session, network_id: str, county: str, areas: list[str], *,
                include: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                seats: dict[OrgType, int] | None = None, valid_from=TYM_START) -> Network:
    network = Network(id=network_id, name_fi=network_id, name_sv=network_id,
                      county_code=county, valid_from=valid_from, source="test")
    network.areas = [NetworkArea(area_id=a) for a in areas]
    network.exceptions = (
        [MunicipalityException(municipality_code=m, kind=ExceptionKind.include) for m in include]
        + [MunicipalityException(municipality_code=m, kind=ExceptionKind.exclude)
           for m in exclude])
    if seats is not None:
        network.steering_groups = [SteeringGroup(
            chair=OrgType.employment_authority, vice_chair=OrgType.county_social,
            valid_from=valid_from,
            seats=[SteeringSeat(org_type=t, count=c) for t, c in seats.items()])]
    session.add(network)
    session.flush()
    return network
