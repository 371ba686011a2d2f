"""Problem pages: raise one, my problems, the register (with its XLSX), a problem with its triage,
measures, effectiveness check, report back, reopening and the meeting it goes to."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..attachments.registry import register_owner
from ..attachments.services import attach_all
from ..auth.services import by_position, store_people
from ..common import current_store_id, get_or_404, id_arg, paginate, require_login
from ..extensions import db
from ..formatting import header_counts
from ..meetings import extras
from ..meetings.models import Meeting
from ..timeutils import local_today
from ..transactions import commit_or_refuse
from ..validation import whole_number
from . import exports, services
from .forms import (
    AgendaForm,
    CheckForm,
    CorrectProblemForm,
    DelegateForm,
    MeasureForm,
    ProblemForm,
    ReopenForm,
    TriageForm,
)
from .models import CAUSES, CLOSED, COMEBACK, KINDS, OPEN, STATUSES, TYPES, URGENCIES, Problem
from .permissions import (
    can_add_measure,
    can_attach_to_problem,
    can_check,
    can_correct_report,
    can_raise_problem,
    can_reopen,
    can_schedule,
    can_set_delegate,
    can_triage,
    can_view_problem,
    can_view_register,
)

bp = Blueprint("problems", __name__, template_folder="templates")

require_login(bp)

# Photos and files on a problem (app/attachments): whoever sees the problem sees them.
register_owner("problem", load=lambda problem_id: db.session.get(Problem, problem_id), can_view=can_view_problem,
               can_attach=can_attach_to_problem, store_of=lambda p: p.store_id,
               url_of=lambda p: url_for("problems.detail", problem_id=p.id), title_of=lambda p: p.title)

# Templates packages above add to a problem's page (cases made from it, photos), each included with
# `problem` in the context.
PAGE_EXTRAS: list[str] = []

extras.register("problems", load=services.problems_for_meeting, agenda="problems/_meeting_problems.html",
                minutes="problems/_minutes_problems.html")


@bp.app_context_processor
def unseen_results_in_header():
    """The count beside "My problems": results reported back and not yet read."""
    return header_counts(unseen_problem_count=lambda: services.unseen_count_stmt(current_user.id))


@bp.context_processor
def labels():
    return {"problem_statuses": STATUSES, "urgencies": URGENCIES, "problem_types": TYPES, "causes": CAUSES,
            "problem_kinds": KINDS, "problem_page_extras": PAGE_EXTRAS}


def load_problem(problem_id: int) -> Problem:
    problem = get_or_404(Problem, problem_id)
    if not can_view_problem(current_user, problem):
        abort(403)
    return problem


def _people(store_id: int):
    return by_position(store_people(store_id))


# --- raise ----------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new():
    store_id = current_user.store_id
    if not can_raise_problem(current_user, store_id):
        abort(403)
    form = ProblemForm()
    form.set_people(_people(store_id))
    if request.method == "GET" and request.args.get("kind") == COMEBACK:
        form.kind.data, form.type.data = COMEBACK, "technical"
    if request.method == "POST":
        # A photo straight from the phone's camera: as large as the attachments allow.
        request.max_content_length = current_app.config["ATTACHMENT_MAX_BYTES"] + 256 * 1024
    photo_error = None
    if form.validate_on_submit():
        photos = [f for f in request.files.getlist("photo") if f and f.filename]  # several: attach_all caps them
        with commit_or_refuse() as refusal:
            problem = services.raise_problem(
                store_id=store_id, raised_by_id=current_user.id, kind=form.kind.data, title=form.title.data,
                description=form.description.data, location=form.location.data, urgency=form.urgency.data,
                type=form.type.data, original_ro=form.original_ro.data, return_ro=form.return_ro.data,
                plate=form.plate.data, vin=form.vin.data, vehicle_model=form.vehicle_model.data,
                technician_id=form.technician_id.data or None)
            if photos:
                attach_all("problem", problem, photos, current_user)
        if not refusal:
            flash(_("Thank you. The problem is raised; you will see the result here."), "success")
            return redirect(url_for("problems.detail", problem_id=problem.id))
        photo_error = refusal.message
    status = 422 if form.errors or photo_error else 200
    return render_template("problems/new.html", form=form, photo_error=photo_error,
                           max_photos=current_app.config["ATTACHMENT_MAX_FILES_PER_UPLOAD"]), status


@bp.route("/<int:problem_id>/edit", methods=["GET", "POST"])
def correct(problem_id):
    """Correct what was reported: the raiser until triage, whoever triages until it is closed."""
    problem = load_problem(problem_id)
    if not can_correct_report(current_user, problem):
        abort(403)
    form = CorrectProblemForm(obj=problem if request.method == "GET" else None)
    form.set_people(_people(problem.store_id))
    if request.method == "GET":
        form.technician_id.data, form.version.data = problem.technician_id or 0, problem.version
    if form.validate_on_submit():
        with commit_or_refuse(conflict=_conflict()) as refusal:
            services.correct_report(
                problem, current_user.id, whole_number(form.version.data, "version"), kind=form.kind.data,
                title=form.title.data, description=form.description.data, location=form.location.data,
                original_ro=form.original_ro.data, return_ro=form.return_ro.data, plate=form.plate.data,
                vin=form.vin.data, vehicle_model=form.vehicle_model.data,
                technician_id=form.technician_id.data or None)
        if refusal.status == 409:
            # Their text stays in the form, beside what was saved meanwhile; saving again is a choice.
            refusal.flash()
            form.version.data = problem.version
            return render_template("problems/edit.html", problem=problem, form=form, conflict=True), 409
        if refusal:
            return _refused(problem_id, refusal)
        flash(_("Saved: the problem reads as corrected."), "success")
        return redirect(url_for("problems.detail", problem_id=problem_id))
    return render_template("problems/edit.html", problem=problem, form=form), 422 if form.errors else 200


# --- lists ----------------------------------------------------------------------------------

@bp.get("/mine")
def mine():
    page = paginate(services.mine_stmt(current_user.id))
    owned = db.session.scalars(services.owned_stmt(current_user.id).limit(50)).all()
    return render_template("problems/mine.html", page=page, owned=owned, today=local_today())


def _filters() -> services.Filters:
    args = request.args
    pick = lambda name, allowed: args.get(name, "") if args.get(name, "") in allowed else ""  # noqa: E731
    return services.Filters(
        q=args.get("q", "").strip()[:200], status=pick("status", {*STATUSES, "active"}),
        urgency=pick("urgency", URGENCIES), type=pick("type", TYPES), kind=pick("kind", KINDS),
        cause=pick("cause", CAUSES), owner_id=id_arg("owner"), age=pick("age", services.AGES),
        overdue=args.get("overdue") == "1")


def _filter_args(f: services.Filters) -> dict:
    values = dict(q=f.q, status=f.status, urgency=f.urgency, type=f.type, kind=f.kind, cause=f.cause,
                  owner=f.owner_id, age=f.age, overdue="1" if f.overdue else "")
    return {k: v for k, v in values.items() if v}


@bp.get("/")
def register():
    store_id = current_store_id()
    if not can_view_register(current_user, store_id):
        return redirect(url_for("problems.mine"))
    f, today = _filters(), local_today()
    page = paginate(services.register_stmt(store_id, f, today))
    delegate_form = None
    if can_set_delegate(current_user, store_id):
        delegate_form = DelegateForm(formdata=None, delegate_id=services.settings_for(store_id).delegate_id or 0)
        delegate_form.set_people(store_people(store_id))
    return render_template("problems/register.html", page=page, f=f, args=_filter_args(f), today=today,
                           people=store_people(store_id), months=services.month_counts(store_id, today),
                           ages=services.AGES, delegate_form=delegate_form)


@bp.get("/export.xlsx")
def export():
    store_id = current_store_id()
    if not can_view_register(current_user, store_id):
        abort(403)
    f, today = _filters(), local_today()
    rows = db.session.scalars(services.register_stmt(store_id, f, today).limit(exports.MAX_ROWS)).all()
    return send_file(exports.register_xlsx(rows, today), as_attachment=True,
                     download_name=f"problems-{today.isoformat()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/settings")
def settings():
    store_id = current_store_id()
    if not can_set_delegate(current_user, store_id):
        abort(403)
    form = DelegateForm()
    form.set_people(store_people(store_id))
    if form.validate_on_submit():
        services.set_delegate(store_id, form.delegate_id.data or None)
        db.session.commit()
        flash(_("Saved: who triages problems besides you."), "success")
        return redirect(url_for("problems.register"))
    flash(_("Choose one of the store's people."), "danger")
    return redirect(url_for("problems.register")), 303


# --- one problem ----------------------------------------------------------------------------

def _detail(problem: Problem, status: int = 200, **forms):
    today = local_today()
    people = _people(problem.store_id)
    triage_form = forms.get("triage_form")
    if triage_form is None and can_triage(current_user, problem.store_id) and problem.status != "closed":
        triage_form = TriageForm(formdata=None, obj=problem)
        triage_form.owner_id.data = problem.owner_id or 0
        triage_form.deadline.data = problem.deadline or services.default_deadline(today)
        triage_form.cause.data = problem.cause or "method"
        triage_form.cause_origin.data = problem.cause_origin or "execution"
        triage_form.check_days.data = problem.check_days if problem.triaged_at else services.check_days_default()
        triage_form.version.data = problem.version
    if triage_form is not None:
        triage_form.set_people(people)
    measure_form = forms.get("measure_form")
    if measure_form is None and can_add_measure(current_user, problem) and problem.status == OPEN:
        measure_form = MeasureForm(formdata=None, owner_id=problem.owner_id or 0,
                                   deadline=problem.deadline or services.default_deadline(today))
    if measure_form is not None:
        measure_form.set_people(people)
    check_form = forms.get("check_form") or (CheckForm(formdata=None, version=problem.version)
                                             if can_check(current_user, problem) else None)
    reopen_form = forms.get("reopen_form") or (ReopenForm(formdata=None, version=problem.version)
                                               if can_reopen(current_user, problem) else None)
    next_meeting = services.next_meeting(problem.store_id, today) if problem.is_active else None
    return render_template(
        "problems/detail.html", problem=problem, today=today, triage_form=triage_form,
        measure_form=measure_form, check_form=check_form, reopen_form=reopen_form,
        check=services.check_state(problem, today), meetings=services.meetings_of(problem),
        next_meeting=next_meeting, agenda_form=AgendaForm(formdata=None),
        can_schedule=can_schedule(current_user, problem), can_correct=can_correct_report(current_user, problem),
        can_reopen_now=can_reopen(current_user, problem) and services.can_still_reopen(problem, today),
        reopen_until=services.reopen_until(problem), reopen_days=services.reopen_days(),
        cases=forms.get("cases", []),
    ), status


@bp.get("/<int:problem_id>")
def detail(problem_id):
    problem = load_problem(problem_id)
    if services.mark_seen(problem, current_user.id):
        db.session.commit()
    return _detail(problem)


def _refused(problem_id: int, refusal, **forms):
    refusal.flash()
    return _detail(load_problem(problem_id), refusal.status, **forms)


def _conflict() -> str:
    return _("Someone else changed this problem at the same time. Here it is as it stands now; check it "
             "and make your change again.")


@bp.post("/<int:problem_id>/triage")
def triage(problem_id):
    problem = load_problem(problem_id)
    if not can_triage(current_user, problem.store_id):
        abort(403)
    form = TriageForm()
    form.set_people(_people(problem.store_id))
    if not form.validate_on_submit():
        return _detail(problem, 422, triage_form=form)
    with commit_or_refuse(conflict=_conflict()) as refusal:
        services.triage(problem, current_user.id, whole_number(form.version.data, "version"),
                        owner_id=form.owner_id.data, deadline=form.deadline.data, urgency=form.urgency.data,
                        type=form.type.data, cause=form.cause.data, cause_origin=form.cause_origin.data,
                        cause_analysis=form.cause_analysis.data, check_days=form.check_days.data)
    if refusal:
        return _refused(problem_id, refusal)
    flash(_("Triaged: the owner records the measures."), "success")
    return redirect(url_for("problems.detail", problem_id=problem_id))


@bp.post("/<int:problem_id>/measures")
def add_measure(problem_id):
    problem = load_problem(problem_id)
    if not can_add_measure(current_user, problem):
        abort(403)
    form = MeasureForm()
    form.set_people(_people(problem.store_id))
    if not form.validate_on_submit():
        return _detail(problem, 422, measure_form=form)
    with commit_or_refuse() as refusal:
        services.add_measure(problem, current_user.id, kind=form.kind.data, title=form.title.data,
                             owner_id=form.owner_id.data, deadline=form.deadline.data)
    if refusal:
        return _refused(problem_id, refusal)
    flash(_("Measure added: it is an action item of its owner now."), "success")
    return redirect(url_for("problems.detail", problem_id=problem_id, _anchor="measures"))


@bp.post("/<int:problem_id>/check")
def check(problem_id):
    problem = load_problem(problem_id)
    if not can_check(current_user, problem):
        abort(403)
    form = CheckForm()
    if not form.validate_on_submit():
        return _detail(problem, 422, check_form=form)
    with commit_or_refuse(conflict=_conflict()) as refusal:
        services.record_check(problem, current_user.id, whole_number(form.version.data, "version"),
                              form.result.data, form.note.data, local_today())
    if refusal:
        return _refused(problem_id, refusal, check_form=form)
    if problem.status == CLOSED:
        flash(_("Closed: the problem did not recur. The result is reported back to whoever raised it."), "success")
    else:
        flash(_("The problem recurred: it stays open for new measures."), "warning")
    return redirect(url_for("problems.detail", problem_id=problem_id))


@bp.post("/<int:problem_id>/reopen")
def reopen(problem_id):
    problem = load_problem(problem_id)
    if not can_reopen(current_user, problem):
        abort(403)
    form = ReopenForm()
    if not form.validate_on_submit():
        return _detail(problem, 422, reopen_form=form)
    with commit_or_refuse(conflict=_conflict()) as refusal:
        services.reopen(problem, current_user.id, whole_number(form.version.data, "version"), form.reason.data,
                        local_today())
    if refusal:
        return _refused(problem_id, refusal, reopen_form=form)
    flash(_("Reopened: the service manager sees it again."), "success")
    return redirect(url_for("problems.detail", problem_id=problem_id))


@bp.post("/<int:problem_id>/agenda")
def agenda(problem_id):
    """Onto a meeting's agenda in one step: the one posted, else the store's next meeting."""
    problem = load_problem(problem_id)
    if not can_schedule(current_user, problem):
        abort(403)
    meeting_id = whole_number(request.form.get("meeting_id"), "id")
    meeting = db.session.get(Meeting, meeting_id) if meeting_id else services.next_meeting(problem.store_id,
                                                                                           local_today())
    if meeting is None:
        flash(_("There is no meeting ahead. Create the next meeting first."), "danger")
        return _detail(problem, 422)
    with commit_or_refuse(taken=_("This problem is already on that meeting's agenda.")) as refusal:
        services.put_on_agenda(problem, meeting, current_user.id)
    if refusal:
        return _refused(problem_id, refusal)
    flash(_("On the agenda of %(theme)s (%(day)s).", theme=meeting.theme, day=meeting.meeting_date.isoformat()),
          "success")
    back = request.form.get("back") == "meeting"
    return redirect(url_for("meetings.detail", meeting_id=meeting.id, _anchor="agenda-problems") if back
                    else url_for("problems.detail", problem_id=problem_id))


@bp.post("/meeting/<int:meeting_id>")
def add_to_meeting(meeting_id):
    """From the meeting page: one of the store's open problems onto this meeting's agenda."""
    meeting = get_or_404(Meeting, meeting_id)
    problem_id = whole_number(request.form.get("problem_id"), "id")
    if problem_id is None:
        abort(404)
    problem = get_or_404(Problem, problem_id)
    if not can_schedule(current_user, problem) or problem.store_id != meeting.store_id:
        abort(403)
    with commit_or_refuse(taken=_("This problem is already on that meeting's agenda.")) as refusal:
        services.put_on_agenda(problem, meeting, current_user.id)
    if refusal:
        refusal.flash()
    else:
        flash(_("On the agenda: %(title)s", title=problem.title), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id, _anchor="agenda-problems"),
                    303 if refusal else 302)
