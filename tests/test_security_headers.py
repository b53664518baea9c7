"""Security headers on every answer (with or without nginx), a CSP that allows nothing
inline, templates that need nothing inline, versioned static URLs, and the client
address read from the proxy only when configured."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from portal import create_app
from portal.web.security import default_policy, security_headers, tile_source
from tests.conftest import ROOT
from tests.html_tree import parse

TEMPLATES = ROOT / "portal" / "web" / "templates"
NGINX_HEADERS = ROOT / "deploy" / "nginx" / "tym-security-headers.conf"
EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Strict-Transport-Security": "max-age=31536000",
}


def _directives(policy: str) -> dict[str, str]:
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split("; ")}


@pytest.mark.parametrize("url", ["/", "/counties/12", "/no/such/page", "/healthz",
                                 "/static/css/portal.css", "/accessibility"])
def test_every_answer_carries_the_security_headers(client, url):
    response = client.get(url)
    response.close()  # a static file answer holds the file open
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, (url, name)
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


def test_the_base_map_host_is_the_only_other_host_allowed(settings, database):
    app = create_app(dict(settings, TESTING=True,
                          TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png"),
                     database=database)
    policy = _directives(app.test_client().get("/healthz").headers["Content-Security-Policy"])
    assert policy["img-src"] == "'self' https://*.tile.example.org"
    assert policy["connect-src"] == "'self'"
    assert tile_source("not a url") is None
    assert tile_source("") is None


def test_the_policy_and_hsts_are_configurable_and_the_headers_can_be_left_to_nginx(
        settings, database):
    custom = create_app(dict(settings, TESTING=True, CONTENT_SECURITY_POLICY="default-src 'none'",
                             HSTS_SECONDS=0), database=database)
    answer = custom.test_client().get("/healthz")
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "Strict-Transport-Security" not in answer.headers
    off = create_app(dict(settings, TESTING=True, SECURITY_HEADERS=False), database=database)
    answer = off.test_client().get("/healthz")
    assert not {"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                "Referrer-Policy", "Strict-Transport-Security"} & set(answer.headers.keys())


def test_nginx_sends_the_same_headers_on_what_it_serves_itself():
    sent = dict(re.findall(r'^add_header\s+(\S+)\s+"([^"]*)"\s+always;$',
                           NGINX_HEADERS.read_text(encoding="utf-8"), re.M))
    assert sent == security_headers({"HSTS_SECONDS": 31536000})
    assert sent["Content-Security-Policy"] == default_policy()


INLINE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=",
                    re.I)


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix()
                                            for p in TEMPLATES.rglob("*.html")))
def test_no_template_has_inline_script_style_or_event_handlers(template):
    """The CSP forbids them: a template that needs one must change, not the policy."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert INLINE.findall(text) == []


@pytest.mark.parametrize("url", ["/", "/counties/12", "/employment-areas/kerava-sipoo",
                                 "/municipalities/091", "/accessibility", "/privacy",
                                 "/no/such/page"])
def test_rendered_pages_have_no_inline_script_or_style(boundaries_2025, client, url):
    response = client.get(url)
    assert response.status_code == (404 if url == "/no/such/page" else 200), url
    body = response.get_data(as_text=True)
    root = parse(body)
    assert all(s.attrs.get("src") for s in root.find_all("script"))
    assert root.find_all("style") == []
    assert INLINE.findall(body) == []


def test_static_urls_carry_their_content_version_and_are_cached_for_a_year(app, client):
    with app.test_request_context():
        from flask import url_for

        url = url_for("static", filename="css/portal.css")
        missing = url_for("static", filename="no-such-file.css")
    assert re.fullmatch(r"/static/css/portal\.css\?v=[0-9a-f]{12}", url)
    assert missing == "/static/no-such-file.css"
    with client.get(url) as current:
        assert current.status_code == 200
        assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/css/portal.css?v=000000000000") as stale:
        assert stale.status_code == 200
        assert "immutable" not in stale.headers.get("Cache-Control", "")
    with client.get(url, headers={"If-None-Match": current.headers["ETag"]}) as revalidated:
        assert revalidated.status_code == 304


def test_a_changed_static_file_gets_a_new_version(tmp_path):
    from portal.web.assets import file_version

    (tmp_path / "a.css").write_text("body{}")
    first = file_version(str(tmp_path), "a.css")
    (tmp_path / "a.css").write_text("body{color:red}")
    assert file_version(str(tmp_path), "a.css") != first
    assert file_version(str(tmp_path), "../etc/passwd") is None


def test_the_client_address_comes_from_the_proxy_only_when_trusted(settings, database,
                                                                   caplog):
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    caplog.set_level(logging.INFO, logger="portal.access")
    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        caplog.clear()
        app = create_app(dict(settings, TESTING=True, TRUSTED_PROXIES=proxies),
                         database=database)
        app.test_client().get("/healthz", headers=headers, environ_base={
            "REMOTE_ADDR": "127.0.0.1"})
        (record,) = [r for r in caplog.records if r.name == "portal.access"]
        assert record.remote_addr == expected


def test_only_files_in_the_static_folder_get_a_version(app):
    from portal.web.assets import file_version

    assert file_version(app.static_folder, "css/portal.css")
    assert file_version(app.static_folder, str(Path(app.static_folder).parent / "operations.py")
                        ) is None
