"""`flask notify` as it runs in production: two processes at the same moment deliver each message
once (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the atomic claim), and the daily digest is made
once per local day, however often or late it runs."""
import asyncio
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from app.extensions import db
from app.notifications import delivery, services
from app.notifications.models import SENT, DailyRun, Notification, OutboxMessage
from app.notifications.schedule import run_daily_jobs
from app.timeutils import local_now, local_today
from tests.test_notifications_mail import Inbox, free_port

ROOT = Path(__file__).resolve().parent.parent


class SlowInbox(Inbox):
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)  # long enough for the two runs to overlap
        return await super().handle_DATA(server, session, envelope)


def flask_notify(app, port: int, *args) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "testing-only",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "PITWALL_NOTIFY_BATCH": "3",
           "PITWALL_NOTIFY_DAILY_HOUR": "0", "FLASK_APP": "wsgi.py"}
    return subprocess.Popen([str(Path(sys.executable).parent / "flask"), "notify", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_runs_at_once_deliver_each_message_once_and_the_digest_once(app, make_user, store, manager):
    from app.actions.services import create_action_item

    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        people = []
        for n in range(12):
            person = make_user(username=f"p{n}")
            person.email = f"p{n}@example.com"
            people.append(person)
        manager.email = "boss@example.com"
        db.session.commit()
        for person in people:  # an assignment each (an e-mail each), all of them overdue yesterday
            create_action_item(store_id=store.id, title=f"Task of {person.username}", owner_id=person.id,
                               deadline=local_today() - timedelta(days=1), created_by_id=manager.id)
        db.session.commit()
        assert db.session.query(OutboxMessage).count() == 12

        runs = [flask_notify(app, controller.port) for _ in range(2)]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert all(run.returncode == 0 for run in runs), outputs
    finally:
        controller.stop()

    # 12 assignments + 12 owner digests + 1 manager digest, each once
    received = sorted(rcpt[0] for rcpt, _ in inbox.received)
    expected = sorted([f"p{n}@example.com" for n in range(12)] * 2 + ["boss@example.com"])
    assert received == expected, outputs
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(db.select(OutboxMessage))} == {SENT}
    assert db.session.query(Notification).filter_by(kind="actions.store_overdue_digest").count() == 1
    assert db.session.query(DailyRun).filter_by(job="actions.overdue_digests").count() == 1


def test_the_daily_digest_appears_once_per_day_run_twice_and_run_late(app, make_item, staff, manager):
    from app.actions.models import ActionItem

    item = make_item(staff, days=1)
    item = db.session.get(ActionItem, item.id)
    item.deadline = local_today() - timedelta(days=2)
    db.session.commit()

    def digests():
        return db.session.query(Notification).filter_by(kind="actions.overdue_digest").count()

    today = local_now().replace(hour=7, minute=0)
    assert run_daily_jobs(today.replace(hour=6)) == []  # before NOTIFY_DAILY_HOUR: nothing yet
    assert digests() == 0
    assert ("actions.overdue_digests", staff.store_id) in run_daily_jobs(today)
    assert digests() == 1
    assert run_daily_jobs(today + timedelta(hours=3)) == []  # the same day again
    assert digests() == 1
    late = (today + timedelta(days=1)).replace(hour=23, minute=50)  # the next day, very late
    assert ("actions.overdue_digests", staff.store_id) in run_daily_jobs(late)
    assert digests() == 2
    assert db.session.query(Notification).filter_by(kind="actions.store_overdue_digest").count() == 2


def test_a_failing_job_leaves_no_run_and_is_tried_again(app, store, monkeypatch):
    from app.notifications import registry

    calls = []

    def flaky(store, today):
        calls.append(today)
        if len(calls) == 1:
            raise RuntimeError("boom")

    monkeypatch.setitem(registry.DAILY_JOBS, "test.flaky", flaky)
    now = datetime.combine(local_today(), datetime.min.time()).replace(hour=8)
    assert ("test.flaky", store.id) not in run_daily_jobs(now)
    assert ("test.flaky", store.id) in run_daily_jobs(now)
    assert run_daily_jobs(now) == []
    assert len(calls) == 2


def test_a_run_that_died_while_sending_is_taken_over_later(app, staff):
    staff.email = "zhang@example.com"
    services.publish("notifications.test", [staff], store_id=staff.store_id)
    db.session.commit()
    from app.timeutils import utcnow

    now = utcnow()
    assert delivery.claim(now, 10)  # claimed, then the process died
    assert delivery.claim(now + timedelta(minutes=1), 10) is None  # not stolen from a live run
    assert delivery.deliver_due(now=now + delivery.STALE_CLAIM + timedelta(seconds=1)) == (1, 0)


@pytest.mark.parametrize("hour", [0])
def test_flask_notify_runs_the_daily_jobs_from_the_cli(app, hour, make_item, staff):
    app.config["NOTIFY_DAILY_HOUR"] = hour
    try:
        result = app.test_cli_runner().invoke(args=["notify"])
        again = app.test_cli_runner().invoke(args=["notify"])
    finally:
        app.config["NOTIFY_DAILY_HOUR"] = 7
    assert result.exit_code == 0, result.output
    assert "daily job(s) run" in result.output and "notify: 0 daily job(s) run" in again.output
