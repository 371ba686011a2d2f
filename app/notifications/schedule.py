"""`flask notify`, part two: the daily jobs (reminders, digests, escalations) that the feature
packages register (registry.register_daily_job), run once per store and local day.

"Today" is the day in PITWALL_TIMEZONE. A job runs at the first `flask notify` on or after
NOTIFY_DAILY_HOUR o'clock local time that day, however late; it inserts its DailyRun row (job, store,
day) in the same transaction as what it publishes, so a second run that day (or one running at the
same moment, which waits on the unique key) finds the row and does nothing, and a job that fails
leaves no row and is tried again by the next run.
"""
import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..auth.models import Store
from ..database import insert_unless_taken
from ..extensions import db
from ..timeutils import local_now, utcnow
from .models import DailyRun
from .registry import DAILY_JOBS

log = logging.getLogger("pitwall.notify")


def run_daily_jobs(now_local: datetime | None = None) -> list[tuple[str, int]]:
    """Run each registered job for each active store unless it ran today; the (job, store id) run."""
    now_local = now_local or local_now()
    if now_local.hour < current_app.config["NOTIFY_DAILY_HOUR"]:
        return []
    today = now_local.date()
    done = []
    store_ids = db.session.scalars(select(Store.id).where(Store.active.is_(True)).order_by(Store.id)).all()
    # Most runs of a day find everything done: one read, no writes.
    ran = {(r.job, r.store_id) for r in db.session.execute(
        select(DailyRun.job, DailyRun.store_id).where(DailyRun.day == today))}
    db.session.rollback()
    for store_id in store_ids:
        for name, job in DAILY_JOBS.items():
            if (name, store_id) in ran:
                continue
            try:
                taken = db.session.execute(insert_unless_taken(DailyRun).values(
                    job=name, store_id=store_id, day=today, ran_at=utcnow()).returning(DailyRun.id)).first()
                if taken is None:
                    db.session.rollback()
                    continue
                job(db.session.get(Store, store_id), today)
                db.session.commit()
                done.append((name, store_id))
            except Exception:
                db.session.rollback()
                log.exception("daily job %s for store %s failed; the next run tries again", name, store_id)
    return done
