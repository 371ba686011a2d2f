"""What goals tell people (notifications): the goal's owner when its monthly check is due (a daily
job). Registered at import (services imports this module)."""
from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from ..extensions import db
from ..months import add_months, month_start
from ..notifications import services as notify
from ..notifications.registry import register_daily_job, register_kind
from .models import CHECK, DO, CheckRecord, Goal


def _goal_name(p: dict) -> str:
    """The goal's title, else its KPI's name in the reader's language."""
    return p["goal"] or (p["kpi_zh"] if get_locale().language == "zh" else p["kpi_en"])


register_kind("goals.check_due", label=_l("The monthly check of my goal is due"), group="goals",
              subject=lambda p: _("Monthly check due: %(goal)s", goal=_goal_name(p)),
              text_template="notifications/email/simple.txt", html_template="notifications/email/simple.html")


def checks_due(store, today: date) -> None:
    """A goal being carried out (Do or Check) that has run a full month or more and has no check
    recorded this month: its owner is told once a month, from the first of the month on."""
    this_month = month_start(today)
    checked = exists().where(CheckRecord.goal_id == Goal.id, CheckRecord.checked_on >= this_month)
    goals = db.session.scalars(select(Goal).where(
        Goal.store_id == store.id, Goal.stage.in_((DO, CHECK)), Goal.period_start < this_month,
        Goal.period_end >= add_months(this_month, -1), ~checked).order_by(Goal.id)).all()
    for goal in goals:
        notify.publish("goals.check_due", [goal.owner_id], store_id=store.id,
                       link=notify.path_for("goals.detail", goal_id=goal.id),
                       params={"goal_id": goal.id, "goal": goal.title, "kpi_zh": goal.kpi.name_zh,
                               "kpi_en": goal.kpi.name_en, "note": ""},
                       dedup_key=f"goals-check:{goal.id}:{this_month.isoformat()[:7]}")


register_daily_job("goals.checks_due", checks_due)
