"""What coaching tells people (notifications): the person coached when a plan waits for their
acknowledgement; the manager when a follow-up falls due (a daily job). Registered at import
(services imports this module)."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import MANAGER, User
from ..extensions import db
from ..formatting import fdate
from ..notifications import services as notify
from ..notifications.registry import register_daily_job, register_kind
from .models import MOTIVATE, CoachingSession


def _day(text):
    return fdate(date.fromisoformat(text)) if text else ""


register_kind("coaching.plan_awaiting", label=_l("A coaching plan waits for my acknowledgement"), group="coaching",
              subject=lambda p: _("Please acknowledge the plan of your coaching talk of %(day)s with %(manager)s",
                                  day=_day(p["held_on"]), manager=p["manager"]),
              text_template="notifications/email/simple.txt", html_template="notifications/email/simple.html")
register_kind("coaching.follow_up_due", label=_l("A coaching follow-up falls due (service manager)"),
              group="coaching", roles=(MANAGER,),
              subject=lambda p: _("Follow-up due: coaching talk with %(person)s of %(day)s",
                                  person=p["person"], day=_day(p["held_on"])),
              text_template="notifications/email/simple.txt", html_template="notifications/email/simple.html")


def _name(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return user.display_name if user else ""


def _params(session: CoachingSession) -> dict:
    return {"session_id": session.id, "held_on": session.held_on.isoformat(), "person": _name(session.person_id),
            "manager": _name(session.manager_id), "note": session.plan_notes or ""}


def plan_awaits_acknowledgement(session: CoachingSession) -> None:
    if session.acknowledged_at is None and not session.verbal_confirmation:
        notify.publish("coaching.plan_awaiting", [session.person_id], store_id=session.store_id,
                       link=notify.path_for("coaching.session", session_id=session.id), params=_params(session),
                       dedup_key=f"coaching-plan:{session.id}")


def follow_ups_due(store, today: date) -> None:
    sessions = db.session.scalars(select(CoachingSession).where(
        CoachingSession.store_id == store.id, CoachingSession.steps_done >= MOTIVATE,
        CoachingSession.follow_up_on <= today, CoachingSession.followed_up_at.is_(None))).all()
    for s in sessions:
        notify.publish("coaching.follow_up_due", [s.manager_id], store_id=store.id,
                       link=notify.path_for("coaching.session", session_id=s.id), params={**_params(s), "note": ""},
                       dedup_key=f"coaching-follow-up:{s.id}:{s.follow_up_on.isoformat()}")


register_daily_job("coaching.follow_ups", follow_ups_due)
