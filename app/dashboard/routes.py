"""The dashboard: exceptions first, then goals, KPI trends, the comparison of stores and the
department's rhythm. Managers, general managers and administrators see their current store; staff
see their own goals and KPIs."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import freshness
from ..auth.models import Store
from ..auth.permissions import can_oversee_store
from ..auth.services import current_store, visible_stores
from ..coaching import analysis as coaching_analysis
from ..common import current_store_id, require_login
from ..extensions import db
from ..forms import EmptyForm
from ..goals.permissions import can_manage_goals
from ..goals.rules import AT_RISK, AT_RISK_FROM, OFF_TRACK, ON_TRACK, ON_TRACK_FROM
from ..kpis.charts import TREND_MONTHS, trend_charts, trend_series
from ..kpis.models import PERSON_SCOPE
from ..kpis.services import active_kpis
from ..problems.services import open_urgent
from ..timeutils import local_today
from . import group, services
from .permissions import can_view_group

bp = Blueprint("dashboard", __name__, template_folder="templates")

EXCEPTIONS_SHOWN = 5  # items per "needs attention" card; the rest are a link away

STATUS_LABELS = {ON_TRACK: _l("On track"), AT_RISK: _l("At risk"), OFF_TRACK: _l("Off track")}

require_login(bp)


def goal_url(goal_id: int) -> str:
    return url_for("goals.detail", goal_id=goal_id)


def new_goal_url(kpi_code: str, baseline: float) -> str:
    return url_for("goals.new", kpi=kpi_code, baseline=f"{baseline:g}", subject="store")


def grid_url() -> str:
    return url_for("kpis.grid")


def status_label(status: str | None, started: bool = True) -> str:
    if status is None:
        return str(_l("No data yet") if started else _l("Not started"))
    return str(STATUS_LABELS[status])


@bp.context_processor
def helpers():
    return {"goal_url": goal_url, "new_goal_url": new_goal_url, "grid_url": grid_url, "status_label": status_label}


@bp.get("/")
def index():
    today = local_today()
    store_id = current_store_id()
    if not can_oversee_store(current_user, store_id):
        return _staff_view(today)
    stores = visible_stores()
    # The sections are kept as HTML until a write to the stores they read (app/freshness.py): the
    # store's own under its stamp, the comparison under its stores' stamps. What they show of the
    # reader is only what the keys say: may they open goals here, may they see the group overview.
    freshness.stamps({store_id, *(s.id for s in stores)})  # every section's stamps in one statement
    may_manage_goals = can_manage_goals(current_user, store_id)
    store_top = freshness.cached_html("dashboard.store_top", [store_id], today,
                                      lambda: _render_store_top(store_id, today), may_manage_goals)
    store_trends = freshness.cached_html("dashboard.store_trends", [store_id], today,
                                         lambda: _render_trends(store_id, today))
    comparison = None
    if len(stores) > 1:
        store_ids = [s.id for s in stores]
        comparison = freshness.cached_html("dashboard.comparison", store_ids, today,
                                           lambda: _render_comparison(stores, today), can_view_group(current_user))
    return render_template("dashboard/index.html", today=today, store=current_store(),
                           store_top=store_top, comparison=comparison, store_trends=store_trends)


def _render_store_top(store_id: int, today):
    rows = services.goal_rows(store_id, today)
    return render_template(
        "dashboard/_store_top.html", today=today, store=current_store(), rows=rows,
        exceptions=services.exceptions(store_id, today, rows),
        rhythm=services.meeting_rhythm(store_id, today),
        on_time=services.on_time_share(store_id, today),
        overdue=services.overdue_count(store_id, today),
        unchecked=[r for r in rows if not r.checked_this_month],
        on_time_days=services.ON_TIME_DAYS,
        coaching=coaching_analysis.coaching_effect_by_store({store_id}, today)[store_id],
        uncoached=len({g.person.id for g in coaching_analysis.coverage_gaps(store_id, today)}),
        coverage_weeks=coaching_analysis.DEFAULT_COVERAGE_WEEKS,
        urgent_problems=open_urgent(store_id),
        comebacks=services.comebacks_against_kpi(store_id, today),
        on_track_from=ON_TRACK_FROM, at_risk_from=AT_RISK_FROM, shown_rows=EXCEPTIONS_SHOWN,
    )


def _render_trends(store_id: int, today):
    return render_template("dashboard/_trend_section.html", trends=trend_charts(trend_series(store_id, active_kpis(), today)),
                           trend_months=TREND_MONTHS)


def _render_comparison(stores, today):
    store_ids = {s.id for s in stores}
    return render_template(
        "dashboard/_compare.html", stores=stores, comparison=services.store_comparison(store_ids, today),
        group_coaching=coaching_analysis.EffectSummary.sum_of(
            coaching_analysis.coaching_effect_by_store(store_ids, today).values()))


def _staff_view(today):
    """A staff member's own goals and KPIs, kept as HTML per person until a write to their store."""
    store_id = current_user.store_id
    person_id = current_user.id
    mine = freshness.cached_html("dashboard.mine", [store_id], today, lambda: _render_mine(store_id, person_id, today),
                                 person_id)
    return render_template("dashboard/mine.html", mine=mine)


def _render_mine(store_id: int, person_id: int, today):
    return render_template(
        "dashboard/_mine.html", today=today, rows=services.goal_rows(store_id, today, person_id=person_id),
        trends=trend_charts(trend_series(store_id, active_kpis(PERSON_SCOPE), today, person_id=person_id)),
        trend_months=TREND_MONTHS,
    )


# --- the group overview ----------------------------------------------------------------------

# Where a cell of the group overview leads, in the store it belongs to: (endpoint, arguments).
STORE_VIEWS = {
    "dashboard": ("dashboard.index", {}),
    "goals": ("goals.index", {}),
    "kpis": ("kpis.grid", {}),
    "overdue": ("actions.board", {"overdue": "1"}),
    "extended": ("actions.board", {"extended": "1"}),
    "meetings": ("meetings.index", {}),
    "coaching": ("coaching.index", {"_anchor": "coverage-h"}),
}


def store_view_url(store_id: int, view: str) -> str:
    return url_for("dashboard.open_store", store_id=store_id, view=view)


@bp.get("/group")
def group_overview():
    if not can_view_group(current_user):
        abort(403)
    today = local_today()
    stores = visible_stores()
    table = freshness.cached_html("dashboard.group_table", [s.id for s in stores], today,
                                  lambda: _render_group_table(stores, today))
    return render_template("dashboard/group.html", today=today, table=table)


def _render_group_table(stores, today):
    return render_template("dashboard/_group_table.html", rows=group.overview(stores, today),
                           store_view_url=store_view_url, meeting_weeks=group.MEETING_WEEKS,
                           coverage_weeks=coaching_analysis.DEFAULT_COVERAGE_WEEKS,
                           extended_times=group.EXTENDED_TIMES)


@bp.route("/store/<int:store_id>/<view>", methods=["GET", "POST"])
def open_store(store_id: int, view: str):
    """A link from the group overview: make `store_id` the current store (as the header's store
    switch does) and open one of its pages. Only the store the pages show changes, no data; still,
    a link from another site (or an image there) must not change it behind the reader's back, so
    such a request first asks, with a form (CSRF-checked) that switches."""
    if view not in STORE_VIEWS:
        abort(404)
    if store_id not in current_user.visible_store_ids:
        abort(403)
    form = EmptyForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    if request.method == "GET" and not _clicked_here():
        store = db.session.get(Store, store_id)
        return render_template("dashboard/open_store.html", store=store, view=view, form=form)
    session["store_id"] = store_id
    endpoint, args = STORE_VIEWS[view]
    return redirect(url_for(endpoint, **args))


def _clicked_here() -> bool:
    """The browser followed a link on one of our pages, or the reader typed or bookmarked it:
    Sec-Fetch-Site says so (same-origin, none); a browser without it, the Referer's host."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    return bool(request.referrer) and urlsplit(request.referrer).netloc == request.host
