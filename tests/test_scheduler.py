"""The schedule as data, the scheduler's jobs (stable ids, one instance, coalesced, grace
time), the single-process guard, catching up after downtime, and that nothing starts a
scheduler but `tym scheduler`."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import subprocess
import sys
import threading
import time

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES
from apscheduler.schedulers.background import BackgroundScheduler
from prometheus_client import REGISTRY
from sqlalchemy import select

from etl.jobs import JOB_NAMES, registry
from etl.runs import execute
from etl.schedule import (
    DEFAULT_SCHEDULE,
    MISFIRE_GRACE_SECONDS,
    ScheduleEntry,
    ScheduleError,
    load_schedule,
    next_run_times,
    parse_schedule,
)
from etl.scheduler import (
    AlreadyRunning,
    SingleProcessGuard,
    build_scheduler,
    missed_entries,
    run_scheduled,
    serve,
)
from portal.ops import logs
from portal.registry.etl.models import JobRun, RunStatus
from tests.conftest import ROOT

EXAMPLE = ROOT / "deploy" / "schedule.example.toml"
HELSINKI = dt.timezone(dt.timedelta(hours=2))


def test_every_scheduled_job_is_registered_and_ids_are_stable():
    assert set(registry()) == set(JOB_NAMES)
    assert [e.id for e in DEFAULT_SCHEDULE] == [
        "statfin-tyonv-12r5", "sotkanet", "client-volumes-inbox", "agreement-proposals"]
    assert all(e.job in JOB_NAMES for e in DEFAULT_SCHEDULE)


def test_the_example_file_is_the_default_schedule():
    entries = load_schedule(EXAMPLE, JOB_NAMES)
    assert [(e.id, e.job, dict(e.trigger), dict(e.kwargs)) for e in entries] == [
        (e.id, e.job, dict(e.trigger), dict(e.kwargs)) for e in DEFAULT_SCHEDULE]


def test_a_json_schedule_file_works_too(tmp_path):
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps({"jobs": [{"id": "stat", "job": "statfin_pxweb",
                                          "trigger": {"type": "cron", "hour": 3},
                                          "kwargs": {"table": "StatFin/tyonv/12r5.px"}}]}))
    (entry,) = load_schedule(path, JOB_NAMES)
    assert (entry.id, entry.kwargs["table"]) == ("stat", "StatFin/tyonv/12r5.px")


@pytest.mark.parametrize("document, message", [
    ({}, "the schedule needs a non-empty list `jobs`"),
    ({"jobs": [{"id": "Bad Id", "job": "sotkanet", "trigger": {"type": "cron", "hour": 1}}]},
     "jobs[1]: id 'Bad Id' must be lower-case letters, digits and hyphens"),
    ({"jobs": [{"id": "a", "job": "nope", "trigger": {"type": "cron", "hour": 1}}]},
     "job a: unknown job 'nope' (known: agreement_proposals, client_volumes_inbox, "
     "sotkanet, statfin_pxweb)"),
    ({"jobs": [{"id": "a", "job": "sotkanet", "trigger": {"type": "daily"}}]},
     "job a: trigger type 'daily' must be cron or interval"),
    ({"jobs": [{"id": "a", "job": "sotkanet", "trigger": {"type": "cron", "hours": 1}}]},
     "job a: cron trigger has unknown fields hours"),
    ({"jobs": [{"id": "a", "job": "sotkanet", "trigger": {"type": "cron", "hour": 25}}]},
     "job a: trigger: "),
    ({"jobs": [{"id": "a", "job": "sotkanet", "trigger": {"type": "interval", "hours": 1}},
               {"id": "a", "job": "sotkanet", "trigger": {"type": "interval", "hours": 2}}]},
     "job a: the id is used twice"),
])
def test_a_bad_schedule_is_refused_naming_the_entry(document, message):
    with pytest.raises(ScheduleError) as exc:
        parse_schedule(document, JOB_NAMES)
    assert message in str(exc.value)


def test_bad_schedule_files_are_refused(tmp_path):
    broken = tmp_path / "s.toml"
    broken.write_text("[[jobs]\nid=")
    with pytest.raises(ScheduleError, match="is not valid TOML"):
        load_schedule(broken, JOB_NAMES)
    with pytest.raises(ScheduleError, match="cannot read the schedule file"):
        load_schedule(tmp_path / "missing.toml", JOB_NAMES)


def test_the_scheduler_jobs_have_stable_ids_one_instance_and_coalesce():
    scheduler = build_scheduler(DEFAULT_SCHEDULE, lambda entry_id: None,
                                scheduler_class=BackgroundScheduler)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert list(jobs) == [e.id for e in DEFAULT_SCHEDULE]
    for job in jobs.values():
        assert job.max_instances == 1
        assert job.coalesce is True
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
        assert job.args == (job.id,)
    assert not scheduler.running


def test_next_run_times_come_from_the_schedule():
    now = dt.datetime(2026, 3, 6, 10, 0, tzinfo=HELSINKI)  # a Friday, after 9:30
    last = {"client-volumes-inbox": dt.datetime(2026, 3, 6, 9, 50, tzinfo=HELSINKI)}
    upcoming = next_run_times(DEFAULT_SCHEDULE, now, last)
    assert upcoming["statfin-tyonv-12r5"].isoformat() == "2026-03-09T09:30:00+02:00"  # Monday
    assert upcoming["sotkanet"].isoformat() == "2026-03-08T05:00:00+02:00"
    assert upcoming["client-volumes-inbox"] == dt.datetime(2026, 3, 6, 10, 5, tzinfo=HELSINKI)


def test_a_job_missed_while_the_scheduler_was_down_runs_at_start():
    now = dt.datetime(2026, 3, 9, 12, 0, tzinfo=HELSINKI)
    last = {"statfin-tyonv-12r5": dt.datetime(2026, 3, 6, 9, 30, tzinfo=HELSINKI),  # Monday missed
            "sotkanet": dt.datetime(2026, 3, 8, 5, 0, tzinfo=HELSINKI)}  # ran on Sunday
    assert missed_entries(DEFAULT_SCHEDULE, last, now) == ["statfin-tyonv-12r5"]
    scheduler = build_scheduler(DEFAULT_SCHEDULE, lambda entry_id: None,
                                catch_up=["statfin-tyonv-12r5"],
                                scheduler_class=BackgroundScheduler)
    assert scheduler.get_job("statfin-tyonv-12r5").next_run_time is not None


def test_a_second_scheduler_is_refused(cli, tmp_path):
    lock = tmp_path / "scheduler.lock"
    with SingleProcessGuard(lock):
        with pytest.raises(AlreadyRunning, match="another tym scheduler is running"):
            SingleProcessGuard(lock).acquire()
        result = cli("scheduler", SCHEDULER_LOCK_FILE=str(lock))
        assert result.exit_code == 1
        assert "another tym scheduler is running (lock" in result.output
        assert "held by pid" in result.output
    # released: a scheduler may start again
    with SingleProcessGuard(lock):
        pass


def test_the_postgresql_advisory_lock_refuses_a_second_scheduler(engine, tmp_path):
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    with SingleProcessGuard(tmp_path / "a.lock", engine):
        # another machine: its own lock file, the same database
        with pytest.raises(AlreadyRunning, match="PostgreSQL advisory lock held"):
            SingleProcessGuard(tmp_path / "b.lock", engine).acquire()
    with SingleProcessGuard(tmp_path / "b.lock", engine):
        pass


def test_scheduler_list_shows_the_jobs_without_starting(cli, tmp_path):
    result = cli("scheduler", "--list", SCHEDULER_LOCK_FILE=str(tmp_path / "x.lock"))
    assert result.exit_code == 0, result.output
    assert "statfin-tyonv-12r5\tstatfin_pxweb\tcron: day_of_week=mon-fri, hour=9" in (
        result.output)
    assert not (tmp_path / "x.lock").exists()


def test_what_the_scheduler_calls_records_a_scheduled_run(database, settings, session):
    run = run_scheduled(database, dict(settings, SOTKANET_INDICATORS=""),
                        list(DEFAULT_SCHEDULE), "sotkanet")
    assert run.status == RunStatus.succeeded and run.trigger == "schedule"
    assert run.actor == "job:sotkanet"
    assert "no indicators configured" in run.message
    assert session.get(JobRun, run.id).job_id == "sotkanet"


def _job_runs(job: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("tym_job_runs_total",
                                     {"job": job, "outcome": outcome}) or 0.0


def test_every_run_is_counted_with_its_duration_and_outcome(database, settings):
    before = _job_runs("sotkanet", "succeeded")
    count = REGISTRY.get_sample_value("tym_job_duration_seconds_count",
                                      {"job": "sotkanet", "outcome": "succeeded"}) or 0.0
    run_scheduled(database, dict(settings, SOTKANET_INDICATORS=""), list(DEFAULT_SCHEDULE),
                  "sotkanet")
    assert _job_runs("sotkanet", "succeeded") == before + 1
    assert REGISTRY.get_sample_value("tym_job_duration_seconds_count",
                                     {"job": "sotkanet", "outcome": "succeeded"}) == count + 1


def test_a_scheduled_run_logs_one_json_line_with_its_job_and_id(database, settings):
    stream = io.StringIO()
    handler = logs.configure("INFO", "json", stream)
    try:
        run = run_scheduled(database, dict(settings, SOTKANET_INDICATORS=""),
                            list(DEFAULT_SCHEDULE), "sotkanet")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    done = [e for e in lines if e.get("job") == "sotkanet"]
    assert len(done) == 1, lines
    assert done[0]["run_id"] == run.id and done[0]["status"] == "succeeded"
    assert done[0]["request_id"].startswith("job:sotkanet:")
    assert logs.current_request_id() is None  # unbound again after the run


def test_a_run_that_fails_is_counted_as_failed(database, settings):
    before = _job_runs("metrics-fail", "failed")

    def explode(_context):
        raise RuntimeError("upstream answered nonsense")

    run = execute(database, settings, "metrics-fail", explode)
    assert run.status == RunStatus.failed
    assert _job_runs("metrics-fail", "failed") == before + 1


def test_a_run_skipped_because_the_last_one_still_runs_is_counted():
    entry = ScheduleEntry("metrics-slow", "statfin_pxweb", {"type": "interval", "seconds": 1})
    release, skipped = threading.Event(), threading.Event()
    before = _job_runs("metrics-slow", "skipped")
    scheduler = build_scheduler([entry], lambda entry_id: release.wait(10),
                                scheduler_class=BackgroundScheduler)
    scheduler.add_listener(lambda event: skipped.set(), EVENT_JOB_MAX_INSTANCES)
    scheduler.start()
    try:
        assert skipped.wait(10), "the second run was never skipped"
    finally:
        release.set()
        scheduler.shutdown(wait=True)
    assert _job_runs("metrics-slow", "skipped") >= before + 1


def test_runs_cut_off_by_a_stopped_scheduler_are_closed_when_it_starts(database, settings,
                                                                        session, tmp_path):
    started = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
    cut_off = JobRun(job_id="statfin-tyonv-12r5", trigger="schedule", actor="job:x",
                     started_at=started, status=RunStatus.running, rows_read=5,
                     rows_accepted=0, rows_rejected=0, rows_changed=0, source="",
                     source_version="", message="")
    by_hand = JobRun(job_id="sotkanet", trigger="cli", actor="cli:tester", started_at=started,
                     status=RunStatus.running, rows_read=0, rows_accepted=0,
                     rows_rejected=0, rows_changed=0, source="", source_version="",
                     message="")
    session.add_all([cut_off, by_hand])
    session.commit()
    running = threading.Event()
    schedulers = []

    def on_start(scheduler):
        schedulers.append(scheduler)
        running.set()

    thread = threading.Thread(target=serve, args=(
        database, dict(settings, SCHEDULER_LOCK_FILE=str(tmp_path / "s.lock")), []),
        kwargs={"on_start": on_start})
    thread.start()
    try:
        assert running.wait(10)
    finally:
        while not schedulers[0].running:
            time.sleep(0.01)
        schedulers[0].shutdown(wait=False)
        thread.join(10)
    session.expire_all()
    closed = session.get(JobRun, cut_off.id)
    assert closed.status == RunStatus.failed and closed.finished_at is not None
    assert closed.message.startswith("interrupted: the scheduler stopped")
    # a run started by hand (another process) may still be running: left alone
    assert session.get(JobRun, by_hand.id).status == RunStatus.running


def test_tym_etl_run_and_status(cli, session):
    result = cli("etl", "run", "agreement-proposals")
    assert result.exit_code == 0, result.output
    run = session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert (run.job_id, run.trigger, run.status) == ("agreement-proposals", "cli",
                                                     RunStatus.succeeded)
    status = cli("etl", "status")
    assert f"run {run.id}\tagreement-proposals\tsucceeded" in status.output
    assert "next\tstatfin-tyonv-12r5\t" in status.output
    unknown = cli("etl", "run", "nope")
    assert unknown.exit_code == 1
    assert "no job 'nope' in the schedule (jobs: statfin-tyonv-12r5, sotkanet" in unknown.output


def test_neither_the_web_app_nor_an_import_starts_a_scheduler(database_url):
    code = ("import sys, threading; from portal import create_app; "
            "import portal.cli, etl.jobs, etl.schedule; "
            f"create_app({{'DATABASE_URL': {database_url!r}}}); "
            "print(sorted(m for m in sys.modules if m.startswith('apscheduler.schedulers')), "
            "[t.name for t in threading.enumerate()])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "[] ['MainThread']"
