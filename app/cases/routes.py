"""Typical-case pages: the archive (search, filters, XLSX), propose, edit, publish, a case with its
meetings and improvements; taking cases onto a meeting's agenda from either side."""
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..attachments.registry import register_owner
from ..auth.services import by_position, store_people
from ..common import current_store_id, get_or_404, id_arg, paginate, require_login
from ..extensions import db
from ..meetings import extras
from ..meetings.models import SHARING, THEME, Meeting
from ..problems import routes as problem_routes
from ..problems.models import Problem
from ..problems.permissions import can_view_problem
from ..timeutils import local_today
from ..transactions import commit_or_refuse
from ..validation import in_date_window, whole_number
from . import exports, services
from .forms import AgendaForm, CaseForm, EditCaseForm, ImprovementForm, PublishForm
from .models import CATEGORIES, EXAMPLES, PROPOSED, SATISFACTION, TypicalCase
from .permissions import (
    can_attach_to_case,
    can_discuss_case,
    can_edit_case,
    can_propose_case,
    can_publish_cases,
    can_view_case,
)

bp = Blueprint("cases", __name__, template_folder="templates")

require_login(bp)

# Photos and files on a case (app/attachments): whoever sees the case sees them; whoever edits it adds them.
register_owner("case", load=lambda case_id: db.session.get(TypicalCase, case_id), can_view=can_view_case,
               can_attach=can_attach_to_case, store_of=lambda c: c.store_id,
               url_of=lambda c: url_for("cases.detail", case_id=c.id), title_of=lambda c: c.title)

extras.register("cases", load=services.cases_for_meeting, agenda="cases/_meeting_cases.html",
                minutes="cases/_minutes_cases.html")
problem_routes.PAGE_EXTRAS.append("cases/_problem_cases.html")


@bp.app_context_processor
def case_helpers():
    return {"cases_of_problem": services.cases_of_problem, "case_categories": CATEGORIES,
            "case_satisfaction": SATISFACTION, "case_examples": EXAMPLES}


def load_case(case_id: int) -> TypicalCase:
    c = get_or_404(TypicalCase, case_id)
    if not can_view_case(current_user, c):
        abort(403)
    return c


def _people(store_id: int):
    return by_position(store_people(store_id))


def _conflict() -> str:
    return _("Someone else changed this case at the same time. Here it is as it stands now; check it and "
             "make your change again.")


# --- the archive ---------------------------------------------------------------------------

def _date_arg(name):
    from datetime import date

    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if in_date_window(day) else None


def _filters() -> services.Filters:
    args = request.args
    pick = lambda name, allowed: args.get(name, "") if args.get(name, "") in allowed else ""  # noqa: E731
    status = pick("status", {PROPOSED, "mine"}) or "published"
    return services.Filters(
        q=args.get("q", "").strip()[:200], tag=args.get("tag", "").strip()[:30], category=pick("category", CATEGORIES),
        person_id=id_arg("person"), vehicle=args.get("vehicle", "").strip()[:40], date_from=_date_arg("from"),
        date_to=_date_arg("to"), satisfaction=pick("satisfaction", SATISFACTION), example=pick("example", EXAMPLES),
        training=args.get("training") == "1", status=status, sort=pick("sort", {"relevance"}) or "newest")


def _filter_args(f: services.Filters) -> dict:
    values = dict(q=f.q, tag=f.tag, category=f.category, person=f.person_id, vehicle=f.vehicle,
                  satisfaction=f.satisfaction, example=f.example, training="1" if f.training else "",
                  status="" if f.status == "published" else f.status, sort="" if f.sort == "newest" else f.sort,
                  **{"from": f.date_from.isoformat() if f.date_from else "",
                     "to": f.date_to.isoformat() if f.date_to else ""})
    return {k: v for k, v in values.items() if v}


@bp.get("/")
def archive():
    store_id = current_store_id()
    f = _filters()
    if f.status == PROPOSED and not can_publish_cases(current_user, store_id):
        f.status = "mine"
    page = paginate(services.archive_stmt(store_id, f, current_user.id))
    return render_template("cases/archive.html", page=page, f=f, args=_filter_args(f),
                           people=store_people(store_id), tags=services.popular_tags(store_id))


@bp.get("/export.xlsx")
def export():
    store_id = current_store_id()
    f = _filters()
    if f.status == PROPOSED and not can_publish_cases(current_user, store_id):
        f.status = "mine"
    rows = db.session.scalars(services.archive_stmt(store_id, f, current_user.id).limit(exports.MAX_ROWS)).all()
    today = local_today()
    return send_file(exports.archive_xlsx(rows), as_attachment=True, download_name=f"cases-{today.isoformat()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- propose and edit ------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new():
    store_id = current_user.store_id
    if not can_propose_case(current_user, store_id):
        abort(403)
    problem = None
    problem_id = id_arg("problem")
    if problem_id:
        problem = get_or_404(Problem, problem_id)
        if not can_view_problem(current_user, problem) or problem.store_id != store_id:
            abort(403)
    form = CaseForm()
    form.set_people(_people(store_id))
    if request.method == "GET":
        form.case_date.data = local_today()
        if problem is not None:
            with commit_or_refuse() as refusal:
                facts = services.facts_from_problem(problem)
            if refusal:
                refusal.flash()
                return redirect(url_for("problems.detail", problem_id=problem.id))
            for name, value in facts.items():
                getattr(form, name).data = value
            form.technician_id.data = facts["technician_id"] or 0
            form.tags.data = facts["tags"]
    if form.validate_on_submit():
        with commit_or_refuse() as refusal:
            if problem is not None:
                services.facts_from_problem(problem)  # still closed
            c = services.propose(store_id=store_id, created_by_id=current_user.id,
                                 problem_id=problem.id if problem else None, **form.fields())
        if not refusal:
            flash(_("Case saved as a proposal; the service manager publishes it to the archive."), "success")
            return redirect(url_for("cases.detail", case_id=c.id))
        refusal.flash()
        return render_template("cases/form.html", form=form, case=None, problem=problem), refusal.status
    return render_template("cases/form.html", form=form, case=None, problem=problem), 422 if form.errors else 200


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id):
    c = load_case(case_id)
    if not can_edit_case(current_user, c):
        abort(403)
    form = EditCaseForm(obj=c)
    form.set_people(_people(c.store_id))
    if request.method == "GET":
        form.tags.data = ", ".join(c.tag_list)
        form.advisor_id.data, form.technician_id.data = c.advisor_id or 0, c.technician_id or 0
        form.version.data = c.version
    if form.validate_on_submit():
        with commit_or_refuse(conflict=_conflict()) as refusal:
            services.update(c, whole_number(form.version.data, "version"), **form.fields())
        if not refusal:
            flash(_("Case saved."), "success")
            return redirect(url_for("cases.detail", case_id=c.id))
        refusal.flash()
        return render_template("cases/form.html", form=form, case=load_case(case_id), problem=None), refusal.status
    return render_template("cases/form.html", form=form, case=c, problem=None), 422 if form.errors else 200


# --- one case ------------------------------------------------------------------------------

def _detail(c: TypicalCase, status=200, agenda_form=None, improvement_form=None):
    today = local_today()
    discuss = can_discuss_case(current_user, c)
    meetings = services.meetings_of(c)
    if discuss and agenda_form is None:
        agenda_form = AgendaForm(formdata=None)
    if agenda_form is not None:
        on = {link.meeting_id for link in meetings}
        agenda_form.meeting_id.choices = [(m.id, f"{m.meeting_date.isoformat()} · {m.theme}")
                                          for m in services.upcoming_meetings(c.store_id, today) if m.id not in on]
    if discuss and improvement_form is None:
        improvement_form = ImprovementForm(formdata=None, deadline=today + timedelta(days=14))
    if improvement_form is not None:
        improvement_form.set_people(_people(c.store_id))
    return render_template("cases/detail.html", case=c, meetings=meetings, agenda_form=agenda_form,
                           improvement_form=improvement_form, publish_form=PublishForm(formdata=None, version=c.version),
                           can_edit=can_edit_case(current_user, c), today=today), status


@bp.get("/<int:case_id>")
def detail(case_id):
    return _detail(load_case(case_id))


@bp.post("/<int:case_id>/<any(publish, unpublish):op>")
def publish(case_id, op):
    c = load_case(case_id)
    if not can_publish_cases(current_user, c.store_id):
        abort(403)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(_("This form is out of date. Reload the page and try again."), "danger")
        return _detail(c, 422)
    with commit_or_refuse(conflict=_conflict()) as refusal:
        action = services.publish if op == "publish" else services.unpublish
        if op == "publish":
            action(c, current_user.id, whole_number(form.version.data, "version"))
        else:
            action(c, whole_number(form.version.data, "version"))
    if refusal:
        refusal.flash()
        return _detail(load_case(case_id), refusal.status)
    flash(_("Published to the archive.") if op == "publish" else _("Taken back out of the archive."), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/<int:case_id>/agenda")
def agenda(case_id):
    c = load_case(case_id)
    if not can_discuss_case(current_user, c):
        abort(403)
    form = AgendaForm()
    form.meeting_id.choices = [(m.id, m.theme) for m in services.upcoming_meetings(c.store_id, local_today(), 50)]
    if not form.validate_on_submit():
        return _detail(c, 422, agenda_form=form)
    meeting = db.session.get(Meeting, form.meeting_id.data)
    with commit_or_refuse(taken=_("This case is already on that meeting's agenda.")) as refusal:
        services.take_onto_agenda(c, meeting, current_user.id, form.where.data)
    if refusal:
        refusal.flash()
        return _detail(load_case(case_id), refusal.status)
    flash(_("On the agenda of %(theme)s (%(day)s).", theme=meeting.theme, day=meeting.meeting_date.isoformat()),
          "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="case-meetings"))


@bp.post("/meeting/<int:meeting_id>")
def add_to_meeting(meeting_id):
    """From the meeting page: a published case onto its theme discussion or experience sharing."""
    meeting = get_or_404(Meeting, meeting_id)
    case_id = whole_number(request.form.get("case_id"), "id")
    if case_id is None:
        abort(404)
    c = load_case(case_id)
    if not can_discuss_case(current_user, c) or c.store_id != meeting.store_id:
        abort(403)
    where = request.form.get("where") if request.form.get("where") in (THEME, SHARING) else THEME
    with commit_or_refuse(taken=_("This case is already on that meeting's agenda.")) as refusal:
        services.take_onto_agenda(c, meeting, current_user.id, where)
    if refusal:
        refusal.flash()
    else:
        flash(_("On the agenda: %(title)s", title=c.title), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id, _anchor="agenda-cases"), 303 if refusal else 302)


@bp.post("/<int:case_id>/improvements")
def add_improvement(case_id):
    c = load_case(case_id)
    if not can_discuss_case(current_user, c):
        abort(403)
    form = ImprovementForm()
    form.set_people(_people(c.store_id))
    if not form.validate_on_submit():
        return _detail(c, 422, improvement_form=form)
    meeting_id = whole_number(form.meeting_id.data, "id")
    if meeting_id and meeting_id not in {link.meeting_id for link in services.meetings_of(c)}:
        meeting_id = None
    with commit_or_refuse() as refusal:
        services.add_improvement(c, current_user.id, title=form.title.data, owner_id=form.owner_id.data,
                                 deadline=form.deadline.data, meeting_id=meeting_id)
    if refusal:
        refusal.flash()
        return _detail(load_case(case_id), refusal.status)
    flash(_("Improvement added: it is an action item of its owner now."), "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="improvements"))
