"""Coaching pages: the store's list, a person's page, and a five-step coaching talk."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from ..actions.services import unclosed_items
from ..auth.models import STAFF, User
from ..auth.services import store_staff
from ..common import RuleViolation, VersionConflict, current_store_id, get_or_404, id_arg, paginate
from ..dashboard import charts
from ..dashboard.routes import month_label
from ..dashboard.services import last_months, trend_series
from ..extensions import db, htmx
from ..formatting import fnumber
from ..forms import EmptyForm, options
from ..kpis.services import parse_month
from ..timeutils import local_today
from . import analysis, services
from .forms import (
    ConfirmForm,
    CoverageForm,
    FollowUpForm,
    GapForm,
    MeasureForm,
    MotivationForm,
    PlanForm,
    PurposeForm,
    StartForm,
)
from .models import STEP_ORDER, STEPS, CoachingSession
from .permissions import can_acknowledge, can_coach, can_view_person, can_view_session

bp = Blueprint("coaching", __name__, template_folder="templates")

STEP_FORMS = {1: PurposeForm, 2: GapForm, 3: PlanForm, 4: ConfirmForm, 5: MotivationForm}
GRID_MONTHS = 6  # the talks-by-person table shows this many months


@bp.before_request
@login_required
def require_login():
    pass


@bp.context_processor
def coaching_helpers():
    # fnum: the dashboard's chart partial, shown on the person's page, formats its numbers with it.
    return {"steps": STEPS, "step_order": STEP_ORDER, "month_label": month_label, "fnum": fnumber}


def load_session(session_id: int, manage: bool = False) -> CoachingSession:
    session = get_or_404(CoachingSession, session_id)
    if not can_view_session(current_user, session):
        abort(403)
    if manage and not can_coach(current_user, session.store_id):
        abort(403)
    return session


def load_person(user_id: int) -> User:
    person = get_or_404(User, user_id)
    if not can_view_person(current_user, person):
        abort(403)
    return person


# --- the store's list ----------------------------------------------------------------------

@bp.get("/")
def index():
    if current_user.role == STAFF:
        return redirect(url_for(".person", user_id=current_user.id))
    store_id = current_store_id()
    today = local_today()
    coverage = CoverageForm(request.args)
    weeks = coverage.weeks.data if coverage.validate() and coverage.weeks.data else analysis.DEFAULT_COVERAGE_WEEKS
    staff = store_staff(store_id)
    person_id = id_arg("person")
    month = parse_month(request.args.get("month") or "")
    months = last_months(today, GRID_MONTHS)
    page = paginate(services.store_sessions_stmt(store_id, person_id, month))
    coverage_month = analysis.coverage_month(store_id, today)
    return render_template(
        "coaching/index.html", coverage=coverage, weeks=weeks, coverage_month=coverage_month,
        lookback=analysis.COVERAGE_LOOKBACK_MONTHS,
        gaps=analysis.coverage_gaps(store_id, today, weeks, coverage_month) if coverage_month else [],
        due=services.follow_ups_due(store_id, today), unfinished=services.unfinished_sessions(store_id),
        cap=services.LIST_CAP,
        staff=staff, months=months, counts=services.talks_by_person_and_month(store_id, months), page=page,
        person_id=person_id, month=month, today=today, can_coach=can_coach(current_user, store_id))


# --- a person's page -------------------------------------------------------------------------

@bp.get("/people/<int:user_id>")
def person(user_id):
    person = load_person(user_id)
    today = local_today()
    kpis = services.person_kpis(person)
    targets = analysis.person_targets([person.id], kpis, analysis.last_complete_month(today))
    target_of = {k.id: targets.get((person.id, k.id)) for k in kpis}
    series = trend_series(person.store_id, kpis, today, person_id=person.id, months=12)
    charted = [(s, charts.line_chart(s.values, [month_label(m) for m in s.months], target=target_of[s.kpi.id],
                                     band=s.band)) for s in series]
    items = unclosed_items(person.id)
    form = StartForm(formdata=None)
    form.kpi_ids.choices = options((k.id, k.name) for k in kpis)
    return render_template(
        "coaching/person.html", person=person, kpis=kpis, target_of=target_of, charted=charted, items=items,
        latest_of={s.kpi.id: s.latest for s in series},
        today=today, page=paginate(services.sessions_of_person_stmt(
            person.id, None if person.id == current_user.id else current_user.visible_store_ids)), form=form,
        awaiting=services.awaiting_acknowledgement(person.id) if person.id == current_user.id else [],
        grid_link=url_for("kpis.grid", subject=person.id),
        can_coach=can_coach(current_user, person.store_id) and person.role == STAFF)


@bp.post("/people/<int:user_id>/sessions")
def start(user_id):
    person = load_person(user_id)
    if not can_coach(current_user, person.store_id):
        abort(403)
    form = StartForm()
    form.kpi_ids.choices = options((k.id, k.name) for k in services.person_kpis(person))
    if form.validate_on_submit():
        try:
            session = services.start_session(store_id=person.store_id, person=person, manager_id=current_user.id,
                                             kpi_ids=form.kpi_ids.data, held_on=local_today())
            db.session.commit()
            return redirect(url_for(".session", session_id=session.id))
        except RuleViolation as e:
            db.session.rollback()
            form.kpi_ids.errors.append(str(e))
    flash(" ".join(str(e) for errs in form.errors.values() for e in errs), "danger")
    return redirect(url_for(".person", user_id=person.id, _anchor="start-h")), 303


# --- a coaching talk ------------------------------------------------------------------------

def _gap_month_choices() -> list:
    return options((m, ngettext("the last month", "the last %(num)d months", m)) for m in services.GAP_MONTHS)


def _blank_forms(session: CoachingSession) -> dict:
    forms = {step: cls(formdata=None) for step, cls in STEP_FORMS.items()}
    forms[2].months.choices = _gap_month_choices()
    forms["measure"] = MeasureForm(formdata=None)
    forms["follow_up"] = FollowUpForm(formdata=None, conclusion=session.follow_up_conclusion,
                                      version=session.version)
    return forms


def _context(session: CoachingSession, forms=None, error=None) -> dict:
    today = local_today()
    effect_due = services.follow_up_open(session, today)
    blank = _blank_forms(session)
    blank.update(forms or {})
    return {"s": session, "gap": analysis.gap_rows(session), "error": error, "forms": blank, "today": today,
            "can_manage": can_coach(current_user, session.store_id),
            "can_discard": services.can_discard(session),
            "can_acknowledge": can_acknowledge(current_user, session), "effect_due": effect_due,
            "effect": analysis.effects([session], today).get(session.id, []) if effect_due else [],
            "after": analysis.after_window(session, today)}


@bp.get("/sessions/<int:session_id>")
def session(session_id):
    return render_template("coaching/session.html", **_context(load_session(session_id)))


def _respond(session: CoachingSession, anchor: str, status: int = 200, forms=None, error=None):
    """The steps block for htmx; a full page (or a redirect after success) otherwise."""
    if htmx:
        return render_template("coaching/_steps.html", **_context(session, forms, error)), status
    if status == 200:
        return redirect(url_for(".session", session_id=session.id, _anchor=anchor))
    return render_template("coaching/session.html", **_context(session, forms, error)), status


def _conflict(session_id: int, anchor: str, forms=None):
    """What is recorded now, with the user's own text kept in its form (`forms`, built from it)."""
    db.session.rollback()
    session = load_session(session_id)
    kept = {key: make(session) for key, make in (forms or {}).items()}
    return _respond(session, anchor, 409, forms=kept,
                    error=_("Someone else saved this talk meanwhile: here is what is recorded now."))


def _apply(session: CoachingSession, step: int, form, today) -> None:
    d = form.data
    if step == 1:
        services.save_purpose(session, d["purpose"])
    elif step == 2:
        services.save_gap(session, d["months"], d["gap_remarks"])
    elif step == 3:
        services.save_plan(session, d["plan_notes"])
    elif step == 4:
        services.save_confirmation(session, d["questions"], d["verbal"])
    else:
        services.save_motivation(session, d["agreed"], d["recognition"], d["support"], d["follow_up_on"], today)


@bp.post("/sessions/<int:session_id>/steps/<int:step>")
def save_step(session_id, step):
    session = load_session(session_id, manage=True)
    if step not in STEP_FORMS:
        abort(404)
    form = STEP_FORMS[step]()
    if step == 2:
        form.months.choices = _gap_month_choices()
    anchor = f"step-{step}"
    if not form.validate_on_submit():
        return _respond(session, anchor, 422, forms={step: form})
    try:
        _apply(session, step, form, local_today())
        db.session.commit()
    except (VersionConflict, StaleDataError):
        return _conflict(session_id, anchor)
    except RuleViolation as e:
        db.session.rollback()
        return _respond(session, anchor, 422, forms={step: form}, error=str(e))
    return _respond(session, f"step-{min(step + 1, 5)}")


@bp.post("/sessions/<int:session_id>/measures")
def add_measure(session_id):
    session = load_session(session_id, manage=True)
    form = MeasureForm()
    if not form.validate_on_submit():
        return _respond(session, "step-3", 422, forms={"measure": form})
    try:
        services.add_measure(session, form.what.data, form.due.data, form.as_action.data, current_user.id,
                             local_today())
        db.session.commit()
    except (VersionConflict, StaleDataError):
        return _conflict(session_id, "step-3")
    except RuleViolation as e:
        db.session.rollback()
        form.due.errors = [str(e)]
        return _respond(session, "step-3", 422, forms={"measure": form})
    return _respond(session, "step-3")


@bp.post("/sessions/<int:session_id>/acknowledge")
def acknowledge(session_id):
    session = load_session(session_id)
    if not can_acknowledge(current_user, session):
        abort(403)
    try:
        services.acknowledge(session, current_user)
        db.session.commit()
    except StaleDataError:
        return _conflict(session_id, "step-4")
    except RuleViolation as e:
        db.session.rollback()
        return _respond(session, "step-4", 422, error=str(e))
    return _respond(session, "step-4")


@bp.post("/sessions/<int:session_id>/discard")
def discard(session_id):
    session = load_session(session_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    person_id = session.person_id
    try:
        services.discard_session(session, current_user.id)
        db.session.commit()
    except RuleViolation as e:
        db.session.rollback()
        return _respond(session, "steps", 422, error=str(e))
    flash(_("The talk was discarded."), "success")
    target = url_for(".person", user_id=person_id)
    if htmx:
        return "", 204, {"HX-Redirect": target}
    return redirect(target)


@bp.post("/sessions/<int:session_id>/follow-up")
def follow_up(session_id):
    session = load_session(session_id, manage=True)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _respond(session, "follow-up", 422, forms={"follow_up": form})
    try:
        services.record_follow_up(session, form.conclusion.data, _int(form.version.data), local_today())
        db.session.commit()
    except (VersionConflict, StaleDataError):
        # Keep what they wrote, now based on the current version: saving again is a deliberate choice.
        mine = form.conclusion.data
        return _conflict(session_id, "follow-up", forms={"follow_up": lambda current: FollowUpForm(
            formdata=None, conclusion=mine, version=current.version)})
    except RuleViolation as e:
        db.session.rollback()
        return _respond(session, "follow-up", 422, forms={"follow_up": form}, error=str(e))
    return _respond(session, "follow-up")


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None
