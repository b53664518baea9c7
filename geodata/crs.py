"""Every coordinate reference system decision, in one place.

Web output (GeoJSON, TopoJSON) is always EPSG:4326 longitude/latitude. Anything that
measures or simplifies works in ETRS-TM35FIN (EPSG:3067), whose unit is the metre.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

WEB_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:3067"

# Generous boxes around Finland (land, sea areas and Åland) in each CRS, used to tell
# which CRS a file without one is in, and to catch files that are somewhere else.
FINLAND_LONLAT = (17.0, 58.5, 34.0, 71.0)
FINLAND_TM35FIN = (0.0, 6_500_000.0, 850_000.0, 7_900_000.0)


class CrsError(ValueError):
    """The coordinates cannot be placed in Finland with any known CRS."""


@lru_cache(maxsize=8)
def transformer(source: str, target: str) -> Transformer:
    """A cached transformer that always takes and gives (x, y) = (lon, lat) or (E, N)."""
    return Transformer.from_crs(source, target, always_xy=True)


def transform_xy(xy: np.ndarray, source: str, target: str) -> np.ndarray:
    """Transform an (n, 2) array of coordinates from ``source`` to ``target``."""
    if len(xy) == 0:
        return np.empty((0, 2))
    x, y = transformer(source, target).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def web_to_metric(xy: np.ndarray) -> np.ndarray:
    """Transform an (n, 2) array of lon/lat into metres (EPSG:3067)."""
    return transform_xy(xy, WEB_CRS, METRIC_CRS)


def metric_to_web(xy: np.ndarray) -> np.ndarray:
    """Transform an (n, 2) array of EPSG:3067 metres into lon/lat."""
    return transform_xy(xy, METRIC_CRS, WEB_CRS)


def crs_name(frame: gpd.GeoDataFrame) -> str:
    """``EPSG:nnnn`` (or the full definition) of a frame's CRS, for ``transform_xy``."""
    return frame.crs.to_string()


def to_metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs(METRIC_CRS)


def to_web(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs(WEB_CRS)


def _inside(bounds, box) -> bool:
    minx, miny, maxx, maxy = bounds
    return box[0] <= minx and box[1] <= miny and maxx <= box[2] and maxy <= box[3]


def guess_crs(bounds) -> str | None:
    """The CRS that coordinates with these bounds are most likely in, or ``None``.

    Only the two systems Finnish boundary files come in are recognised: lon/lat
    (EPSG:4326, also what a GeoJSON file without a CRS member means) and ETRS-TM35FIN.
    """
    if _inside(bounds, FINLAND_LONLAT):
        return WEB_CRS
    if _inside(bounds, FINLAND_TM35FIN):
        return METRIC_CRS
    return None


def with_known_crs(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str | None]:
    """Make sure ``frame`` has a CRS and lies in Finland; return it and a note, if any.

    A frame without a CRS gets the one its coordinates fit (see ``guess_crs``). A frame
    said to be in lon/lat whose coordinates are latitude first, or are ETRS-TM35FIN
    metres (a GeoJSON file without a ``crs`` member is lon/lat by definition, but older
    Finnish files are in metres), is read as what it is. Each such repair is described
    in the note. Raises ``CrsError`` when the coordinates do not fit Finland.
    """
    bounds = tuple(frame.total_bounds)
    if frame.crs is None:
        guessed = guess_crs(bounds)
        if guessed is None:
            raise CrsError(
                "the file has no coordinate reference system and its coordinates "
                f"(bounds {_fmt(bounds)}) are neither lon/lat nor ETRS-TM35FIN metres "
                "in Finland")
        return frame.set_crs(guessed), (
            f"the file has no coordinate reference system; its coordinates fit {guessed} "
            f"({CRS.from_user_input(guessed).name}), so that was assumed")
    if frame.crs.equals(CRS.from_user_input(WEB_CRS)) and not _inside(bounds, FINLAND_LONLAT):
        swapped = (bounds[1], bounds[0], bounds[3], bounds[2])
        if _inside(swapped, FINLAND_LONLAT):
            flipped = shapely.transform(frame.geometry.to_numpy(), lambda xy: xy[:, ::-1])
            frame = frame.set_geometry(gpd.GeoSeries(flipped, index=frame.index,
                                                     crs=frame.crs))
            return frame, ("the coordinates were in latitude/longitude order; they were "
                           "swapped to longitude/latitude")
        if _inside(bounds, FINLAND_TM35FIN):
            return frame.set_crs(METRIC_CRS, allow_override=True), (
                f"the coordinates are ETRS-TM35FIN metres although the file is read as "
                f"{WEB_CRS}; they were read as {METRIC_CRS}")
    web_bounds = tuple(frame.to_crs(WEB_CRS).total_bounds)
    if not _inside(web_bounds, FINLAND_LONLAT):
        raise CrsError(
            f"the features are not in Finland: in {WEB_CRS} they span {_fmt(web_bounds)} "
            f"(the file says its CRS is {frame.crs.to_string()}; is that right?)")
    return frame, None


def _fmt(bounds) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in bounds) + ")"
