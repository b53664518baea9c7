"""Every setting of the portal, declared once.

A setting has a name (the key in ``app.config`` and in the dict ``load_settings``
returns), the environment variable that sets it, a default, a parser and a help
text. ``docs/settings.md`` is generated from this list (``tym settings --markdown``)
and a test fails when the two disagree. Nothing here reads the environment at import
time: ``load_settings()`` is called by ``create_app`` and by the CLI.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

WFS_URL = "https://geo.stat.fi/geoserver/tilastointialueet/wfs"
CLASSIFICATIONS_URL = "https://data.stat.fi/api/classifications/v2"
STATFIN_URL = "https://pxdata.stat.fi/PxWeb/api/v1/fi"
SOTKANET_URL = "https://sotkanet.fi/rest/1.1"


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r} (use true/false)")


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"not a whole number: {value!r}") from None


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None


def _str(value: str) -> str:
    return value


def _log_level(value: str) -> str:
    level = value.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError(f"not a log level: {value!r} (use DEBUG, INFO, WARNING or ERROR)")
    return level


def _log_format(value: str) -> str:
    fmt = value.strip().lower()
    if fmt not in {"json", "text"}:
        raise ValueError(f"not a log format: {value!r} (use json or text)")
    return fmt


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    parse: Callable[[str], Any] = _str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "TYM_DATABASE_URL",
        "sqlite:///instance/tym.sqlite3",
        "SQLAlchemy database URL. SQLite is the embedded default; production uses "
        "PostgreSQL, e.g. `postgresql+psycopg://tym@db/tym`.",
    ),
    Setting(
        "SECRET_KEY",
        "TYM_SECRET_KEY",
        "dev-only-not-secret",
        "Key that signs session cookies. Must be set to a long random value in production.",
    ),
    Setting(
        "BOUNDARIES_SOURCE",
        "TYM_BOUNDARIES_SOURCE",
        WFS_URL,
        "Where `tym load boundaries` reads municipality polygons: the Statistics Finland WFS "
        "base URL (default), or a local GeoJSON/GeoPackage/Shapefile path, e.g. "
        "`../shared/geodata/statfi_2025/kunta4500k_2025.geojson` when offline.",
    ),
    Setting(
        "BOUNDARIES_YEAR",
        "TYM_BOUNDARIES_YEAR",
        2025,
        "Vintage of the municipal division that boundaries are loaded for and the map shows.",
        _int,
    ),
    Setting(
        "SIMPLIFY_TOLERANCE_M",
        "TYM_SIMPLIFY_TOLERANCE_M",
        250.0,
        "Coverage simplification tolerance for web geometry, in metres (EPSG:3067). It "
        "bounds the size of removed detail, roughly the square root of the area removed; "
        "250 m keeps the largest border error under 100 m on the 1:4.5M layer.",
        _float,
    ),
    Setting(
        "REFERENCE_SOURCE",
        "TYM_REFERENCE_SOURCE",
        "snapshot",
        "Where `tym load reference` reads the classification: `snapshot` (shipped with the "
        "project) or the base URL of the Statistics Finland classification API "
        f"(`{CLASSIFICATIONS_URL}`).",
    ),
    Setting(
        "HTTP_TIMEOUT",
        "TYM_HTTP_TIMEOUT",
        30.0,
        "Timeout in seconds for every request to an external service.",
        _float,
    ),
    Setting(
        "HTTP_RETRIES",
        "TYM_HTTP_RETRIES",
        2,
        "How many times a failed request to an external service is retried (bounded).",
        _int,
    ),
    Setting(
        "TILE_URL",
        "TYM_TILE_URL",
        "",
        "Base-map tile URL template (`https://.../{z}/{x}/{y}.png`). Empty (default): no "
        "base map, so a page load makes no request to another host.",
    ),
    Setting(
        "TILE_ATTRIBUTION",
        "TYM_TILE_ATTRIBUTION",
        "",
        "Attribution shown for the base-map tiles when `TYM_TILE_URL` is set.",
    ),
    Setting(
        "PUBLIC_URL",
        "TYM_PUBLIC_URL",
        "http://127.0.0.1:5000",
        "The portal's public base URL, used in links that leave the portal (invitations, "
        "DCAT catalogue, OpenAPI servers).",
    ),
    Setting(
        "COOKIE_SECURE",
        "TYM_COOKIE_SECURE",
        True,
        "Send the session cookie only over HTTPS. Set to false only for local development "
        "over plain HTTP (`make run` does).",
        _bool,
    ),
    Setting(
        "SESSION_LIFETIME_MINUTES",
        "TYM_SESSION_LIFETIME_MINUTES",
        60,
        "A signed-in session ends after this many minutes without a request.",
        _int,
    ),
    Setting(
        "UPLOAD_MAX_BYTES",
        "TYM_UPLOAD_MAX_BYTES",
        10 * 1024 * 1024,
        "Largest accepted upload (agreement documents, client-volume files), in bytes.",
        _int,
    ),
    Setting(
        "SUPPRESSION_THRESHOLD",
        "TYM_SUPPRESSION_THRESHOLD",
        5,
        "Counts below this are suppressed in every public output (with secondary "
        "suppression); monitors who are signed in see them.",
        _int,
    ),
    Setting(
        "DEFAULT_LOCALE",
        "TYM_DEFAULT_LOCALE",
        "fi",
        "Language used when the visitor has not chosen one: `fi`, `sv` or `en`.",
    ),
    Setting(
        "SCHEDULE_FILE",
        "TYM_SCHEDULE_FILE",
        "",
        "TOML or JSON file with the ETL schedule (job ids, triggers, arguments), replacing "
        "the built-in one; see `deploy/schedule.example.toml`. Empty: the built-in schedule.",
    ),
    Setting(
        "SCHEDULER_LOCK_FILE",
        "TYM_SCHEDULER_LOCK_FILE",
        "instance/scheduler.lock",
        "Lock file that keeps a second `tym scheduler` from starting beside a running one "
        "(on PostgreSQL an advisory lock in the database is held as well).",
    ),
    Setting(
        "STATFIN_URL",
        "TYM_STATFIN_URL",
        STATFIN_URL,
        "Base URL of the Statistics Finland PxWeb API, including the language, that the "
        "StatFin jobs read tables from.",
    ),
    Setting(
        "SOTKANET_URL",
        "TYM_SOTKANET_URL",
        SOTKANET_URL,
        "Base URL of THL's Sotkanet REST API.",
    ),
    Setting(
        "SOTKANET_INDICATORS",
        "TYM_SOTKANET_INDICATORS",
        "",
        "Comma-separated Sotkanet indicator ids the `sotkanet` job loads (municipality and "
        "wellbeing-county level), e.g. `127,3071`. Empty: the job loads nothing.",
    ),
    Setting(
        "CLIENT_VOLUME_INBOX",
        "TYM_CLIENT_VOLUME_INBOX",
        "",
        "Folder the `client-volumes-inbox` job reads client-volume files (CSV, XLSX) from; "
        "each processed file is moved to `done/` or `rejected/` inside it. Empty: off.",
    ),
    # --- operations: database timeouts, replica, proxies, headers, logs, metrics, statements
    Setting(
        "DATABASE_REPLICA_URL",
        "TYM_DATABASE_REPLICA_URL",
        "",
        "Optional read replica (SQLAlchemy URL). Anonymous GET and HEAD requests read from "
        "it; signed-in users, every change and the CLI use `TYM_DATABASE_URL`. Empty: no "
        "replica.",
    ),
    Setting(
        "DB_CONNECT_TIMEOUT",
        "TYM_DB_CONNECT_TIMEOUT",
        5,
        "Seconds a web request waits to connect to the database (or for a free pooled "
        "connection) before it gets the 503 page.",
        _int,
    ),
    Setting(
        "DB_STATEMENT_TIMEOUT_MS",
        "TYM_DB_STATEMENT_TIMEOUT_MS",
        15000,
        "PostgreSQL `statement_timeout` for web requests, in milliseconds (0: none). The "
        "CLI, migrations, backups and the scheduler are not limited.",
        _int,
    ),
    Setting(
        "TRUSTED_PROXIES",
        "TYM_TRUSTED_PROXIES",
        0,
        "How many reverse proxies (nginx: 1) stand in front of the portal and set "
        "`X-Forwarded-For`/`-Proto`/`-Host`; the client address (login throttling, logs) "
        "and the scheme are read from them. 0: the headers are ignored.",
        _int,
    ),
    Setting(
        "SECURITY_HEADERS",
        "TYM_SECURITY_HEADERS",
        True,
        "Send Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, "
        "Referrer-Policy and X-Frame-Options on every answer (so they hold without nginx).",
        _bool,
    ),
    Setting(
        "CONTENT_SECURITY_POLICY",
        "TYM_CONTENT_SECURITY_POLICY",
        "",
        "Content-Security-Policy to send instead of the built-in one (no inline script or "
        "style, nothing from other hosts except the base-map tiles of `TYM_TILE_URL`, no "
        "framing). Empty: the built-in policy.",
    ),
    Setting(
        "HSTS_SECONDS",
        "TYM_HSTS_SECONDS",
        31536000,
        "`Strict-Transport-Security` max-age in seconds (browsers ignore it over plain "
        "HTTP). 0: not sent.",
        _int,
    ),
    Setting(
        "LOG_LEVEL",
        "TYM_LOG_LEVEL",
        "INFO",
        "Lowest level logged: DEBUG, INFO, WARNING or ERROR.",
        _log_level,
    ),
    Setting(
        "LOG_FORMAT",
        "TYM_LOG_FORMAT",
        "json",
        "`json`: one JSON object per line on standard output, with the request id (for "
        "journald/log shippers); `text`: readable lines for development.",
        _log_format,
    ),
    Setting(
        "METRICS_ENABLED",
        "TYM_METRICS_ENABLED",
        True,
        "Serve Prometheus metrics at `/metrics` (nginx answers it only to local addresses).",
        _bool,
    ),
    Setting(
        "PAGE_CACHE_MB",
        "TYM_PAGE_CACHE_MB",
        32,
        "Memory each web process may use to keep rendered public pages (the national map, "
        "area and network pages) until the data changes. 0: render every request.",
        _int,
    ),
    Setting(
        "JOB_METRICS_DIR",
        "TYM_JOB_METRICS_DIR",
        "",
        "The scheduler's `PROMETHEUS_MULTIPROC_DIR`: `/metrics` of the web process on the "
        "same host adds the job durations and outcomes recorded there. Empty: not read.",
    ),
    Setting(
        "JOB_STALE_GRACE_MINUTES",
        "TYM_JOB_STALE_GRACE_MINUTES",
        60,
        "`/readyz` reports a scheduled job as stale when its last successful run is older "
        "than the job's period plus this many minutes.",
        _int,
    ),
    Setting(
        "SERVICE_PROVIDER",
        "TYM_SERVICE_PROVIDER",
        "",
        "Name of the organisation that runs this portal and controls its personal data, "
        "shown in the accessibility statement and the privacy notice.",
    ),
    Setting(
        "FEEDBACK_EMAIL",
        "TYM_FEEDBACK_EMAIL",
        "",
        "Address for accessibility feedback and requests (Act 306/2019), linked from the "
        "accessibility statement. Must be set in production.",
    ),
    Setting(
        "PRIVACY_EMAIL",
        "TYM_PRIVACY_EMAIL",
        "",
        "Address for data protection requests, shown in the privacy notice. Empty: the "
        "feedback address.",
    ),
)

LOCALES = ("fi", "sv", "en")


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return every setting: default, then the environment, then ``overrides``."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = setting.default
        if setting.env in environ:
            try:
                value = setting.parse(environ[setting.env])
            except ValueError as exc:
                raise SettingsError(f"{setting.env}: {exc}") from None
        values[setting.name] = value
    if overrides:
        unknown = set(overrides) - {s.name for s in SETTINGS}
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        values.update(overrides)
    if values["DEFAULT_LOCALE"] not in LOCALES:
        raise SettingsError(f"TYM_DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")
    return values


def settings_markdown() -> str:
    """The settings reference as Markdown (docs/settings.md)."""
    lines = [
        "# Settings",
        "",
        "Generated by `tym settings --markdown` from `portal/settings.py`; do not edit by hand.",
        "",
        "| environment variable | default | meaning |",
        "| --- | --- | --- |",
    ]
    for s in SETTINGS:
        default = "" if s.default in ("", None) else f"`{s.default}`"
        lines.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(lines) + "\n"
