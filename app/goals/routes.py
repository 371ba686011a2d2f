"""Goal pages: the list, a new goal (or one per person of a position), and a goal's PDCA cycle."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..auth.services import current_store, store_people
from ..common import current_store_id, get_or_404, id_arg, paginate, require_login
from ..extensions import db, htmx
from ..formatting import flist
from ..forms import EmptyForm, choice_values
from ..kpis.charts import Series, line_chart, month_labels
from ..kpis.models import PERSON_SCOPE, Kpi
from ..kpis.services import active_kpis, kpi_by_code, monthly_values
from ..months import months_between
from ..spreadsheets import export_rows, too_many_rows_message, xlsx_response
from ..timeutils import local_today
from ..transactions import commit_or_refuse
from ..validation import FIGURE, in_range
from . import exports, figures, services
from .forms import (
    PERSON,
    STORE,
    ActForm,
    CheckForm,
    EditGoalForm,
    GoalForm,
    NoteForm,
    PlanStepForm,
    PositionGoalsForm,
    StageForm,
)
from .models import (
    ACT,
    ACT_KINDS,
    CAUSES,
    CHECK,
    DEVIATION_SOURCES,
    DO,
    PLAN,
    STAGE_ORDER,
    STAGES,
    Goal,
    PlanStep,
)
from .permissions import can_edit_goal, can_manage_goals, can_view_goal
from .progress import progress_for

bp = Blueprint("goals", __name__, template_folder="templates")
require_login(bp)
bp.record_once(lambda state: figures.register(state.app))  # figure() etc. for every template


@bp.context_processor
def goal_helpers():
    def goal_status(p):
        key = services.status_key(p)
        return key, str(services.STATUS_LABELS[key])

    return {"goal_status": goal_status, "stages": STAGES, "stage_order": STAGE_ORDER,
            "act_kinds": ACT_KINDS, "causes": CAUSES, "deviation_sources": DEVIATION_SOURCES}


def load_goal(goal_id: int, manage: bool = False) -> Goal:
    """Load (404), then check access (403): reading, or changing the goal."""
    goal = get_or_404(Goal, goal_id)
    if not can_view_goal(current_user, goal):
        abort(403)
    if manage and not can_edit_goal(current_user, goal):
        abort(403)
    return goal


def _conflict_message() -> str:
    return _("Someone else changed this goal a moment ago. Here it is as it stands now; check it and "
             "make your change again.")


# --- list ---------------------------------------------------------------------------------

def _period_arg() -> str:
    period = request.args.get("period", services.ACTIVE)
    return period if period in services.PERIOD_FILTERS else services.ACTIVE


@bp.get("/")
def index():
    store_id = current_store_id()
    today = local_today()
    period = _period_arg()
    page = paginate(services.goals_stmt(store_id, today, period, current_user))
    progresses = progress_for(page.items, today)
    return render_template("goals/list.html", page=page, progresses=progresses, period=period,
                           periods=services.PERIOD_FILTERS, today=today,
                           can_create=can_manage_goals(current_user, store_id))


@bp.get("/export.xlsx")
def export():
    """The goals of the period the page shows, with their attainment, as a spreadsheet (what the
    page lists for this user: staff, their own and those theirs roll up to)."""
    store_id = current_store_id()
    today = local_today()
    period = _period_arg()
    goals = export_rows(services.goals_stmt(store_id, today, period, current_user))
    if goals is None:
        flash(too_many_rows_message(), "warning")
        return redirect(url_for(".index", period=period))
    return xlsx_response(exports.goals_workbook(goals, today), f"goals-{current_store().code}-{period}-{today}.xlsx")


# --- new goal -----------------------------------------------------------------------------

def _num_arg(name):
    raw = request.args.get(name, "").strip()
    try:
        number = float(raw) if raw else None
    except ValueError:
        return None
    return number if in_range(number, "target") else None


def _goal_form(store_id: int) -> GoalForm:
    today = local_today()
    form = GoalForm()
    people = store_people(store_id)
    form.set_choices(active_kpis(), people, services.store_goal_choices(store_id, today))
    if request.method == "GET":
        form.owner_id.data = current_user.id
        form.person_id.data = id_arg("person") or 0
        form.subject.data = PERSON if request.args.get("subject") == PERSON else STORE
        if request.args.get("period_kind") in choice_values(form.period_kind):
            form.period_kind.data = request.args["period_kind"]
        form.period_day.data = services.default_period_day(form.period_kind.data, today)
        kpi = kpi_by_code(request.args.get("kpi", "")) if request.args.get("kpi") else None
        if kpi is not None:
            form.kpi_id.data = kpi.id
        parent = id_arg("parent") or 0
        if parent in choice_values(form.parent_id):
            form.parent_id.data = parent
        baseline = _num_arg("baseline")
        if baseline is None and kpi is not None:
            person_id = form.person_id.data if form.subject.data == PERSON else None
            baseline = services.last_year_baseline(store_id, kpi, person_id or None, form.period_kind.data,
                                                   form.period_day.data)
        form.baseline.data = baseline
        target = _num_arg("target")
        if target is not None:
            form.target.data = target
    return form


def _basis(store_id: int, form: GoalForm) -> dict:
    """What the new-goal form shows beside the baseline for the chosen KPI, subject and period:
    the current level, last year's value for the same period, and goals already set for it."""
    kpi = db.session.get(Kpi, form.kpi_id.data or 0) if isinstance(form.kpi_id.data, int) else None
    kind, day = form.period_kind.data, form.period_day.data
    if kpi is None or kind not in choice_values(form.period_kind) or day is None:
        return {}
    person_id = (form.person_id.data or None) if form.subject.data == PERSON else None
    if form.subject.data == PERSON and person_id is None:
        return {}
    return {"kpi": kpi, "current": services.current_level(store_id, kpi, person_id, local_today()),
            "last_year": services.last_year_baseline(store_id, kpi, person_id, kind, day),
            "same_period": services.same_period_goals(store_id, kpi.id, person_id, kind, day)}


@bp.route("/new", methods=["GET", "POST"])
def new():
    store_id = current_store_id()
    if not can_manage_goals(current_user, store_id):
        abort(403)
    form = _goal_form(store_id)
    if form.validate_on_submit():
        already = _basis(store_id, form).get("same_period", [])
        kpi = db.session.get(Kpi, form.kpi_id.data)
        with commit_or_refuse() as refusal:
            goal = services.create_goal(
                store_id=store_id, kpi=kpi, person_id=form.person_id.data if form.subject.data == PERSON else None,
                period_kind=form.period_kind.data, period_day=form.period_day.data, target=form.target.data,
                baseline=form.baseline.data, owner_id=form.owner_id.data, created_by_id=current_user.id,
                parent_id=form.parent_id.data or None, title=form.title.data)
        if not refusal:
            flash(_("Goal created. Next: write the plan, who does what by when."), "success")
            if already:
                flash(_("Note: this KPI already had a goal for the same subject and period (%(goals)s). "
                        "Check that both are meant.", goals=flist(g.display_title for g in already)), "warning")
            return redirect(url_for(".detail", goal_id=goal.id))
        form.kpi_id.errors = list(form.kpi_id.errors) + [refusal.message]
    return render_template("goals/form.html", form=form, goal=None, basis=_basis(store_id, form)), \
        422 if form.errors else 200


@bp.get("/new/baseline")
def baseline():
    """The baseline field refilled from last year's actuals (htmx, when KPI, subject or period change)."""
    store_id = current_store_id()
    if not can_manage_goals(current_user, store_id):
        abort(403)
    form = GoalForm(formdata=request.args, meta={"csrf": False})
    kpi = db.session.get(Kpi, id_arg("kpi_id") or 0)
    kind = form.period_kind.data if form.period_kind.data in choice_values(form.period_kind) else "quarter"
    day = form.period_day.data or services.default_period_day(kind, local_today())  # unparsable: the default
    form.period_day.data = day
    person_id = (id_arg("person_id") or 0) if request.args.get("subject") == PERSON else None
    value = None
    if kpi is not None and form.period_kind.data in choice_values(form.period_kind):
        value = services.last_year_baseline(store_id, kpi, person_id or None, form.period_kind.data, day)
    form.baseline.data = value
    form.baseline.raw_data = None
    form.kpi_id.data = kpi.id if kpi is not None else 0
    form.person_id.data = id_arg("person_id") or 0
    return render_template("goals/_baseline_field.html", form=form, found=value is not None,
                           basis=_basis(store_id, form))


@bp.route("/for-position", methods=["GET", "POST"])
def for_position():
    """A goal template: the same personal goal for everyone of a position, under one store goal."""
    store_id = current_store_id()
    if not can_manage_goals(current_user, store_id):
        abort(403)
    today = local_today()
    form = PositionGoalsForm()
    form.set_choices(active_kpis(PERSON_SCOPE), services.store_goal_choices(store_id, today))
    if request.method == "GET":
        form.period_day.data = services.default_period_day(form.period_kind.data, today)
    if form.validate_on_submit():
        with commit_or_refuse() as refusal:
            parent, children = services.create_goals_for_position(
                store_id=store_id, kpi=db.session.get(Kpi, form.kpi_id.data), position=form.position.data,
                period_kind=form.period_kind.data, period_day=form.period_day.data, target=form.target.data,
                created_by_id=current_user.id, parent_id=form.parent_id.data or None,
                store_target=form.store_target.data, store_owner_id=current_user.id)
        if not refusal:
            flash(_("%(num)d personal goals created under the store goal.", num=len(children)), "success")
            return redirect(url_for(".detail", goal_id=parent.id))
        form.position.errors = list(form.position.errors) + [refusal.message]
    people = {p: len(services.staff_of_position(store_id, p)) for p in choice_values(form.position)}
    return render_template("goals/for_position.html", form=form, people=people), 422 if form.errors else 200


# --- the goal page ------------------------------------------------------------------------

def _step_form(goal: Goal, formdata=None) -> PlanStepForm:
    form = PlanStepForm(formdata=formdata, prefix="step")
    form.set_people(store_people(goal.store_id))
    return form


def _check_form(formdata=None) -> CheckForm:
    form = CheckForm(formdata=formdata, prefix="check")
    if formdata is None:
        form.checked_on.data = local_today()
    return form


def _act_form(goal: Goal, formdata=None) -> ActForm:
    form = ActForm(formdata=formdata, prefix="act")
    if formdata is None:
        form.version.data = goal.version
    return form


# The section of the goal page whose form is open in each stage (Do carries out the plan's steps);
# the others are folded.
OPEN_SECTION = {PLAN: "plan", DO: "plan", CHECK: "check", ACT: "act"}


def _goal_chart(goal: Goal):
    """The goal's months, actual against the monthly target: (series, chart, monthly target), or None
    before any month of the period has a value. A summed KPI's target is spread evenly over the months."""
    months = months_between(goal.period_start, goal.period_end)
    found = monthly_values(goal.store_id, [goal.kpi_id], goal.person_id, months[0], months[-1]).get(goal.kpi_id, {})
    # A value or target beyond what may be stored (written before the bounds) is left out, as the
    # trend charts do, so it cannot break the scale.
    series = Series(goal.kpi, months, [v if v is not None and FIGURE.holds(v) else None
                                       for v in (found.get(m) for m in months)])
    if series.latest is None:
        return None
    target = goal.target / len(months) if goal.kpi.is_summed else goal.target
    target = target if FIGURE.holds(target) else None
    every = 1 if len(months) <= 6 else 3
    chart = line_chart(series.values, month_labels(months, every), target=target, band=series.band,
                       label_every=every)
    return series, chart, target


def _stage_context(goal: Goal) -> dict:
    """The next stage and, when the rules would refuse it now, their reason (the button is disabled)."""
    following = services.next_stage(goal)
    return {"next_stage": following, "stage_refusal": services.stage_refusal(goal, following) if following else None}


def _detail_context(goal: Goal, **overrides) -> dict:
    today = local_today()
    children = db.session.scalars(
        db.select(Goal).where(Goal.parent_id == goal.id).options(selectinload(Goal.person)).order_by(Goal.id)
    ).all()
    progresses = progress_for([goal, *children], today)
    manage = can_edit_goal(current_user, goal)
    ctx = {
        "goal": goal, "today": today, "progress": progresses[goal.id], "children": children,
        "progresses": progresses, "children_sum": services.children_sum(goal, children),
        "formula": services.formula_for(goal), "formula_notes": services.formula_notes(goal),
        "band": services.band_text(goal.kpi), "next_goals": services.next_goals(goal),
        "can_manage": manage, **_stage_context(goal),
        "open_section": OPEN_SECTION[goal.stage], "goal_chart": _goal_chart(goal),
        "note_form": NoteForm(formdata=None, prefix="note"),
        "step_form": _step_form(goal) if manage else None,
        "check_form": _check_form() if manage else None,
        "act_form": _act_form(goal) if manage else None,
    }
    ctx.update(overrides)
    return ctx


@bp.get("/<int:goal_id>")
def detail(goal_id):
    goal = load_goal(goal_id)
    return render_template("goals/detail.html", **_detail_context(goal))


def _detail_page(goal: Goal, status: int, **overrides):
    return render_template("goals/detail.html", **_detail_context(goal, **overrides)), status


@bp.route("/<int:goal_id>/edit", methods=["GET", "POST"])
def edit(goal_id):
    goal = load_goal(goal_id, manage=True)
    form = EditGoalForm(obj=goal)
    form.set_choices(store_people(goal.store_id))
    if request.method == "GET":
        form.version.data = goal.version
        form.baseline.data = services.round_to_unit(goal.kpi, goal.baseline)
    status = 200
    if form.validate_on_submit():
        edited_meanwhile = _("Someone else changed this goal while you were editing. Your changes are still "
                             "in the form; compare them with the goal and save again.")
        with commit_or_refuse(conflict=edited_meanwhile) as refusal:
            services.update_goal(goal, current_user.id, int(form.version.data or 0), title=form.title.data,
                                 target=form.target.data, baseline=form.baseline.data,
                                 owner_id=form.owner_id.data)
        if not refusal:
            flash(_("Goal saved."), "success")
            return redirect(url_for(".detail", goal_id=goal.id))
        if refusal.conflict:
            refusal.flash()
            form.version.data = goal.version  # the stored one: saving again is a deliberate choice
            status = refusal.status
        else:
            form.owner_id.errors = list(form.owner_id.errors) + [refusal.message]
    if form.errors:
        status = 422
    basis = {"kpi": goal.kpi, "current": services.current_level(goal.store_id, goal.kpi, goal.person_id, local_today()),
             "last_year": services.last_year_baseline(goal.store_id, goal.kpi, goal.person_id, goal.period_kind,
                                                      goal.period_start),
             "same_period": services.same_period_goals(goal.store_id, goal.kpi_id, goal.person_id, goal.period_kind,
                                                       goal.period_start, exclude_id=goal.id)}
    return render_template("goals/form.html", form=form, goal=goal, basis=basis), status


@bp.post("/<int:goal_id>/notes")
def add_note(goal_id):
    """The manager adds a dated progress note to the goal's history."""
    goal = load_goal(goal_id, manage=True)
    form = NoteForm(prefix="note")
    status = 200
    if form.validate_on_submit():
        services.add_note(goal, current_user.id, form.note.data)
        db.session.commit()
        form = NoteForm(formdata=None, prefix="note")
    else:
        status = 422
    if htmx:
        return render_template("goals/_updates.html", goal=goal, note_form=form, can_manage=True), status
    if status == 200:
        flash(_("Progress note added."), "success")
        return redirect(url_for(".detail", goal_id=goal.id, _anchor="history"))
    return _detail_page(goal, status, note_form=form)


def _render_plan(goal: Goal, status: int = 200, step_form=None, error=None):
    ctx = {"goal": goal, "can_manage": True, "step_form": step_form or _step_form(goal), "error": error,
           "today": local_today()}
    if htmx:
        # The stage button follows the plan: a first step makes "Move on to Do" possible (out of band).
        stepper = render_template("goals/_stepper.html", goal=goal, can_manage=True, oob=True,
                                  **_stage_context(goal))
        return render_template("goals/_plan.html", **ctx) + stepper, status, (
            {"HX-Trigger": "actionItemsChanged"} if status == 200 else {})
    if status == 200:
        return redirect(url_for(".detail", goal_id=goal.id, _anchor="plan"))
    if error:
        flash(error, "danger")
    return _detail_page(goal, status, step_form=ctx["step_form"])


@bp.post("/<int:goal_id>/steps")
def add_step(goal_id):
    goal = load_goal(goal_id, manage=True)
    form = _step_form(goal, formdata=request.form)
    if not form.validate_on_submit():
        return _render_plan(goal, 422, step_form=form)
    with commit_or_refuse() as refusal:
        services.add_plan_step(goal, who_id=form.who_id.data, what=form.what.data, standard=form.standard.data,
                               due=form.due.data, monitoring=form.monitoring.data)
    if refusal:
        form.what.errors = list(form.what.errors) + [refusal.message]
        return _render_plan(goal, refusal.status, step_form=form)
    if not htmx:
        flash(_("Plan step added."), "success")
    return _render_plan(goal)


@bp.post("/<int:goal_id>/steps/<int:step_id>/action-item")
def step_to_action(goal_id, step_id):
    goal = load_goal(goal_id, manage=True)
    step = get_or_404(PlanStep, step_id)
    if step.goal_id != goal.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with commit_or_refuse() as refusal:
        services.make_action_item(step, current_user.id)
    if refusal:
        return _render_plan(goal, refusal.status, error=refusal.message)
    if not htmx:
        flash(_("The step is now an action item on %(name)s's list.", name=step.who.display_name), "success")
    return _render_plan(goal)


def _refused(goal: Goal, refusal, **forms):
    """The goal page after a refused change: 422 with the rule's reason and the user's form, or 409
    with the goal as it is now when someone else saved first."""
    refusal.flash()
    return _detail_page(goal, refusal.status, **({} if refusal.conflict else forms))


@bp.post("/<int:goal_id>/stage")
def change_stage(goal_id):
    goal = load_goal(goal_id, manage=True)
    form = StageForm()
    if not form.validate_on_submit() or not (form.version.data or "").isdigit():
        abort(400)
    with commit_or_refuse(conflict=_conflict_message()) as refusal:
        services.move_to_stage(goal, form.stage.data, current_user.id, int(form.version.data))
    if refusal:
        return _refused(goal, refusal)
    flash(_("The goal is now in the %(stage)s stage.", stage=goal.stage_label), "success")
    return redirect(url_for(".detail", goal_id=goal.id))


@bp.post("/<int:goal_id>/checks")
def add_check(goal_id):
    goal = load_goal(goal_id, manage=True)
    form = _check_form(formdata=request.form)
    if not form.validate_on_submit():
        return _detail_page(goal, 422, check_form=form)
    with commit_or_refuse(conflict=_conflict_message()) as refusal:
        services.record_check(goal, current_user.id, checked_on=form.checked_on.data,
                              deviation=form.deviation.data, deviation_source=form.deviation_source.data,
                              cause=form.cause.data, analysis=form.analysis.data)
    if refusal:
        return _refused(goal, refusal, check_form=form)
    flash(_("Check recorded."), "success")
    return redirect(url_for(".detail", goal_id=goal.id, _anchor="check"))


@bp.post("/<int:goal_id>/acts")
def add_act(goal_id):
    goal = load_goal(goal_id, manage=True)
    form = _act_form(goal, formdata=request.form)
    if not form.validate_on_submit() or not str(form.version.data or "").isdigit():
        return _detail_page(goal, 422, act_form=form)
    with commit_or_refuse(conflict=_conflict_message()) as refusal:
        record = services.record_act(goal, current_user.id, form.kind.data, form.note.data, local_today(),
                                     int(form.version.data))
    if refusal:
        return _refused(goal, refusal, act_form=form)
    if record.next_goal_id:
        flash(_("The goal continues in the next period. Write its plan."), "success")
        return redirect(url_for(".detail", goal_id=record.next_goal_id))
    if record.kind == "adjust":
        flash(_("Back to Plan: adjust the plan steps, then move on to Do again."), "success")
    else:
        flash(_("Recorded."), "success")
    return redirect(url_for(".detail", goal_id=goal.id, _anchor="act"))
