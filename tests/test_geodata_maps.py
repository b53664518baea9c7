"""geodata.maps: folium maps that load only the URLs they are given."""

from __future__ import annotations

import re

import pytest
import shapely

from geodata import choropleth, maps

ASSETS = maps.MapAssets("/static/leaflet.js", "/static/leaflet.css", "/static/topojson.js")
TEXTS = maps.MapTexts("Loading", "Failed", "Layers")
LAYERS = (maps.AreaLayer("county", "Counties", "tym-area--county", "/c/{code}", True),
          maps.AreaLayer("employment_area", "Areas", "tym-area--employment_area", "/a/{code}"))


def _national(**kwargs) -> maps.RenderedMap:
    return maps.render_map(maps.national_map(
        ASSETS, "/topology.json", LAYERS, locale="sv", attribution="Source <b>A</b> & B",
        texts=TEXTS, status_id="status", **kwargs))


def test_only_the_given_assets_are_loaded_and_nothing_from_a_cdn():
    rendered = _national()
    assert rendered.js_urls == ("/static/leaflet.js", "/static/topojson.js")
    assert rendered.css_urls == ("/static/leaflet.css",)
    for word in ("cdn", "jquery", "bootstrap", "fontawesome", "awesome-markers", "$("):
        assert word not in rendered.script.lower()
    assert not re.search(r"https?://(?!leafletjs\.com/)", rendered.script)


def test_rendering_is_deterministic_with_stable_ids():
    first, second = _national(), _national()
    assert first.script == second.script
    assert first.element_id == "map_national"
    assert "var map_national = L.map(" in first.script
    assert not re.search(r"[0-9a-f]{32}", first.script)  # no random folium ids


def test_the_topology_is_fetched_not_inlined_and_names_are_escaped():
    script = _national().script
    assert 'fetch("/topology.json"' in script
    assert "topojson.feature(" in script
    assert 'var locale = "sv";' in script
    # attribution is inserted as HTML by Leaflet: ours is escaped text
    assert "Source \\u0026lt;b\\u0026gt;A\\u0026lt;/b\\u0026gt; \\u0026amp; B" in script


def test_tiles_only_when_given():
    assert "L.tileLayer" not in _national().script
    with_tiles = _national(tiles=maps.Tiles("https://t.example/{z}/{x}/{y}.png", "© T"))
    assert 'L.tileLayer(\n                "https://t.example/{z}/{x}/{y}.png"' in with_tiles.script
    assert with_tiles.js_urls == ("/static/leaflet.js", "/static/topojson.js")


def test_outline_map_fits_the_area_and_fetches_its_geojson():
    rendered = maps.render_map(maps.outline_map(
        ASSETS, "/area.geojson", ((60.0, 24.0), (61.0, 25.5)), css_class="tym-outline--county",
        attribution="A", texts=TEXTS, status_id="s"))
    assert rendered.element_id == "map_area"
    assert rendered.js_urls == ("/static/leaflet.js",)
    assert 'fetch("/area.geojson"' in rendered.script
    assert "[[60.0, 24.0], [61.0, 25.5]]" in rendered.script


def test_a_map_renders_once():
    m = maps.national_map(ASSETS, "/t.json", LAYERS, locale="fi", attribution="A", texts=TEXTS,
                          status_id="s")
    maps.render_map(m)
    with pytest.raises(ValueError, match="already rendered"):
        maps.render_map(m)


# --- the category map (e.g. counties by configuration type) ---------------------------------

CATEGORIES = (maps.Category("1", "Type 1", "tym-config--1", "1"),
              maps.Category("2", "Type <2>", "tym-config--2", "2"),
              maps.Category("outside", "Outside", "tym-config--outside", ""))


def _category(**kwargs) -> maps.RenderedMap:
    values = dict(css_class="tym-area--configuration", href="/c/{code}?on=2026-06-01",
                  categories=CATEGORIES, assigned={"12": "2", "02": "1"}, fallback="outside",
                  marks={"12": (61.51234567, 27.2), "02": (60.5, 24.9)}, locale="fi",
                  attribution="A", texts=TEXTS, status_id="s")
    values.update(kwargs)
    return maps.render_map(maps.category_map(ASSETS, "/topology.json", "county", **values))


def test_category_map_colours_by_class_and_is_deterministic():
    first, second = _category(), _category(assigned={"02": "1", "12": "2"})
    assert first.script == second.script  # the order of the inputs does not matter
    assert first.element_id == "map_categories"
    assert first.js_urls == ("/static/leaflet.js", "/static/topojson.js")
    script = first.script
    assert 'fetch("/topology.json"' in script
    assert 'var assigned = {"02": "1", "12": "2"};' in script
    assert 'var fallback = "outside";' in script
    assert '"12": [61.5123, 27.2]' in script  # marks rounded: same bytes for the same place
    assert "Type \\u003c2\\u003e" in script  # labels are data, escaped for the script
    assert "fillColor" not in script  # colours come from the stylesheet's classes
    assert not re.search(r"https?://(?!leafletjs\.com/)", script)


def test_category_map_refuses_unknown_categories():
    with pytest.raises(ValueError, match="categories"):
        _category(assigned={"12": "9"})
    with pytest.raises(ValueError, match="categories"):
        _category(fallback="none")


# --- the choropleth (indicator pages) ------------------------------------------------------


def _choropleth(**kwargs) -> maps.RenderedMap:
    values = dict(href="/n/{code}", colours=choropleth.PALETTES[2],
                  areas={"b": choropleth.Area(1, "2,5"), "a": choropleth.Area(None, "no data")},
                  locale="sv", attribution="A", texts=TEXTS, status_id="s")
    values.update(kwargs)
    return maps.render_map(choropleth.choropleth_map(ASSETS, "/topology.json", "county",
                                                     **values))


# --- what every map of linked areas shares -----------------------------------------------

SHARED = ("tymNames", "tymTooltip", "tymLinkArea", "tymLoad")
LINKED_MAPS = {"national": _national, "category": _category, "choropleth": _choropleth}


def test_the_shared_block_defines_each_function_exactly_once():
    for name in SHARED:
        assert maps._SHARED_FUNCTIONS.count(f"function {name}(") == 1, name


@pytest.mark.parametrize("kind", sorted(LINKED_MAPS))
def test_every_map_of_linked_areas_uses_the_shared_functions(kind):
    script = LINKED_MAPS[kind]().script
    for name in SHARED:
        assert script.count(f"function {name}(") == 1, name  # emitted once, not copied
    # every area is made a link by the one shared function, not by its own copy
    assert script.count("tymLinkArea(layer, path, feature, {") == 1
    assert "onEachFeature: function (feature, path) {" in script
    assert script.count("el.setAttribute(") == 5  # only in tymLinkArea (+ data-* loop)
    assert script.count("window.location.assign(") == 1
    assert script.count("bindTooltip(") == 1
    # loading, the busy flag and the status texts go through tymLoad
    assert script.count(
        "tymLoad(map, fetch(\"/topology.json\", {credentials: 'same-origin'}),") == 1
    assert script.count("fetch(") == 1
    assert script.count("'aria-busy'") == 3
    assert '{"failed": "Failed", "id": "s' in script and '"loading": "Loading"}' in script
    # tymLinkArea is called from onEachFeature and needs the layer then: the GeoJSON
    # layer is made empty and filled afterwards (with L.geoJSON(features, ...) it would
    # still be undefined and every mouseout would throw)
    assert "L.geoJSON(null, {" in script and "layer.addData(" in script
    assert not re.search(r"L\.geoJSON\((?!null)", script)


def test_the_shared_link_keeps_the_attributes_tooltip_and_events():
    shared = maps._SHARED_FUNCTIONS
    link = shared[shared.index("function tymLinkArea("):shared.index("function tymLoad(")]
    for line in ("var target = options.href.replace('{code}', encodeURIComponent(feature.id));",
                 ".map(function (n) { return n.text; }).join(' / ');",
                 "var tip = tymTooltip(feature.properties, options.locale);",
                 "line.className = options.line.className;",
                 "line.textContent = options.line.text;",
                 "tip.appendChild(document.createElement('br'));",
                 "label += ': ' + options.line.text;",
                 "path.bindTooltip(tip, {sticky: true});",
                 "function follow() { window.location.assign(target); }",
                 "path.on('click', follow);",
                 "path.on('mouseover', function () { path.setStyle(options.highlight); });",
                 "path.on('mouseout', function () { layer.resetStyle(path); });",
                 "el.setAttribute('tabindex', '0');",
                 "el.setAttribute('role', 'link');",
                 "el.setAttribute('aria-label', label);",
                 "el.setAttribute('data-code', feature.id);",
                 "el.setAttribute('data-' + name, data[name]);",
                 "if (event.key === 'Enter') { follow(); }"):
        assert line in link, line


def _flat(script: str) -> str:
    """The script with its white space folded (the assertions do not depend on layout)."""
    return " ".join(script.split())


def test_each_map_names_its_own_tooltip_line_data_attribute_and_highlight():
    national = _flat(_national().script)
    assert ('tymLinkArea(layer, path, feature, { href: spec.href, locale: locale, '
            'highlight: {"fillColor": "#f2c14e", "fillOpacity": 0.75, "weight": 3}});'
            ) in national  # names only in the tooltip and label, data-code only

    category = _flat(_category().script)
    assert ('tymLinkArea(layer, path, feature, { href: href, locale: locale, '
            'highlight: {"weight": 4}, line: {className: \'tym-category\', '
            'text: category.label}, data: {category: category.key}});') in category

    script = _flat(_choropleth().script)
    assert ('tymLinkArea(layer, path, feature, { href: href, locale: locale, '
            'highlight: {"color": "#000000", "weight": 3}, line: {className: \'tym-value\', '
            'text: area.text}, data: {\'class\': area.category === null || '
            'area.category === undefined ? \'none\' : String(area.category)}});') in script
    assert "var area = areas[feature.id] || {text: ''};" in script
    assert "setAttribute('data-drawn', String( layer.getLayers().length));" in script
    assert 'var areas = {"a": {"category": null' in script  # sorted, null for no data


def test_the_outline_map_links_nothing():
    script = maps.render_map(maps.outline_map(
        ASSETS, "/area.geojson", ((60.0, 24.0), (61.0, 25.5)), css_class="tym-outline--county",
        attribution="A", texts=TEXTS, status_id="s")).script
    assert "tymLinkArea" not in script and "interactive: false" in script


def test_label_points_fall_inside_their_areas():
    c_shape = ('{"type":"Polygon","coordinates":[[[0,0],[3,0],[3,1],[1,1],[1,2],[3,2],[3,3],'
               '[0,3],[0,0]]]}')  # a C: its centroid lies outside it
    two = ('{"type":"MultiPolygon","coordinates":[[[[10,10],[11,10],[11,11],[10,11],[10,10]]],'
           '[[[20,20],[24,20],[24,24],[20,24],[20,20]]]]}')
    points = maps.label_points({"c": c_shape, "two": two})
    lat, lon = points["c"]
    assert shapely.from_geojson(c_shape).contains(shapely.Point(lon, lat))
    lat, lon = points["two"]
    assert 20 < lon < 24 and 20 < lat < 24  # in the largest part
