"""The deploy/ files: an environment example listing every setting, the gunicorn
configuration, an nginx site that nginx accepts, systemd units that agree with each other
and with the environment example, and a release script that migrates then restarts."""

from __future__ import annotations

import configparser
import os
import runpy
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, text

from portal.migrations.runner import heads
from portal.ops.envfile import env_example
from portal.settings import SETTINGS, load_settings
from tests.conftest import ROOT
from tests.stack import nginx_binary

DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "tym.env.example"


def _active(text_: str) -> dict[str, str]:
    values = {}
    for line in text_.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value[1:-1] if value.startswith('"') else value
    return values


def test_the_environment_example_is_generated_and_up_to_date():
    assert ENV_EXAMPLE.read_text(encoding="utf-8") == env_example(), (
        "deploy/tym.env.example is stale: run `make docs`")


def test_the_environment_example_lists_every_setting_with_its_help():
    text_ = ENV_EXAMPLE.read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert (f"\n{setting.env}=" in text_) or (f"\n# {setting.env}=" in text_), setting.env
        first_words = " ".join(setting.help.replace("`", "").split()[:4])
        assert first_words in " ".join(text_.replace("# ", " ").split()), setting.env


def test_the_environment_example_is_valid_for_the_portal_systemd_and_the_shell(tmp_path):
    active = _active(ENV_EXAMPLE.read_text(encoding="utf-8"))
    values = load_settings(environ=active)
    assert values["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert values["TRUSTED_PROXIES"] == 1
    assert values["COOKIE_SECURE"] is True
    # the shell (release.sh sources it) reads the same values systemd does
    shell = subprocess.run(
        ["bash", "-c", f'set -a; . "{ENV_EXAMPLE}"; set +a; env -0'],
        capture_output=True, check=True, env={"PATH": os.environ["PATH"]})
    environ = dict(item.split("=", 1) for item in shell.stdout.decode().split("\0") if item)
    for name, value in active.items():
        assert environ[name] == value


def test_gunicorn_configuration(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9000")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["wsgi_app"] == "portal:create_app()"
    assert config["workers"] == 3 and config["bind"] == "127.0.0.1:9000"
    assert config["preload_app"] is False
    assert config["max_requests"] > 0 and 0 < config["max_requests_jitter"] < config["max_requests"]
    assert config["timeout"] == 30 and config["graceful_timeout"] > 0
    assert config["accesslog"] is None and config["errorlog"] == "-"
    handler = config["logconfig_dict"]["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["workers"] == os.cpu_count() * 2 + 1


def _unit(path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_the_units_run_gunicorn_and_the_one_scheduler_with_their_metrics_directories():
    web = _unit(DEPLOY / "tym-web.service")["Service"]
    assert web["ExecStart"].endswith("gunicorn --config /srv/tym/deploy/gunicorn.conf.py")
    assert web["User"] == "tym" and web["EnvironmentFile"] == "/etc/tym/env"
    assert web["Environment"] == f"PROMETHEUS_MULTIPROC_DIR=/run/{web['RuntimeDirectory']}"
    assert "HUP" in web["ExecReload"]
    scheduler = _unit(DEPLOY / "tym-scheduler.service")["Service"]
    assert scheduler["ExecStart"].endswith("tym scheduler")
    assert scheduler["EnvironmentFile"] == web["EnvironmentFile"]
    drop_in = _unit(DEPLOY / "tym-scheduler.service.d" / "metrics.conf")["Service"]
    scheduler_dir = f"/run/{drop_in['RuntimeDirectory']}"
    assert drop_in["Environment"] == f"PROMETHEUS_MULTIPROC_DIR={scheduler_dir}"
    assert scheduler_dir != f"/run/{web['RuntimeDirectory']}"
    # the web reads the scheduler's directory
    assert _active(ENV_EXAMPLE.read_text(encoding="utf-8"))["TYM_JOB_METRICS_DIR"] == scheduler_dir


@pytest.mark.skipif(nginx_binary() is None or shutil.which("openssl") is None,
                    reason="needs nginx and openssl")
def test_nginx_accepts_the_site_as_shipped(tmp_path):
    """The production site (TLS, both server blocks), with only its paths moved here."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=tym.example.fi", "-keyout", str(tmp_path / "privkey.pem"),
                    "-out", str(tmp_path / "fullchain.pem")], check=True, capture_output=True)
    for name in os.listdir(DEPLOY / "nginx"):
        text_ = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
        text_ = (text_.replace("/srv/tym/deploy/nginx", str(tmp_path))
                 .replace("/srv/tym", str(ROOT)).replace("/etc/ssl/tym", str(tmp_path))
                 .replace("/var/cache/nginx/tym", str(tmp_path / "cache"))
                 .replace("/var/log/nginx", str(tmp_path)))
        (tmp_path / name).write_text(text_, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(f"""pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path}; fastcgi_temp_path {tmp_path};
    uwsgi_temp_path {tmp_path}; scgi_temp_path {tmp_path};
    include {tmp_path}/tym.conf;
}}
""")
    check = subprocess.run([nginx_binary(), "-t", "-c", str(main), "-p", str(tmp_path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_release_migrates_then_reloads_the_web_and_restarts_the_scheduler(tmp_path):
    database = tmp_path / "release.sqlite3"
    env_file = tmp_path / "env"
    env_file.write_text(f"TYM_DATABASE_URL=sqlite:///{database}\n"
                        'TYM_SERVICE_PROVIDER="A ministry with spaces"\n')
    calls = tmp_path / "systemctl.calls"
    fake = tmp_path / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\n')
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TYM_")}
    env.update(TYM_ENV_FILE=str(env_file), SYSTEMCTL=str(fake), SKIP_SETUP="1",
               RELEASE_WAIT_SECONDS="0", TYM_USER="no-such-user-here")
    done = subprocess.run([str(DEPLOY / "release.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls.read_text().splitlines() == ["reload tym-web", "cat tym-scheduler",
                                              "restart tym-scheduler"]
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            heads()[0]
    engine.dispose()


def test_release_stops_when_the_environment_file_is_missing(tmp_path):
    env = dict(os.environ, TYM_ENV_FILE=str(tmp_path / "missing"), SKIP_SETUP="1")
    done = subprocess.run([str(DEPLOY / "release.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "cannot read" in done.stderr
