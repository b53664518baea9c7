"""The rendered-page cache through HTTP: anonymous visitors get a stored copy of the map
and area pages until the data changes (and revalidate with 304), a change shows at once,
signed-in accounts and pages with a message are never stored, and the cache keeps to
its byte budget."""

from __future__ import annotations

from sqlalchemy import select

from portal import create_app
from portal.registry.audit.recorder import Actor
from portal.registry.geography.models import WellbeingCounty
from portal.registry.users.services import add_user
from portal.web.page_cache import PageCache, release_digest
from tests.indicator_support import sign_in_as


def test_anonymous_pages_are_stored_until_the_data_changes(boundaries_2025, client, database):
    first = client.get("/counties/07?lang=en")
    assert first.status_code == 200
    assert first.headers["X-Page-Cache"] == "miss"
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get("/counties/07?lang=en")
    assert again.headers["X-Page-Cache"] == "hit"
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    # a browser holding the page revalidates it without a body
    assert client.get("/counties/07?lang=en", headers={
        "If-None-Match": first.headers["ETag"]}).status_code == 304
    # other languages are other pages
    finnish = client.get("/counties/07?lang=fi")
    assert finnish.headers["X-Page-Cache"] == "miss"
    assert finnish.headers["ETag"] != first.headers["ETag"]

    with database.transaction(Actor("test:rename")) as session:
        county = session.scalars(select(WellbeingCounty).where(
            WellbeingCounty.code == "07")).one()
        old_name = county.name_en
        county.name_en = "Renamed county for the cache test"
    changed = client.get("/counties/07?lang=en")
    assert changed.headers["X-Page-Cache"] == "miss"
    assert changed.headers["ETag"] != first.headers["ETag"]
    body = changed.get_data(as_text=True)
    assert "Renamed county for the cache test" in body and old_name not in body
    assert client.get("/counties/07?lang=en", headers={
        "If-None-Match": first.headers["ETag"]}).status_code == 200


def test_the_national_map_and_the_network_list_are_stored(boundaries_2025, client):
    for url in ("/", "/networks"):
        assert client.get(url).headers["X-Page-Cache"] == "miss", url
        assert client.get(url).headers["X-Page-Cache"] == "hit", url


def test_signed_in_accounts_are_never_served_a_stored_page(boundaries_2025, app, client,
                                                           database):
    assert client.get("/counties/07").headers["X-Page-Cache"] == "miss"
    with database.transaction(Actor("test:account")) as session:
        user, _token = add_user(session, "monitor-cache@example.org", "monitor")
        session.flush()
        sign_in_as(client, user)
    for _ in range(2):
        response = client.get("/counties/07")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response.headers
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "monitor-cache@example.org" in response.get_data(as_text=True)


def test_a_page_with_a_message_is_not_stored(boundaries_2025, client):
    with client.session_transaction() as s:
        s["_flashes"] = [("info", "A one-off message for this visitor")]
    shown = client.get("/counties/07")
    assert "A one-off message for this visitor" in shown.get_data(as_text=True)
    assert "X-Page-Cache" not in shown.headers
    after = client.get("/counties/07")
    assert after.headers["X-Page-Cache"] == "miss"
    assert "A one-off message for this visitor" not in after.get_data(as_text=True)


def test_errors_are_not_stored(boundaries_2025, client):
    for _ in range(2):
        response = client.get("/counties/99")
        assert response.status_code == 404
        assert "X-Page-Cache" not in response.headers


def test_a_zero_budget_turns_the_cache_off(boundaries_2025, settings, database):
    client = create_app(dict(settings, TESTING=True, PAGE_CACHE_MB=0),
                        database=database).test_client()
    for _ in range(2):
        response = client.get("/counties/07")
        assert response.status_code == 200 and "X-Page-Cache" not in response.headers
        assert response.headers["ETag"]


def test_the_cache_keeps_to_its_byte_budget_and_evicts_the_least_recently_used():
    cache = PageCache(max_bytes=10)
    cache.put("a", b"1234", "text/html")
    cache.put("b", b"5678", "text/html")
    assert cache.get("a") == (b"1234", "text/html")  # a is now the most recent
    cache.put("c", b"90", "text/html")
    assert cache.size == 10 and len(cache) == 3
    cache.put("d", b"xy", "text/html")
    assert cache.get("b") is None  # the least recently used went first
    assert cache.get("a") is not None and cache.get("d") is not None
    assert cache.size <= 10
    cache.put("huge", b"x" * 11, "text/html")  # larger than the budget: not kept
    assert cache.get("huge") is None
    cache.put("a", b"12345678", "text/html")  # replacing counts the new size only
    assert cache.size <= 10 and cache.get("a") == (b"12345678", "text/html")


def test_the_release_digest_follows_templates_catalogs_and_code(tmp_path):
    templates = tmp_path / "web" / "templates"
    templates.mkdir(parents=True)
    (templates / "page.html").write_text("<h1>one</h1>")
    (tmp_path / "view.py").write_text("A = 1\n")
    other = tmp_path / "geodata"
    other.mkdir()
    (other / "maps.py").write_text("B = 1\n")
    before = release_digest(tmp_path, other)
    assert release_digest(tmp_path, other) == before
    (templates / "page.html").write_text("<h1>two</h1>")
    after_template = release_digest(tmp_path, other)
    assert after_template != before
    (tmp_path / "view.py").write_text("A = 2\n")
    after_code = release_digest(tmp_path, other)
    assert after_code != after_template
    (other / "maps.py").write_text("B = 2\n")
    assert release_digest(tmp_path, other) != after_code


def test_api_answers_are_kept_per_host_with_their_own_lifetime(boundaries_2025, client):
    url = "/api/v1/areas?_size=5"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["X-Page-Cache"] == "miss"
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(url)
    assert again.headers["X-Page-Cache"] == "hit" and again.get_data() == first.get_data()
    # next_url is absolute: another host name is another answer
    other = client.get(url, base_url="http://portal.example.fi")
    assert other.headers["X-Page-Cache"] == "miss"
    assert other.headers["ETag"] != first.headers["ETag"]
    assert other.get_json()["next_url"].startswith("http://portal.example.fi/api/v1/areas")
    assert first.get_json()["next_url"].startswith("http://localhost/api/v1/areas")


def test_every_validator_follows_the_release_and_the_host(boundaries_2025, app, client):
    # answers outside the page cache too (the DCAT catalogue holds absolute URLs)
    for url in ("/catalog.ttl", "/counties/07"):
        first = client.get(url).headers["ETag"]
        assert client.get(url).headers["ETag"] == first
        assert client.get(url, base_url="http://portal.example.fi").headers["ETag"] != first
        app.extensions["tym_release"], kept = "another-release", app.extensions["tym_release"]
        try:
            after_release = client.get(url, headers={"If-None-Match": first})
        finally:
            app.extensions["tym_release"] = kept
        assert after_release.status_code == 200, url  # a new release is not a 304
        assert after_release.headers["ETag"] != first
