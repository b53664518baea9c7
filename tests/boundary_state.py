"""What the boundary tables hold, to show that a failed load changed nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.registry.geography.models import AreaShape, BoundarySet


def boundary_state(session) -> dict:
    """Every boundary set's year and etag, and the number of shapes, as of now."""
    session.expire_all()
    return {
        "sets": sorted(session.execute(select(BoundarySet.year, BoundarySet.etag)).all()),
        "shapes": session.scalar(select(func.count()).select_from(AreaShape)),
    }
