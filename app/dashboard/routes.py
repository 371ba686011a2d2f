"""The dashboard: exceptions first, then goals, KPI trends, the comparison of stores and the
department's rhythm. Managers, general managers and administrators see their current store; staff
see their own goals and KPIs."""
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from ..auth.permissions import can_oversee_store
from ..auth.services import current_store, visible_stores
from ..coaching import analysis as coaching_analysis
from ..common import current_store_id
from ..goals.rules import AT_RISK, OFF_TRACK, ON_TRACK
from ..kpis.models import PERSON_SCOPE
from ..timeutils import local_today
from . import charts, services

bp = Blueprint("dashboard", __name__, template_folder="templates")

STATUS_LABELS = {ON_TRACK: _l("On track"), AT_RISK: _l("At risk"), OFF_TRACK: _l("Off track")}


@bp.before_request
@login_required
def require_login():
    pass


def _path(endpoint: str, fallback: str, **params) -> str:
    """The URL of another feature's page; its literal path while that page is still being built."""
    try:
        return url_for(endpoint, **params)
    except BuildError:
        query = {k: v for k, v in params.items() if v is not None and not fallback.endswith(f"/{v}")}
        return request.script_root + fallback + ("?" + urlencode(query) if query else "")


def goal_url(goal_id: int) -> str:
    return _path("goals.detail", f"/goals/{goal_id}", goal_id=goal_id)


def new_goal_url(kpi_code: str, baseline: float) -> str:
    return _path("goals.new", "/goals/new", kpi=kpi_code, baseline=f"{baseline:g}", subject="store")


def grid_url() -> str:
    return _path("kpis.grid", "/kpis/grid")


def status_label(status: str | None, started: bool = True) -> str:
    if status is None:
        return str(_l("No data yet") if started else _l("Not started"))
    return str(STATUS_LABELS[status])


@bp.context_processor
def helpers():
    return {"goal_url": goal_url, "new_goal_url": new_goal_url, "grid_url": grid_url, "status_label": status_label,
            "month_label": month_label, "fnum": fnum, "fpercent": fpercent}


def month_label(month) -> str:
    return format_date(month, "yyyy-MM")


def fnum(value) -> str:
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def fpercent(ratio) -> str:
    return "–" if ratio is None else f"{ratio * 100:.0f} %"


def _charts(series_list):
    return [(s, charts.line_chart(s.values, [month_label(m) for m in s.months],
                                  target=s.kpi.default_target, band=s.band))
            for s in series_list]


@bp.get("/")
def index():
    today = local_today()
    store_id = current_store_id()
    if not can_oversee_store(current_user, store_id):
        return _staff_view(today)
    rows = services.goal_rows(store_id, today)
    stores = visible_stores()
    comparison = services.store_comparison([s.id for s in stores], today) if len(stores) > 1 else None
    # The store's coaching effect and its group's, from one pass over the group's talks.
    coaching_by_store = coaching_analysis.coaching_effect_by_store({s.id for s in stores} | {store_id}, today)
    return render_template(
        "dashboard/index.html", today=today, store=current_store(), rows=rows,
        exceptions=services.exceptions(store_id, today, rows),
        trends=_charts(services.trend_series(store_id, services.active_kpis(), today)),
        stores=stores, comparison=comparison,
        rhythm=services.meeting_rhythm(store_id, today),
        on_time=services.on_time_share(store_id, today),
        overdue=services.overdue_count(store_id, today),
        unchecked=[r for r in rows if not r.checked_this_month],
        on_time_days=services.ON_TIME_DAYS,
        coaching=coaching_by_store[store_id],
        group_coaching=coaching_analysis.EffectSummary.sum_of(coaching_by_store.values()) if len(stores) > 1 else None,
        uncoached=len({g.person.id for g in coaching_analysis.coverage_gaps(store_id, today)}),
        coverage_weeks=coaching_analysis.DEFAULT_COVERAGE_WEEKS,
    )


def _staff_view(today):
    store_id = current_user.store_id
    kpis = [k for k in services.active_kpis() if k.scope == PERSON_SCOPE]
    return render_template(
        "dashboard/mine.html", today=today, rows=services.goal_rows(store_id, today, person_id=current_user.id),
        trends=_charts(services.trend_series(store_id, kpis, today, person_id=current_user.id)),
    )
