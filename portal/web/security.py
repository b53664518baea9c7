"""Security headers on every answer, so they hold with or without nginx in front.

The built-in Content-Security-Policy allows nothing inline: the pages have no inline
script (maps are served as external scripts, see ``portal.web.maps``) and no inline
style. Leaflet positions its panes and tooltips through the CSSOM
(``element.style.transform = ...``), which CSP does not govern, and draws areas with
SVG presentation attributes, so ``style-src 'self'`` suffices; a template that adds a
``style="..."`` attribute or a ``<style>`` element breaks the browser tests. Base-map
tiles, when configured, are the only thing loaded from another host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

REFERRER_POLICY = "strict-origin-when-cross-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def tile_source(tile_url: str) -> str | None:
    """The CSP source of a Leaflet tile URL template (``{s}`` subdomains become ``*``)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}", "tiles-subdomain"))
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.replace("tiles-subdomain", "*")
    return f"{parts.scheme}://{host}"


def default_policy(tile_url: str = "") -> str:
    tiles = tile_source(tile_url)
    images = "'self'" + (f" {tiles}" if tiles else "")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers(config) -> dict[str, str]:
    """The headers the portal sends, from its settings (nginx's static files get the same)."""
    headers = {
        "Content-Security-Policy": config.get("CONTENT_SECURITY_POLICY")
        or default_policy(config.get("TILE_URL") or ""),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
    }
    if int(config.get("HSTS_SECONDS") or 0) > 0:
        headers["Strict-Transport-Security"] = f"max-age={int(config['HSTS_SECONDS'])}"
    return headers


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies)
    if not app.config.get("SECURITY_HEADERS", True):
        return
    headers = security_headers(app.config)

    def add_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    app.after_request(add_headers)
