"""Gunicorn configuration for the portal's web processes.

    gunicorn --config deploy/gunicorn.conf.py        (deploy/tym-web.service runs this)

Everything an installation tunes comes from the environment (see tym.env.example):
``WEB_CONCURRENCY`` workers (default 2 x cores + 1), ``GUNICORN_BIND``,
``GUNICORN_TIMEOUT``, ``GUNICORN_MAX_REQUESTS``. Each worker builds its own app with
``portal.create_app()``, which reads the ``TYM_*`` settings.

- ``preload_app`` is off: every worker imports the app and opens its own database pool
  after the fork (a pool created before forking would share sockets between workers),
  and ``systemctl reload tym-web`` (HUP) starts workers on the new code of a release.
- ``gthread`` workers: a few threads per process keep a slow client from holding a whole
  worker (nginx buffers too) and allow keep-alive from nginx.
- Workers are replaced after ``max_requests`` (with jitter, so they do not all restart at
  once), which bounds any slow memory growth.
- Logs go to standard output as JSON (journald keeps them); gunicorn's own access log
  is off because the portal logs each request itself, with its request id and route.
- Metrics: each worker writes to ``PROMETHEUS_MULTIPROC_DIR``; it is emptied when the
  master starts and a dead worker's live gauges are dropped (``child_exit``).
"""

import multiprocessing
import os

from portal.ops import logs, metrics

wsgi_app = "portal:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # > TYM_DB_STATEMENT_TIMEOUT_MS
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max(1, max_requests // 10)
preload_app = False
control_socket_disable = True  # gunicorn 27's ~/.gunicorn control socket: not used, one per host
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat on tmpfs
# Only what nginx sends on loopback; the portal reads X-Forwarded-* itself (TYM_TRUSTED_PROXIES).
forwarded_allow_ips = "127.0.0.1,::1"

accesslog = None
errorlog = "-"
loglevel = os.environ.get("TYM_LOG_LEVEL", "info").lower()
_formatter = ("portal.ops.logs.JsonFormatter"
              if os.environ.get("TYM_LOG_FORMAT", "json").lower() == "json"
              else "portal.ops.logs.TextFormatter")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"portal": {"()": _formatter}},
    "filters": {"request_id": {"()": logs.RequestIdFilter}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                            "formatter": "portal", "filters": ["request_id"]}},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(),
                           "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
    # The root logger gets its handler from the portal (portal.ops.logs.configure).
    "root": {"level": loglevel.upper(), "handlers": []},
}


def on_starting(server):
    metrics.clear_directory(metrics.multiprocess_dir() or "")


def child_exit(server, worker):
    metrics.mark_process_dead(worker.pid)
