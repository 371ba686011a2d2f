"""Coaching pages: the store's list, a person's page, and a five-step coaching talk."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..actions.services import unclosed_items
from ..auth.models import STAFF, User
from ..auth.services import current_store, store_staff
from ..common import current_store_id, get_or_404, id_arg, paginate, require_login
from ..extensions import htmx
from ..formatting import header_counts
from ..forms import EmptyForm, options
from ..kpis.charts import TREND_MONTHS, trend_charts, trend_series
from ..kpis.services import parse_month
from ..months import last_months, previous_month
from ..spreadsheets import export_rows, too_many_rows_message, xlsx_response
from ..timeutils import local_today
from ..transactions import commit_or_refuse
from . import analysis, exports, overview, services
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
from .models import PLAN, STEP_ORDER, STEPS, CoachingSession
from .permissions import can_acknowledge, can_coach, can_view_person, can_view_session, can_view_store_coaching

bp = Blueprint("coaching", __name__, template_folder="templates")

STEP_FORMS = {1: PurposeForm, 2: GapForm, 3: PlanForm, 4: ConfirmForm, 5: MotivationForm}
GRID_MONTHS = 6  # the talks-by-person table shows this many months

require_login(bp)


@bp.app_context_processor
def awaiting_count_in_header():
    """Beside "My coaching", which is in the header of those without the store's coaching list."""
    def awaiting():
        if can_view_store_coaching(current_user, current_store_id()):
            return None
        return services.awaiting_count_stmt(current_user.id)

    return header_counts(awaiting_count=awaiting)


@bp.context_processor
def coaching_helpers():
    return {"steps": STEPS, "step_order": STEP_ORDER, "plan_step": PLAN}


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
    store_id = current_store_id()
    if not can_view_store_coaching(current_user, store_id):
        return redirect(url_for(".person", user_id=current_user.id))
    today = local_today()
    coverage = CoverageForm(request.args)
    weeks = coverage.weeks.data if coverage.validate() and coverage.weeks.data else analysis.DEFAULT_COVERAGE_WEEKS
    staff = store_staff(store_id)
    person_id = id_arg("person")
    month = parse_month(request.args.get("month") or "")
    months = last_months(today, GRID_MONTHS)
    page = paginate(services.listed(services.store_sessions_stmt(store_id, person_id, month)))
    figures = overview.store_figures(store_id, today, weeks, months)
    talks = overview.talks(figures.due[0] + figures.unfinished[0])
    return render_template(
        "coaching/index.html", coverage=coverage, weeks=weeks, coverage_month=figures.coverage_month,
        lookback=analysis.COVERAGE_LOOKBACK_MONTHS, gaps=overview.gaps(figures.gaps, staff),
        due=overview.listed_talks(figures.due, talks), unfinished=overview.listed_talks(figures.unfinished, talks),
        cap=services.LIST_CAP,
        staff=staff, months=months, counts=figures.counts, page=page,
        person_id=person_id, month=month, today=today, can_coach=can_coach(current_user, store_id))


@bp.get("/talks.xlsx")
def export():
    """The store's talks as a spreadsheet, with the list's filters (person, month)."""
    store_id = current_store_id()
    if not can_view_store_coaching(current_user, store_id):
        abort(403)
    person_id = id_arg("person")
    month = parse_month(request.args.get("month") or "")
    talks = export_rows(services.store_sessions_stmt(store_id, person_id, month))
    if talks is None:
        flash(too_many_rows_message(), "warning")
        return redirect(url_for(".index", person=person_id, month=month.strftime("%Y-%m") if month else None))
    suffix = "".join(f"-{part}" for part in (person_id, month.strftime("%Y-%m") if month else None) if part)
    return xlsx_response(exports.talks_workbook(talks),
                         f"coaching-{current_store().code}{suffix}-{local_today().isoformat()}.xlsx")


# --- a person's page -------------------------------------------------------------------------

@bp.get("/people/<int:user_id>")
def person(user_id):
    person = load_person(user_id)
    today = local_today()
    kpis = services.person_kpis(person)
    targets = analysis.person_targets([person.id], kpis, previous_month(today))
    target_of = {k.id: targets.get((person.id, k.id)) for k in kpis}
    series = trend_series(person.store_id, kpis, today, person_id=person.id)
    charted = trend_charts(series, target_of)
    items = unclosed_items(person.id)
    form = StartForm(formdata=None)
    form.kpi_ids.choices = options((k.id, k.name) for k in kpis)
    latest_of = {s.kpi.id: s.latest for s in series}
    # Pre-ticked: the KPI the manager came for (?kpi=, from the coverage table), else those below target.
    asked = [k.id for k in kpis if k.id in request.args.getlist("kpi", type=int)]
    form.kpi_ids.data = asked or [k.id for k in kpis if latest_of.get(k.id) and analysis.shortfall(
        k, latest_of[k.id][1], target_of[k.id])]
    return render_template(
        "coaching/person.html", person=person, kpis=kpis, target_of=target_of, charted=charted, items=items,
        latest_of=latest_of,
        today=today, page=paginate(services.listed(services.sessions_of_person_stmt(
            person.id, None if person.id == current_user.id else current_user.visible_store_ids))), form=form,
        awaiting=services.awaiting_acknowledgement(person.id) if person.id == current_user.id else [],
        grid_link=url_for("kpis.grid", subject=person.id), trend_months=TREND_MONTHS,
        can_coach=can_coach(current_user, person.store_id) and person.role == STAFF)


@bp.post("/people/<int:user_id>/sessions")
def start(user_id):
    person = load_person(user_id)
    if not can_coach(current_user, person.store_id):
        abort(403)
    form = StartForm()
    form.kpi_ids.choices = options((k.id, k.name) for k in services.person_kpis(person))
    if form.validate_on_submit():
        with commit_or_refuse() as refusal:
            session = services.start_session(store_id=person.store_id, person=person, manager_id=current_user.id,
                                             kpi_ids=form.kpi_ids.data, held_on=local_today())
        if not refusal:
            return redirect(url_for(".session", session_id=session.id))
        form.kpi_ids.errors.append(refusal.message)
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
    preview_months = None
    if session.next_step == 2 and session.steps_done < 2:
        # Step 2 shows the gap first, over the period chosen (by default the form's), then asks for remarks.
        preview_months = blank[2].months.data if blank[2].months.data in services.GAP_MONTHS else None
        asked = request.args.get("months", type=int)
        if asked in services.GAP_MONTHS and not (forms and 2 in forms):
            preview_months = blank[2].months.data = asked
        preview_months = preview_months or blank[2].months.default
    preview = analysis.gap_rows(session, services.gap_span(session, preview_months)) if preview_months else []
    return {"s": session, "gap": analysis.gap_rows(session), "error": error, "forms": blank, "today": today,
            "preview": preview, "preview_months": preview_months, "preview_span": services.gap_span(session, preview_months) if preview_months else None,
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


def _talk_changed() -> str:
    return _("Someone else saved this talk meanwhile: here is what is recorded now.")


def _refused(session: CoachingSession, anchor: str, refusal, forms=None, kept=None):
    """A refused change: the rule's reason beside the user's `forms` (422), or what is recorded now
    (409), where only `kept` (form makers given the current talk) carry the user's own text over."""
    if refusal.conflict:
        forms = {key: make(session) for key, make in (kept or {}).items()}
    return _respond(session, anchor, refusal.status, forms=forms, error=refusal.message)


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
    with commit_or_refuse(conflict=_talk_changed()) as refusal:
        _apply(session, step, form, local_today())
    if refusal:
        return _refused(session, anchor, refusal, forms={step: form})
    return _respond(session, f"step-{min(step + 1, 5)}")


@bp.post("/sessions/<int:session_id>/measures")
def add_measure(session_id):
    session = load_session(session_id, manage=True)
    form = MeasureForm()
    if not form.validate_on_submit():
        return _respond(session, "step-3", 422, forms={"measure": form})
    with commit_or_refuse(conflict=_talk_changed()) as refusal:
        services.add_measure(session, form.what.data, form.due.data, form.as_action.data, current_user.id,
                             local_today())
    if refusal.conflict:
        return _refused(session, "step-3", refusal)
    if refusal:
        form.due.errors = [refusal.message]
        return _respond(session, "step-3", refusal.status, forms={"measure": form})
    return _respond(session, "step-3")


@bp.post("/sessions/<int:session_id>/acknowledge")
def acknowledge(session_id):
    session = load_session(session_id)
    if not can_acknowledge(current_user, session):
        abort(403)
    with commit_or_refuse(conflict=_talk_changed()) as refusal:
        services.acknowledge(session, current_user)
    if refusal:
        return _refused(session, "step-4", refusal)
    return _respond(session, "step-4")


@bp.post("/sessions/<int:session_id>/discard")
def discard(session_id):
    session = load_session(session_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    person_id = session.person_id
    with commit_or_refuse(conflict=_talk_changed()) as refusal:
        services.discard_session(session, current_user.id)
    if refusal:
        return _refused(session, "steps", refusal)
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
    with commit_or_refuse(conflict=_talk_changed()) as refusal:
        services.record_follow_up(session, form.conclusion.data, _int(form.version.data), local_today())
    if refusal:
        # On a conflict, keep what they wrote, now based on the current version: saving again is a
        # deliberate choice.
        mine = form.conclusion.data
        return _refused(session, "follow-up", refusal, forms={"follow_up": form}, kept={
            "follow_up": lambda current: FollowUpForm(formdata=None, conclusion=mine, version=current.version)})
    return _respond(session, "follow-up")


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None
