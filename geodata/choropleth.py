"""A choropleth map for the indicator pages, built like the other folium maps
(``geodata.maps``): local Leaflet, geometry fetched from the cacheable shared-arc
topology (never inlined), the script served from its own URL.

Each area is filled with its class's colour (classes and colours come from the caller:
quantile classes of the data and a colour-blind-safe sequential palette); an area with
no value is grey and says why. Areas that are not in the topology (TYM networks) are
built in the browser by merging their municipalities (``topojson.merge``), so no network
geometry has to be stored or sent twice. Every area has a tooltip with its names and
value, and is a keyboard-focusable link named the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import folium
from folium.template import Template

from geodata.maps import FINLAND_BOUNDS, MapAssets, MapTexts, Tiles, _base_map, _LinkedAreas

# ColorBrewer YlGnBu: sequential and safe for the common colour-vision deficiencies.
PALETTES = {
    1: ("#2c7fb8",),
    2: ("#a1dab4", "#2c7fb8"),
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
}
NO_DATA = "#d9d9d9"


@dataclass(frozen=True)
class Area:
    """One area's class (None: no value), the text its tooltip and label show, and, for
    an area built from municipalities, those municipality codes and its names."""

    category: int | None
    text: str
    members: tuple[str, ...] = ()
    name_fi: str = ""
    name_sv: str = ""


class ChoroplethLayer(_LinkedAreas):
    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var objectName = {{ this.object_name|tojson }};
            var href = {{ this.href|tojson }};
            var colours = {{ this.colours|tojson }};
            var noData = {{ this.no_data|tojson }};
            var areas = {{ this.areas|tojson }};
            var grouped = {{ this.grouped|tojson }};
            var locale = {{ this.locale|tojson }};
            {{ this.shared_functions }}
            map.attributionControl.addAttribution({{ this.attribution|tojson }});
            tymLoad(map, fetch({{ this.url|tojson }}, {credentials: 'same-origin'}),
                    {{ this.status|tojson }}, function (topology) {
                var features;
                if (grouped) {
                    var byCode = {};
                    topology.objects[objectName].geometries.forEach(function (g) {
                        byCode[g.id] = g;
                    });
                    features = Object.keys(areas).sort().map(function (code) {
                        var area = areas[code];
                        var parts = area.members.map(function (m) { return byCode[m]; })
                            .filter(function (g) { return g; });
                        return {type: 'Feature', id: code,
                                properties: {name_fi: area.name_fi, name_sv: area.name_sv},
                                geometry: topojson.merge(topology, parts)};
                    }).filter(function (f) { return f.geometry.coordinates.length; });
                    features = {type: 'FeatureCollection', features: features};
                } else {
                    features = topojson.feature(topology, topology.objects[objectName]);
                }
                var layer = L.geoJSON(null, {
                    filter: function (feature) { return grouped || areas[feature.id]; },
                    style: function (feature) {
                        var area = areas[feature.id];
                        var fill = (area && area.category !== null) ?
                            colours[area.category] : noData;
                        return Object.assign({fillColor: fill, className:
                            'tym-area tym-choropleth-area'}, {{ this.style|tojson }});
                    },
                    onEachFeature: function (feature, path) {
                        var area = areas[feature.id] || {text: ''};
                        tymLinkArea(layer, path, feature, {
                            href: href, locale: locale, highlight: {{ this.highlight|tojson }},
                            line: {className: 'tym-value', text: area.text},
                            data: {'class': area.category === null ||
                                            area.category === undefined ? 'none' :
                                            String(area.category)}});
                    }
                });
                layer.addData(features);
                layer.addTo(map);
                map.getContainer().setAttribute('data-drawn', String(
                    layer.getLayers().length));
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, url: str, object_name: str, *, href: str, colours: Sequence[str],
                 areas: Mapping[str, Area], grouped: bool, locale: str, attribution: str,
                 texts: MapTexts, status_id: str, topojson_js: str):
        super().__init__("ChoroplethLayer", url, locale=locale, attribution=attribution,
                         texts=texts, status_id=status_id, topojson_js=topojson_js)
        self.object_name = object_name
        self.href = href
        self.colours = list(colours)
        self.no_data = NO_DATA
        self.areas = {code: {"category": a.category, "text": a.text,
                             "members": list(a.members), "name_fi": a.name_fi,
                             "name_sv": a.name_sv} for code, a in sorted(areas.items())}
        self.grouped = grouped
        self.style = {"color": "#4d4d4d", "weight": 1, "opacity": 1, "fillOpacity": 0.9}
        self.highlight = {"weight": 3, "color": "#000000"}


def choropleth_map(assets: MapAssets, topology_url: str, object_name: str, *, href: str,
                   colours: Sequence[str], areas: Mapping[str, Area], grouped: bool = False,
                   locale: str, attribution: str, texts: MapTexts, status_id: str,
                   tiles: Tiles | None = None, key: str = "choropleth") -> folium.Map:
    """A map of Finland with ``areas`` of a topology object (or, ``grouped``, built from
    its municipalities) filled by class."""
    m = _base_map(key, assets, tiles, texts, location=(64.5, 26.0), zoom_start=5,
                  min_zoom=4, max_zoom=11)
    m.fit_bounds(FINLAND_BOUNDS)
    ChoroplethLayer(topology_url, object_name, href=href, colours=colours, areas=areas,
                    grouped=grouped, locale=locale, attribution=attribution, texts=texts,
                    status_id=status_id, topojson_js=assets.topojson_js).add_to(m)
    return m


def quantile_breaks(values: Sequence[float], classes: int = 5) -> list[float]:
    """Upper bounds of up to ``classes`` quantile classes of ``values`` (distinct, sorted;
    the last is the maximum). Fewer distinct values give fewer classes."""
    data = sorted(values)
    if not data:
        return []
    distinct = sorted(set(data))
    if len(distinct) <= classes:
        return distinct
    breaks = []
    for k in range(1, classes + 1):
        position = k * len(data) / classes
        value = data[min(len(data) - 1, max(0, int(round(position)) - 1))]
        if not breaks or value > breaks[-1]:
            breaks.append(value)
    if breaks[-1] != data[-1]:
        breaks.append(data[-1])
    return breaks


def classify(value: float, breaks: Sequence[float]) -> int:
    for index, upper in enumerate(breaks):
        if value <= upper:
            return index
    return len(breaks) - 1
