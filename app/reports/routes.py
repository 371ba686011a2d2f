"""The reviews: the store's archive, starting a draft, the draft beside its figures (autosaved
narrative), publishing, the printable page and PDF, and the group's figures side by side."""
from datetime import date

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import report_sections
from ..auth.models import Store
from ..common import current_store_id, get_or_404, paginate, require_login
from ..extensions import db, htmx
from ..formatting import fmonth, fpercent, fperiod
from ..goals.models import STAGES
from ..goals.services import STATUS_LABELS
from ..kpis.models import UNITS
from ..kpis.services import parse_month
from ..meetings.models import ANNUAL, MONTHLY
from ..months import previous_month
from ..reviews.models import VERDICTS
from ..timeutils import local_today
from ..transactions import commit_or_refuse
from . import services
from .forms import MeetingLinkForm, NarrativeForm, NewReportForm, PublishForm
from .models import KINDS, MONTH, NARRATIVE, YEAR, Report
from .permissions import (
    can_view_drafts,
    can_view_group_reports,
    can_view_report,
    can_view_reports,
    can_write_report,
)
from .view import charts_for, iso, kpi_name, period_label

bp = Blueprint("reports", __name__, template_folder="templates")

require_login(bp)

def _conflict() -> str:
    return _("Someone else saved this review while you were writing. Your text is still in the form; "
             "their version is shown below it. Keep yours or take theirs.")


@bp.context_processor
def report_helpers():
    return {"report_kpi_name": kpi_name, "kpi_units": UNITS, "goal_status_labels": STATUS_LABELS,
            "goal_stages": STAGES, "review_verdicts": VERDICTS, "report_kinds": KINDS,
            "report_extra_sections": report_sections.sections, "group_rows": GROUP_ROWS,
            "group_cell": group_cell, "group_kpis": group_kpis}


@bp.app_template_filter("report_date")
def report_date(text):
    return iso(text) if isinstance(text, str) else text


@bp.app_template_filter("report_period")
def report_period(day, kind: str) -> str:
    return fmonth(day) if kind == MONTH else fperiod("year", day)


# The group view's rows: (label, path in the figures, how to show it).
GROUP_ROWS = [
    (_l("Weekly meetings held against the rhythm"), ("meetings", "weekly_held", "meetings", "weekly_expected"), "of"),
    (_l("Attendance rate"), ("meetings", "attendance_rate"), "percent"),
    (_l("Decisions"), ("meetings", "decisions"), "count"),
    (_l("Action items opened"), ("actions", "opened"), "count"),
    (_l("Closed on time"), ("actions", "on_time_rate"), "percent"),
    (_l("Overdue (done late or not done)"), ("actions", "overdue"), "count"),
    (_l("Extended"), ("actions", "extended"), "count"),
    (_l("Coaching talks held"), ("coaching", "held"), "count"),
    (_l("Coverage (people coached of the period's staff)"), ("coaching", "coverage"), "percent"),
]


def group_cell(figures: dict, path: tuple, how: str) -> str:
    value = figures[path[0]][path[1]]
    if how == "of":
        return _("%(held)d of %(expected)d", held=value, expected=figures[path[2]][path[3]])
    if how == "percent":
        return fpercent(value)
    return str(value)


def group_kpis(columns: list[dict]) -> dict:
    """Every KPI that any published column has, in the order first seen."""
    kpis = {}
    for col in columns:
        for row in col["figures"]["kpis"]:
            kpis.setdefault(row["kpi"]["code"], row["kpi"])
    return kpis


@bp.app_context_processor
def meeting_links_hook():
    """The meeting page (app/meetings, a lower layer) lists `meeting_links(meeting)`: here, the
    review presented at a monthly or year-end review meeting, for those who may read it."""
    return {"meeting_links": _meeting_links}


def _meeting_links(meeting) -> list[tuple[str, str, str]]:
    if meeting.kind not in (MONTHLY, ANNUAL):
        return []
    report = services.report_of_meeting(meeting.id)
    if report is None or not can_view_report(current_user, report):
        return []
    label = _("%(kind)s: %(period)s", kind=report.kind_label, period=period_label(report))
    return [(label, url_for("reports.detail", report_id=report.id), report.status_label)]


def load_report(report_id: int, write: bool = False) -> Report:
    report = get_or_404(Report, report_id)
    if not can_view_report(current_user, report):
        abort(403)
    if write and not can_write_report(current_user, report.store_id):
        abort(403)
    return report


@bp.get("/")
def index():
    store_id = current_store_id()
    if not can_view_reports(current_user, store_id):
        abort(403)
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    # The general manager and the administrator see the reviews of every store they oversee.
    all_stores = can_view_group_reports(current_user)
    store_ids = current_user.visible_store_ids if all_stores else [store_id]
    page = paginate(services.archive_stmt(store_ids, not can_view_drafts(current_user, store_id), kind))
    form = NewReportForm()
    today = local_today()
    form.month.data = form.month.data or f"{today.year:04d}-{today.month:02d}"
    form.year.data = form.year.data or today.year
    return render_template("reports/index.html", page=page, form=form, kind=kind, all_stores=all_stores,
                           store=db.session.get(Store, store_id),
                           can_write=can_write_report(current_user, store_id))


@bp.post("/new")
def new():
    store_id = current_store_id()
    if not can_write_report(current_user, store_id):
        abort(403)
    form = NewReportForm()
    if not form.validate_on_submit():
        page = paginate(services.archive_stmt([store_id], False, None))
        return render_template("reports/index.html", page=page, form=form, kind=None,
                               store=db.session.get(Store, store_id), can_write=True), 422
    start = parse_month(form.month.data) if form.kind.data == MONTH else date(form.year.data, 1, 1)
    report = None
    with commit_or_refuse() as refusal:
        report = services.start_report(store_id, form.kind.data, start, current_user.id, local_today())
    if refusal:
        refusal.flash()
        return redirect(url_for(".index"))
    return redirect(url_for(".detail", report_id=report.id))


def _page_context(report: Report) -> dict:
    today = local_today()
    figures = services.report_figures(report, today)
    return {"report": report, "figures": figures, "charts": charts_for(figures),
            "title": period_label(report), "today": today}


@bp.get("/<int:report_id>")
def detail(report_id: int):
    report = load_report(report_id)
    context = _page_context(report)
    can_write = can_write_report(current_user, report.store_id) and not report.is_published
    form = NarrativeForm(obj=report, formdata=None)
    form.version.data = str(report.version)
    link_form = None
    if can_write:
        link_form = MeetingLinkForm(formdata=None)
        link_form.version.data = str(report.version)
        link_form.meeting_id.choices = [(0, _("(none)"))] + [
            (m.id, f"{m.meeting_date.isoformat()} · {m.theme}")
            for m in services.review_meeting_choices(report.store_id, report.kind, report.period_start)]
        link_form.meeting_id.data = report.meeting_id or 0
    return render_template("reports/detail.html", form=form, link_form=link_form, can_write=can_write,
                           narrative=NARRATIVE, **context)


@bp.post("/<int:report_id>/narrative")
def save_narrative(report_id: int):
    report = load_report(report_id, write=True)
    form = NarrativeForm()
    if not form.validate_on_submit():
        if htmx:
            return render_template("reports/_save_status.html", report=report, error=True), 422
        abort(400)
    texts = {key: getattr(form, key).data for key in NARRATIVE}
    with commit_or_refuse(conflict=_conflict()) as refusal:
        services.save_narrative(report, texts, int(form.version.data), current_user.id)
    if refusal:
        if htmx:
            return render_template("reports/_save_status.html", report=report, refusal=refusal,
                                   conflict=refusal.conflict, narrative=NARRATIVE), refusal.status
        refusal.flash()
        return render_template("reports/conflict.html", report=report, texts=texts, form=form,
                               narrative=NARRATIVE, refusal=refusal, title=period_label(report)), refusal.status
    if htmx:
        return render_template("reports/_save_status.html", report=report, saved=True)
    flash(_("Review saved."), "success")
    return redirect(url_for(".detail", report_id=report.id))


@bp.post("/<int:report_id>/meeting")
def link_meeting(report_id: int):
    report = load_report(report_id, write=True)
    form = MeetingLinkForm()
    form.meeting_id.choices = [(0, "")] + [(m.id, "") for m in services.review_meeting_choices(
        report.store_id, report.kind, report.period_start)]
    if not form.validate_on_submit():
        flash(_("Choose one of the store's review meetings of this period."), "danger")
        return redirect(url_for(".detail", report_id=report.id)), 303
    with commit_or_refuse(conflict=_conflict()) as refusal:
        services.link_meeting(report, form.meeting_id.data or None, int(form.version.data), current_user.id)
    if refusal:
        refusal.flash()
    else:
        flash(_("Review meeting saved."), "success")
    return redirect(url_for(".detail", report_id=report.id, _anchor="meeting"))


@bp.route("/<int:report_id>/publish", methods=["GET", "POST"])
def publish(report_id: int):
    report = load_report(report_id, write=True)
    if report.is_published:
        flash(_("This review is already published."), "info")
        return redirect(url_for(".detail", report_id=report.id))
    form = PublishForm()
    if request.method == "GET":
        form.version.data = str(report.version)
        return render_template("reports/publish.html", report=report, form=form, title=period_label(report))
    if not form.validate_on_submit():
        abort(400)
    with commit_or_refuse(conflict=_("Someone saved this review after you opened it. Check the text "
                                     "below, then publish again.")) as refusal:
        services.publish(report, int(form.version.data), current_user.id, local_today())
    if refusal:
        refusal.flash()
        return redirect(url_for(".detail", report_id=report.id)), 303
    flash(_("Review published: its figures are frozen as they are today and it is in the store's archive."),
          "success")
    if htmx:
        return "", 204, {"HX-Redirect": url_for(".detail", report_id=report.id)}
    return redirect(url_for(".detail", report_id=report.id))


@bp.get("/<int:report_id>/print")
def printable(report_id: int):
    report = load_report(report_id)
    return render_template("reports/print.html", narrative=NARRATIVE, **_page_context(report))


# The review's own layout in the PDF, after app/pdf.py's shared print stylesheet.
PDF_CSS = """
.report-doc .kv { margin-bottom: 6pt; }
.report-doc .table { width: 100%; border-collapse: collapse; margin-bottom: 6pt; }
.report-doc .table th, .report-doc .table td { border: 0.75pt solid #888; padding: 2pt 4pt; font-size: 9.5pt;
  text-align: left; vertical-align: top; }
.report-doc .table .num { text-align: right; }
.report-doc .table-scroll { overflow: visible; }
.report-doc .chart-grid-list { display: block; }
.report-doc .chart { display: inline-block; width: 47%; margin: 0 1.5% 8pt 0; vertical-align: top; }
.report-doc .chart figcaption { font-size: 9.5pt; font-weight: bold; }
.report-doc .flash { border: 0.75pt solid #c90; padding: 3pt 6pt; }
.report-doc .kpi-change.better { color: #17803d; }
.report-doc .kpi-change.worse { color: #b3261e; }
.report-doc .narrative-section { break-inside: avoid-page; }
"""


@bp.get("/<int:report_id>/report.pdf")
def pdf(report_id: int):
    from ..pdf import render_pdf

    report = load_report(report_id)
    context = _page_context(report)
    html = render_template("reports/pdf.html", narrative=NARRATIVE, **context)
    stamp = report.published_at if report.is_published else None
    body = render_pdf(html, header=report.store.name, title=f"{report.kind_label} · {context['title']}",
                      created=stamp, modified=stamp, lang=str(get_locale()).replace("_", "-"),
                      stylesheets=(PDF_CSS,))
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    name = f"review-{report.store.code}-{report.period_start.isoformat()[:7 if report.kind == MONTH else 4]}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/group")
def group():
    if not can_view_group_reports(current_user):
        abort(403)
    today = local_today()
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else MONTH
    if kind == YEAR:
        year = request.args.get("year", type=int)
        start = date(year, 1, 1) if year and 2000 <= year <= 2100 else date(today.year, 1, 1)
    else:
        start = parse_month(request.args.get("month", "")) or previous_month(today)
    stores = db.session.scalars(db.select(Store).where(Store.id.in_(current_user.visible_store_ids),
                                                       Store.active.is_(True)).order_by(Store.code)).all()
    reports = services.group_reports([s.id for s in stores], kind, start)
    columns = []
    for store in stores:
        report = reports.get(store.id)
        published = report is not None and report.is_published
        columns.append({"store": store, "report": report,
                        "figures": services.report_figures(report, today) if published else None})
    return render_template("reports/group.html", columns=columns, kind=kind, start=start,
                           period=fmonth(start) if kind == MONTH else fperiod("year", start),
                           month_value=f"{start.year:04d}-{start.month:02d}", year_value=start.year)
