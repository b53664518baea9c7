"""The production stack on loopback, from the real deploy/ files: gunicorn with
deploy/gunicorn.conf.py, nginx with deploy/nginx/*.conf (paths rewritten to this
checkout and a temporary directory), the scheduler, and an own PostgreSQL cluster for
fault tests. Used by the end-to-end and fault tests and by bench/bench_load.py.

Every process is started with its own process group and stopped by its pid.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DEPLOY = ROOT / "deploy"
NGINX_FILES = ("tym-http.conf", "tym-server.conf", "tym-proxy.conf",
               "tym-security-headers.conf", "_unavailable.html")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, headers: dict | None = None, timeout: float = 10.0):
    """(status, headers, body) of a GET; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = exc
        time.sleep(interval)
    raise TimeoutError(f"{what} not within {timeout:.0f} s (last: {last!r})")


def _answers(url: str) -> bool:
    try:
        return http_get(url, timeout=2)[0] < 500
    except OSError:
        return False


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def start(name: str, command: list[str], env: dict, workdir: Path) -> Process:
    log = workdir / f"{name}.log"
    with open(log, "ab") as out:
        popen = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                 cwd=ROOT, start_new_session=True)
    return Process(name, popen, log)


def portal_env(database_url: str, workdir: Path, **extra: str) -> dict:
    """The environment of a production process: TYM_* settings and nothing of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TYM_", "PROMETHEUS_"))}
    env.update({
        "TYM_DATABASE_URL": database_url,
        "TYM_SECRET_KEY": "e2e-" + "x" * 40,
        "TYM_TRUSTED_PROXIES": "1",
        "TYM_LOG_FORMAT": "json",
        "TYM_COOKIE_SECURE": "false",
        "TYM_SCHEDULER_LOCK_FILE": str(workdir / "scheduler.lock"),
        "TYM_JOB_METRICS_DIR": str(workdir / "scheduler-metrics"),
        "TYM_FEEDBACK_EMAIL": "saavutettavuus@example.fi",
    })
    env.update(extra)
    return env


def tym(args: list[str], env: dict, timeout: float = 300) -> str:
    done = subprocess.run([str(VENV_BIN / "tym"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"tym {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start_gunicorn(env: dict, workdir: Path, workers: int = 2) -> tuple[Process, int]:
    port = free_port()
    metrics_dir = workdir / "web-metrics"
    metrics_dir.mkdir(exist_ok=True)
    env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers),
               PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    process = start("gunicorn", [str(VENV_BIN / "gunicorn"), "--config",
                                 str(DEPLOY / "gunicorn.conf.py")], env, workdir)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60,
                   "gunicorn answering")
    except TimeoutError:
        process.stop()
        raise RuntimeError("gunicorn did not start:\n" + process.output()[-4000:]) from None
    return process, port


def start_scheduler(env: dict, workdir: Path) -> Process:
    metrics_dir = workdir / "scheduler-metrics"
    metrics_dir.mkdir(exist_ok=True)
    return start("scheduler", [str(VENV_BIN / "tym"), "scheduler"],
                 dict(env, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)), workdir)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (("/usr/sbin/nginx") if Path("/usr/sbin/nginx").exists()
                                     else None)


def render_nginx(workdir: Path, upstreams: list[int], port: int, extra: str = "") -> Path:
    """deploy/nginx/* with this checkout's paths (and ``extra`` server-level directives,
    e.g. a benchmark's static location); returns the nginx.conf to run."""
    conf = workdir / "nginx"
    for sub in ("cache", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (conf / sub).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
    for name in NGINX_FILES:
        text = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
        text = (text.replace("/srv/tym/deploy/nginx", str(conf))
                    .replace("/srv/tym", str(ROOT))
                    .replace("/var/cache/nginx/tym", str(conf / "cache"))
                    .replace("/var/log/nginx/tym.access.log", str(conf / "access.log")))
        if name == "tym-http.conf":
            lines = [line for line in text.splitlines() if "server 127.0.0.1:8000" not in line]
            text = "\n".join(lines).replace("upstream tym_portal {",
                                            "upstream tym_portal {\n" + servers, 1)
        (conf / name).write_text(text, encoding="utf-8")
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main = f"""{user}worker_processes 1;
pid {conf}/nginx.pid;
error_log {conf}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    client_body_temp_path {conf}/client_body;
    proxy_temp_path {conf}/proxy;
    fastcgi_temp_path {conf}/fastcgi;
    uwsgi_temp_path {conf}/uwsgi;
    scgi_temp_path {conf}/scgi;
    include {conf}/tym-http.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        {extra}
        include {conf}/tym-server.conf;
    }}
}}
"""
    path = conf / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


def start_nginx(workdir: Path, upstreams: list[int], extra: str = "") -> tuple[Process, int]:
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    port = free_port()
    config = render_nginx(workdir, upstreams, port, extra)
    check = subprocess.run([binary, "-t", "-q", "-c", str(config), "-p", str(config.parent)],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
    process = start("nginx", [binary, "-c", str(config), "-p", str(config.parent),
                              "-g", "daemon off;"], dict(os.environ), workdir)
    wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 30, "nginx answering")
    return process, port


@dataclass
class Cluster:
    """An own PostgreSQL cluster (initdb into a temporary directory) that a test may stop
    and start without disturbing anyone else's server."""

    directory: Path
    port: int
    run_as: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _bin(self, name: str) -> str:
        for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
            return str(candidate)
        found = shutil.which(name)
        if found is None:
            raise RuntimeError(f"{name} is not installed (apt-get install postgresql)")
        return found

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.run_as, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}")

    @classmethod
    def create(cls) -> Cluster:
        """A new cluster in a fresh directory under the system temp folder (reachable by
        the ``postgres`` user when we are root: PostgreSQL refuses to run as root)."""
        directory = Path(tempfile.mkdtemp(prefix="tym-pgcluster-"))
        run_as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
            run_as = ["runuser", "-u", "postgres", "--"]
        cluster = cls(directory, free_port(), run_as)
        cluster._run(cluster._bin("initdb"), "-D", str(directory), "-U", "postgres",
                     "-A", "trust", "--no-sync", "-E", "UTF8")
        return cluster

    def start(self) -> None:
        self._run(self._bin("pg_ctl"), "-D", str(self.directory), "-l",
                  str(self.directory / "server.log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off", "start")

    def stop(self) -> None:
        self._run(self._bin("pg_ctl"), "-D", str(self.directory), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        return (self.directory / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.is_running():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def create_database(base_url: str) -> tuple[str, callable]:
    """A fresh, uniquely named database on the server of ``base_url``, and its dropper."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(base_url)
    name = f"tym_stack_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.render_as_string(hide_password=False),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop
