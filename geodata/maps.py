"""Folium map builders for the portal's pages.

No Flask here: every URL (the vendored Leaflet files, the topology, the area pages) is
passed in by the caller, so the same builders serve the web app, a static export or a
notebook. The maps never point a browser at another host: folium's default CDN links
(Leaflet, jQuery, Bootstrap, Font Awesome) are replaced by the local URLs in
``MapAssets``, and the base-map tile layer exists only when a tile URL is given.

Geometry is never inlined in the page: the custom elements below fetch it with
``fetch()`` from a cacheable URL (the shared-arc TopoJSON of a boundary set, or one
area's GeoJSON) and build the Leaflet layers in the browser.

``render_map`` turns a map into its parts: the JavaScript (to be served from its own
URL, so a strict Content-Security-Policy needs no inline script), the script and
stylesheet URLs the page must load first, and the id of the ``<div>`` the script
draws into. Element ids are deterministic (``map_<key>``, ``<kind>_<n>``), so the
same inputs always give byte-identical JavaScript that can be cached and hashed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import folium
import shapely
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from shapely.ops import polylabel

# Mainland Finland and Åland, [[south, west], [north, east]] in EPSG:4326 lat/lon.
FINLAND_BOUNDS = ((59.7, 19.0), (70.1, 31.6))


@dataclass(frozen=True)
class MapAssets:
    """Local URLs of the libraries the maps need (see scripts/vendor_assets.py)."""

    leaflet_js: str
    leaflet_css: str
    topojson_js: str


@dataclass(frozen=True)
class Tiles:
    """An optional base map: a Leaflet URL template and its attribution (plain text)."""

    url: str
    attribution: str


@dataclass(frozen=True)
class AreaLayer:
    """One switchable layer of the national map, built from a TopoJSON object.

    ``href`` is the URL of a unit's page with ``{code}`` where the unit code goes;
    ``css_class`` is put on every drawn path (tests and stylesheets find them by it).
    """

    object_name: str
    label: str
    css_class: str
    href: str
    selected: bool = False


@dataclass(frozen=True)
class Category:
    """One class of a thematic (category) layer: ``label`` is shown in tooltips and read
    by screen readers, ``css_class`` carries the colour (the stylesheet owns the palette),
    ``mark`` is the short text drawn inside each area so the map does not rely on colour
    alone ("" for none)."""

    key: str
    label: str
    css_class: str
    mark: str = ""


@dataclass(frozen=True)
class MapTexts:
    """Translated words the map script shows (the caller translates them)."""

    loading: str
    failed: str
    layers: str
    zoom_in: str = "Zoom in"
    zoom_out: str = "Zoom out"


@dataclass(frozen=True)
class RenderedMap:
    """What a page needs to show a map without inline script."""

    element_id: str
    script: str
    js_urls: tuple[str, ...]
    css_urls: tuple[str, ...]


# The functions every map of linked areas needs, written once and emitted inside each such
# map's own function scope (``{{ this.shared_functions }}``), so nothing is made global.
#
# ``tymNames``: names are shown in the page language first; Finnish and Swedish are both
# national languages, so the other one follows when it differs. Municipalities have no
# English name: English falls back to Finnish.
#
# ``tymLinkArea(layer, path, feature, options)`` makes one drawn area a link: a sticky
# tooltip with its names (and ``options.line``, ``{className, text}``, as a second line),
# ``options.href`` (``{code}`` -> the area's id) opened on click and on Enter, the
# ``options.highlight`` style while hovered (``layer``, the area's GeoJSON layer, resets
# it), and, once drawn, the SVG path a focusable link named "names" or "names: text"
# with ``data-code`` and a ``data-<name>`` attribute per ``options.data`` entry. It is
# called from ``onEachFeature``, so ``layer`` must exist by then: the layers are made
# empty and filled with ``addData``.
#
# ``tymLoad(map, request, status, draw)`` says ``status.loading`` in the element
# ``status.id`` and marks the map busy while ``request`` (a ``fetch()``) loads; then
# ``draw(data)`` builds the layers and the status is cleared, or, if anything fails, says
# ``status.failed``.
_SHARED_FUNCTIONS = """
    function tymNames(props, locale) {
        var primary = props['name_' + locale] || props.name_fi;
        var primaryLang = props['name_' + locale] ? locale : 'fi';
        var out = [{text: primary, lang: primaryLang}];
        ['fi', 'sv'].forEach(function (lang) {
            var name = props['name_' + lang];
            if (name && out.every(function (n) { return n.text !== name; })) {
                out.push({text: name, lang: lang});
            }
        });
        return out;
    }
    function tymTooltip(props, locale) {
        var box = document.createElement('span');
        tymNames(props, locale).forEach(function (name, i) {
            var part = document.createElement(i === 0 ? 'strong' : 'span');
            part.textContent = name.text;
            part.lang = name.lang;
            if (i > 0) { box.appendChild(document.createElement('br')); }
            box.appendChild(part);
        });
        return box;
    }
    function tymLinkArea(layer, path, feature, options) {
        var target = options.href.replace('{code}', encodeURIComponent(feature.id));
        var label = tymNames(feature.properties, options.locale)
            .map(function (n) { return n.text; }).join(' / ');
        var tip = tymTooltip(feature.properties, options.locale);
        if (options.line) {
            var line = document.createElement('span');
            line.className = options.line.className;
            line.textContent = options.line.text;
            tip.appendChild(document.createElement('br'));
            tip.appendChild(line);
            label += ': ' + options.line.text;
        }
        var data = options.data || {};
        function follow() { window.location.assign(target); }
        path.bindTooltip(tip, {sticky: true});
        path.on('click', follow);
        path.on('mouseover', function () { path.setStyle(options.highlight); });
        path.on('mouseout', function () { layer.resetStyle(path); });
        path.on('add', function () {
            var el = path.getElement();
            el.setAttribute('tabindex', '0');
            el.setAttribute('role', 'link');
            el.setAttribute('aria-label', label);
            el.setAttribute('data-code', feature.id);
            Object.keys(data).forEach(function (name) {
                el.setAttribute('data-' + name, data[name]);
            });
            el.addEventListener('keydown', function (event) {
                if (event.key === 'Enter') { follow(); }
            });
        });
    }
    function tymLoad(map, request, status, draw) {
        var element = document.getElementById(status.id);
        function say(text) { if (element) { element.textContent = text; } }
        say(status.loading);
        map.getContainer().setAttribute('aria-busy', 'true');
        request
            .then(function (response) {
                if (!response.ok) { throw new Error('HTTP ' + response.status); }
                return response.json();
            })
            .then(function (data) {
                draw(data);
                map.getContainer().setAttribute('aria-busy', 'false');
                say('');
            })
            .catch(function (error) {
                map.getContainer().setAttribute('aria-busy', 'false');
                say(status.failed);
                console.warn('map data not loaded:', error);
            });
    }
"""

_STYLE = {"color": "#1f4e79", "weight": 1, "opacity": 1,
          "fillColor": "#b7cde3", "fillOpacity": 0.55}
_HIGHLIGHT = {"weight": 3, "fillColor": "#f2c14e", "fillOpacity": 0.75}


class _LinkedAreas(JSCSSMixin, MacroElement):
    """What the maps of linked areas share: a topology fetched from ``url`` with
    topojson-client, the shared script functions, an escaped attribution and the status
    texts (``this.status``, for ``tymLoad``)."""

    def __init__(self, name: str, url: str, *, locale: str, attribution: str,
                 texts: MapTexts, status_id: str, topojson_js: str):
        super().__init__()
        self._name = name
        self.url = url
        self.locale = locale
        self.attribution = html.escape(attribution)
        self.texts = texts
        self.status = {"id": status_id, "loading": texts.loading, "failed": texts.failed}
        self.shared_functions = _SHARED_FUNCTIONS
        self.default_js = [("topojson_client", topojson_js)]
        self.default_css = []


class TopologyLayers(_LinkedAreas):
    """Fetch a TopoJSON document and add one radio-switchable layer per object.

    Each feature gets a tooltip with its names, opens ``href`` (with its ``id``) on
    click or Enter, and is focusable as a link for keyboard users.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var specs = {{ this.specs|tojson }};
            var locale = {{ this.locale|tojson }};
            {{ this.shared_functions }}
            var control = L.control.layers(null, null, {collapsed: false}).addTo(map);
            control.getContainer().setAttribute('role', 'group');
            control.getContainer().setAttribute('aria-label', {{ this.texts.layers|tojson }});
            map.attributionControl.addAttribution({{ this.attribution|tojson }});
            tymLoad(map, fetch({{ this.url|tojson }}, {credentials: 'same-origin'}),
                    {{ this.status|tojson }}, function (topology) {
                specs.forEach(function (spec) {
                    var layer = L.geoJSON(null, {
                        style: function () {
                            return Object.assign({className: 'tym-area ' + spec.css_class},
                                                 {{ this.style|tojson }});
                        },
                        onEachFeature: function (feature, path) {
                            tymLinkArea(layer, path, feature, {
                                href: spec.href, locale: locale,
                                highlight: {{ this.highlight|tojson }}});
                        }
                    });
                    layer.addData(topojson.feature(topology, topology.objects[spec.object_name]));
                    control.addBaseLayer(layer, spec.label);
                    if (spec.selected) { layer.addTo(map); }
                });
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, url: str, layers: Sequence[AreaLayer], *, locale: str,
                 attribution: str, texts: MapTexts, status_id: str, topojson_js: str):
        super().__init__("TopologyLayers", url, locale=locale, attribution=attribution,
                         texts=texts, status_id=status_id, topojson_js=topojson_js)
        self.specs = [vars(layer) for layer in layers]
        self.style = _STYLE
        self.highlight = _HIGHLIGHT


class GeoJsonOutline(JSCSSMixin, MacroElement):
    """Fetch one GeoJSON Feature (or FeatureCollection) and draw it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var status = document.getElementById({{ this.status_id|tojson }});
            function say(text) { if (status) { status.textContent = text; } }
            map.attributionControl.addAttribution({{ this.attribution|tojson }});
            say({{ this.texts.loading|tojson }});
            fetch({{ this.url|tojson }}, {credentials: 'same-origin'})
                .then(function (response) {
                    if (!response.ok) { throw new Error('HTTP ' + response.status); }
                    return response.json();
                })
                .then(function (data) {
                    L.geoJSON(data, {
                        interactive: false,
                        style: function () {
                            return Object.assign(
                                {className: 'tym-outline ' + {{ this.css_class|tojson }}},
                                {{ this.style|tojson }});
                        }
                    }).addTo(map);
                    say('');
                })
                .catch(function (error) {
                    say({{ this.texts.failed|tojson }});
                    console.warn('map data not loaded:', error);
                });
        })();
        {% endmacro %}
    """)

    def __init__(self, url: str, *, css_class: str, attribution: str, texts: MapTexts,
                 status_id: str):
        super().__init__()
        self._name = "GeoJsonOutline"
        self.url = url
        self.css_class = css_class
        self.attribution = html.escape(attribution)
        self.texts = texts
        self.status_id = status_id
        self.style = {"color": "#1f4e79", "weight": 2, "fillColor": "#b7cde3",
                      "fillOpacity": 0.5}
        self.default_js = []
        self.default_css = []


class CategoryLayer(_LinkedAreas):
    """Fetch a TopoJSON document and draw one of its objects with each feature in its
    category's class (``assigned``: feature id -> category key; others ``fallback``).

    Every area has a tooltip with its names and category, is a keyboard-focusable link
    to ``href`` (with its ``id``) named the same way, and shows its category's ``mark``
    at ``marks[id]`` ([lat, lon], e.g. a pole of inaccessibility computed by
    ``label_points``) when the area is large enough on screen to hold it.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var objectName = {{ this.object_name|tojson }};
            var cssClass = {{ this.css_class|tojson }};
            var href = {{ this.href|tojson }};
            var categories = {{ this.categories|tojson }};
            var assigned = {{ this.assigned|tojson }};
            var fallback = {{ this.fallback|tojson }};
            var marks = {{ this.marks|tojson }};
            var locale = {{ this.locale|tojson }};
            {{ this.shared_functions }}
            function categoryOf(code) {
                return categories[assigned[code] || fallback];
            }
            map.attributionControl.addAttribution({{ this.attribution|tojson }});
            tymLoad(map, fetch({{ this.url|tojson }}, {credentials: 'same-origin'}),
                    {{ this.status|tojson }}, function (topology) {
                var paths = {};
                var drawn = [];
                var layer = L.geoJSON(null, {
                    style: function (feature) {
                        return Object.assign(
                            {className: 'tym-area ' + cssClass + ' ' +
                                        categoryOf(feature.id).css_class},
                            {{ this.style|tojson }});
                    },
                    onEachFeature: function (feature, path) {
                        var category = categoryOf(feature.id);
                        paths[feature.id] = path;
                        tymLinkArea(layer, path, feature, {
                            href: href, locale: locale, highlight: {{ this.highlight|tojson }},
                            line: {className: 'tym-category', text: category.label},
                            data: {category: category.key}});
                    }
                });
                layer.addData(topojson.feature(topology, topology.objects[objectName]));
                layer.addTo(map);
                Object.keys(marks).sort().forEach(function (code) {
                    var category = categoryOf(code);
                    if (!category.mark) { return; }
                    var text = document.createElement('span');
                    text.textContent = category.mark;
                    var marker = L.marker(marks[code], {
                        icon: L.divIcon({className: 'tym-mark ' + category.css_class,
                                         html: text, iconSize: [26, 26]}),
                        interactive: false, keyboard: false
                    }).addTo(map);
                    // the areas' own names already say it: not read twice
                    marker.getElement().setAttribute('aria-hidden', 'true');
                    if (paths[code]) { drawn.push({marker: marker, path: paths[code]}); }
                });
                // a mark only where its area is big enough on screen to hold it
                function fitMarks() {
                    drawn.forEach(function (item) {
                        var bounds = item.path.getBounds();
                        var sw = map.latLngToContainerPoint(bounds.getSouthWest());
                        var ne = map.latLngToContainerPoint(bounds.getNorthEast());
                        var small = Math.abs(ne.x - sw.x) < {{ this.min_size }} ||
                                    Math.abs(sw.y - ne.y) < {{ this.min_size }};
                        item.marker.getElement().classList.toggle('tym-mark--hidden', small);
                    });
                }
                map.on('zoomend', fitMarks);
                fitMarks();
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, url: str, object_name: str, *, css_class: str, href: str,
                 categories: Sequence[Category], assigned: Mapping[str, str], fallback: str,
                 marks: Mapping[str, tuple[float, float]], locale: str, attribution: str,
                 texts: MapTexts, status_id: str, topojson_js: str):
        keys = {c.key for c in categories}
        if fallback not in keys or not set(assigned.values()) <= keys:
            raise ValueError("every assigned category and the fallback must be in categories")
        super().__init__("CategoryLayer", url, locale=locale, attribution=attribution,
                         texts=texts, status_id=status_id, topojson_js=topojson_js)
        self.object_name = object_name
        self.css_class = css_class
        self.href = href
        self.categories = {c.key: vars(c) for c in categories}
        self.assigned = dict(sorted(assigned.items()))
        self.fallback = fallback
        self.marks = {code: [round(lat, 4), round(lon, 4)]
                      for code, (lat, lon) in sorted(marks.items())}
        # colours come from the stylesheet (by category class); only the lines are set here
        self.style = {"color": "#1b1b1b", "weight": 1, "opacity": 1, "fillOpacity": 1}
        self.highlight = {"weight": 4}
        self.min_size = 44  # pixels an area must span both ways to show its mark


class MapFurniture(MacroElement):
    """Zoom buttons named in the page language, a metric-only scale bar and an
    attribution prefix without a flag."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            L.control.zoom({
                zoomInTitle: {{ this.texts.zoom_in|tojson }},
                zoomOutTitle: {{ this.texts.zoom_out|tojson }}
            }).addTo({{ this._parent.get_name() }});
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
            {{ this._parent.get_name() }}.attributionControl.setPrefix(
                '<a href="https://leafletjs.com/">Leaflet</a>');
        {% endmacro %}
    """)

    def __init__(self, texts: MapTexts):
        super().__init__()
        self._name = "MapFurniture"
        self.texts = texts


def _base_map(key: str, assets: MapAssets, tiles: Tiles | None, texts: MapTexts, *,
              min_zoom: int, max_zoom: int, **options) -> folium.Map:
    m = folium.Map(tiles=None, control_scale=False, zoom_control=False, **options)
    # folium hands min_zoom/max_zoom to its own tile layer only; the map needs them.
    m.options.update(min_zoom=min_zoom, max_zoom=max_zoom, zoom_snap=0.25, zoom_delta=0.5)
    MapFurniture(texts).add_to(m)
    # Only our own copies of Leaflet: no jQuery, Bootstrap or Font Awesome from CDNs.
    m.default_js = [("leaflet", assets.leaflet_js)]
    m.default_css = [("leaflet_css", assets.leaflet_css)]
    m._id = key
    if tiles is not None and tiles.url:
        folium.TileLayer(tiles=tiles.url, attr=html.escape(tiles.attribution),
                         name="tiles", control=False).add_to(m)
    return m


def national_map(assets: MapAssets, topology_url: str, layers: Sequence[AreaLayer], *,
                 locale: str, attribution: str, texts: MapTexts, status_id: str,
                 tiles: Tiles | None = None, key: str = "national") -> folium.Map:
    """The map of Finland with one radio-switchable layer per ``layers`` entry."""
    m = _base_map(key, assets, tiles, texts, location=(64.5, 26.0), zoom_start=5,
                  min_zoom=4, max_zoom=12)
    m.fit_bounds(FINLAND_BOUNDS)
    TopologyLayers(topology_url, layers, locale=locale, attribution=attribution,
                   texts=texts, status_id=status_id,
                   topojson_js=assets.topojson_js).add_to(m)
    return m


def outline_map(assets: MapAssets, geojson_url: str,
                bounds: tuple[tuple[float, float], tuple[float, float]], *, css_class: str,
                attribution: str, texts: MapTexts, status_id: str,
                tiles: Tiles | None = None, key: str = "area") -> folium.Map:
    """A small map of one area's outline; ``bounds`` = ((south, west), (north, east))."""
    (south, west), (north, east) = bounds
    m = _base_map(key, assets, tiles, texts, location=((south + north) / 2, (west + east) / 2),
                  zoom_start=7, min_zoom=4, max_zoom=13)
    m.fit_bounds([[south, west], [north, east]], padding=(12, 12))
    GeoJsonOutline(geojson_url, css_class=css_class, attribution=attribution, texts=texts,
                   status_id=status_id).add_to(m)
    return m


def category_map(assets: MapAssets, topology_url: str, object_name: str, *,
                 css_class: str, href: str, categories: Sequence[Category],
                 assigned: Mapping[str, str], fallback: str,
                 marks: Mapping[str, tuple[float, float]], locale: str, attribution: str,
                 texts: MapTexts, status_id: str, tiles: Tiles | None = None,
                 key: str = "categories") -> folium.Map:
    """A map of Finland with the areas of one topology object coloured by category
    (e.g. the wellbeing services counties by their networks' configuration type)."""
    m = _base_map(key, assets, tiles, texts, location=(64.5, 26.0), zoom_start=5,
                  min_zoom=4, max_zoom=10)
    m.fit_bounds(FINLAND_BOUNDS)
    CategoryLayer(topology_url, object_name, css_class=css_class, href=href,
                  categories=categories, assigned=assigned, fallback=fallback, marks=marks,
                  locale=locale, attribution=attribution, texts=texts, status_id=status_id,
                  topojson_js=assets.topojson_js).add_to(m)
    return m


def label_points(geometries: Mapping[str, str],
                 tolerance: float = 0.01) -> dict[str, tuple[float, float]]:
    """(lat, lon) inside each area, far from its edges, where a label can go: the pole of
    inaccessibility of its largest polygon. ``geometries``: code -> GeoJSON geometry text
    in EPSG:4326 lon/lat."""
    points = {}
    for code, text in sorted(geometries.items()):
        geometry = shapely.from_geojson(text)
        parts = getattr(geometry, "geoms", [geometry])
        largest = max(parts, key=lambda p: p.area)
        point = polylabel(largest, tolerance=tolerance)
        points[code] = (point.y, point.x)
    return points


def _number_elements(m: folium.Map) -> None:
    """Replace folium's random element ids with ``1, 2, ...`` in tree order."""
    counter = 0

    def visit(element: Element) -> None:
        nonlocal counter
        for child in element._children.values():
            counter += 1
            child._id = str(counter)
            visit(child)

    visit(m)


def render_map(m: folium.Map) -> RenderedMap:
    """Render ``m`` into its script and the links it needs (see the module docstring).

    A map is rendered once: folium adds elements while rendering, so a second render
    of the same map would repeat them (build a new map instead).
    """
    if getattr(m, "_tym_rendered", False):
        raise ValueError("this map was already rendered; build a new one")
    m._tym_rendered = True
    _number_elements(m)
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.render()
    js_urls = tuple(c.url for c in figure.header._children.values()
                    if isinstance(c, JavascriptLink))
    css_urls = tuple(c.url for c in figure.header._children.values()
                     if isinstance(c, CssLink))
    script = "\n".join(line.rstrip() for line in figure.script.render().splitlines()
                       if line.strip())
    return RenderedMap(element_id=m.get_name(), script=script + "\n",
                       js_urls=js_urls, css_urls=css_urls)
