"""Meeting pages: list, create and edit, run (attendance, minutes, review, decisions, actions), close."""
import io
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..actions.models import STATUSES, ActionItem
from ..auth.services import by_position, current_store, store_people, store_team
from ..common import RuleViolation, absolute_url, current_store_id, get_or_404, id_arg, paginate, require_login
from ..extensions import db, htmx
from ..formatting import fdate, weekday_names
from ..forms import EmptyForm, error_text, options
from ..goals.models import Goal
from ..spreadsheets import export_rows, too_many_rows_message, xlsx_response
from ..timeutils import local_now, local_today
from ..transactions import commit_or_refuse
from . import calendar, documents, extras, notice, proposals, services
from . import review as review_rules
from .forms import (
    AgendaItemForm,
    AttendanceForm,
    CancelMeetingForm,
    CloseForm,
    DecisionForm,
    DispositionForm,
    MeetingActionItemForm,
    MeetingForm,
    MeetingSettingsForm,
    MinutesForm,
    MinutesRangeForm,
    NewAgendaItemForm,
    NextMeetingForm,
)
from .models import ATTENDANCE, DISPOSITIONS, WEEKLY, AgendaItem, AgendaProposal, Decision, Meeting
from .page_parts import page_parts
from .permissions import can_manage_meeting, can_run_meetings, can_view_meeting

bp = Blueprint("meetings", __name__, template_folder="templates")

require_login(bp)


@bp.app_context_processor
def meeting_choices():
    def choices_for(item, meeting):
        return [(key, review_rules.CHOICE_LABELS[key]) for key in services.allowed_dispositions(item, meeting)]

    return {"attendance_choices": ATTENDANCE, "statuses": STATUSES,
            "notice_days": services.NOTICE_DAYS, "choices_for": choices_for, "disposition_labels": DISPOSITIONS,
            "review_groups": review_rules.grouped, "not_yet_due": review_rules.not_yet_due,
            "review_left_message": review_rules.left_message}


@bp.app_template_global()
def meeting_day(iso: str) -> str:
    """A date of a notice's snapshot (ISO text), in the reader's date style."""
    return fdate(date.fromisoformat(iso))


bp.add_app_template_global(calendar.agenda_title, "agenda_title")


def load_meeting(meeting_id: int, manage: bool = False) -> Meeting:
    """Load (404), then check access (403): viewing, or running the meeting."""
    # The chair and minute taker are named on every meeting page: one query, not three.
    meeting = get_or_404(Meeting, meeting_id, options=(joinedload(Meeting.chair), joinedload(Meeting.minute_taker)))
    if not can_view_meeting(current_user, meeting):
        abort(403)
    if manage and not can_manage_meeting(current_user, meeting):
        abort(403)
    return meeting


def load_agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = get_or_404(AgendaItem, item_id)
    if item.meeting_id != meeting.id:
        abort(404)
    return item


# --- list, create, edit -------------------------------------------------------------------

@bp.get("/")
def index():
    return _render_index()


def _render_index(range_form: MinutesRangeForm | None = None):
    store_id = current_store_id()
    query = request.args.get("q", "").strip()
    today = local_today()
    upcoming = db.session.scalars(services.meetings_stmt(store_id, today, True, query).limit(50)).all()
    past = paginate(services.meetings_stmt(store_id, today, False, query))
    if range_form is None:
        range_form = _range_form(store_id, from_request=False)
        range_form.start.data, range_form.end.data = today - timedelta(days=90), today
    return render_template("meetings/list.html", upcoming=upcoming, past=past, query=query, today=today,
                           can_create=can_run_meetings(current_user, store_id), range_form=range_form,
                           max_compiled=documents.MAX_COMPILED)


def _meeting_form(meeting: Meeting | None = None) -> MeetingForm:
    store_id = meeting.store_id if meeting else current_store_id()
    form = MeetingForm(obj=meeting)
    form.set_people(by_position(store_people(store_id)))
    if meeting is None and request.method == "GET":
        _fill_usual_meeting(form, store_id)
    elif meeting is not None and request.method == "GET":
        form.attendee_ids.data = [a.user_id for a in meeting.attendances]
    return form


def _fill_usual_meeting(form: MeetingForm, store_id: int) -> None:
    """A new meeting is the store's weekly one: its next usual day, time and place, as a series,
    with the store's manager and staff invited (the GM and administrator only when ticked)."""
    settings = services.meeting_settings(store_id)
    starts = services.next_meeting_slot(settings, local_now())
    form.kind.data = WEEKLY
    form.meeting_date.data, form.start_time.data = starts.date(), starts.time()
    form.place.data = settings.place
    form.weekly_series.data = True
    form.chair_id.data = current_user.id
    form.attendee_ids.data = [u.id for u in store_team(store_id)]


def _meeting_fields(form: MeetingForm) -> dict:
    return dict(kind=form.kind.data, theme=form.theme.data.strip(), objective=(form.objective.data or "").strip(),
                preparation=(form.preparation.data or "").strip(), meeting_date=form.meeting_date.data, start_time=form.start_time.data,
                place=(form.place.data or "").strip(), chair_id=form.chair_id.data,
                minute_taker_id=form.minute_taker_id.data or None)


def _warn_if_short_notice(meeting: Meeting) -> None:
    if services.notice_is_short(meeting, local_now()):
        flash(ngettext("Short notice: the meeting starts in less than %(num)d day. Send the notice and "
                       "agenda to the attendees today.",
                       "Short notice: the meeting starts in less than %(num)d days. Send the notice and "
                       "agenda to the attendees today.", services.NOTICE_DAYS), "warning")


@bp.route("/new", methods=["GET", "POST"])
def new():
    store_id = current_store_id()
    if not can_run_meetings(current_user, store_id):
        abort(403)
    form = _meeting_form()
    if form.validate_on_submit():
        meeting = services.create_meeting(
            store_id=store_id, created_by_id=current_user.id, attendee_ids=form.attendee_ids.data,
            weekly_series=form.weekly_series.data and form.kind.data == "weekly", **_meeting_fields(form))
        proposals.propose_topics(meeting, local_today())
        db.session.commit()
        flash(_("Meeting created with the standard agenda."), "success")
        _warn_if_short_notice(meeting)
        return redirect(url_for(".detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=None,
                           settings_saved=services.meeting_settings(store_id).updated_at is not None), \
        422 if form.errors else 200


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The store's usual weekly meeting, set once by the manager: new meetings start from it."""
    store_id = current_store_id()
    if not can_run_meetings(current_user, store_id):
        abort(403)
    form = MeetingSettingsForm(obj=services.meeting_settings(store_id))
    form.weekday.choices = options(weekday_names())
    if form.validate_on_submit():
        services.save_meeting_settings(store_id, form.weekday.data, form.start_time.data, form.place.data or "")
        db.session.commit()
        flash(_("Saved. New weekly meetings start on this day, at this time and place."), "success")
        return redirect(url_for(".new"))
    return render_template("meetings/settings.html", form=form), 422 if form.errors else 200


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    if meeting.is_closed or meeting.is_cancelled:
        flash(_("This meeting was cancelled; its record can no longer change.") if meeting.is_cancelled else
              _("This meeting is closed; its record can no longer change."), "warning")
        return redirect(url_for(".detail", meeting_id=meeting.id))
    form = _meeting_form(meeting)
    del form.weekly_series
    if form.validate_on_submit():
        services.update_meeting(meeting, form.attendee_ids.data, **_meeting_fields(form))
        db.session.commit()
        flash(_("Meeting saved."), "success")
        if notice.state(meeting).changed:
            flash(_("Time, place or agenda changed since the notice: send the attendees an update."), "warning")
        else:
            _warn_if_short_notice(meeting)
        return redirect(url_for(".detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=meeting), 422 if form.errors else 200


@bp.route("/<int:meeting_id>/next", methods=["GET", "POST"])
def next_in_series(meeting_id):
    """Asks for this week's theme and purpose, then makes the next meeting of the series."""
    meeting = load_meeting(meeting_id, manage=True)
    form = NextMeetingForm()
    if "theme" not in request.form or not form.validate_on_submit():  # the detail page's button lands here
        status = 422 if form.errors and "theme" in request.form else 200
        return render_template("meetings/next.html", meeting=meeting, form=form), status
    with commit_or_refuse() as refusal:
        nxt = services.create_next_in_series(meeting, current_user.id, form.theme.data, form.objective.data)
        proposals.propose_topics(nxt, local_today())
    if refusal:
        refusal.flash()
        return redirect(url_for(".detail", meeting_id=meeting.id))
    flash(_("The next meeting of the series was created."), "success")
    _warn_if_short_notice(nxt)
    return redirect(url_for(".detail", meeting_id=nxt.id))


# --- the meeting page -------------------------------------------------------------------

def _detail_context(meeting: Meeting, **overrides) -> dict:
    manage = can_manage_meeting(current_user, meeting) and not meeting.is_closed and not meeting.is_cancelled
    amend = can_manage_meeting(current_user, meeting)
    schedule = services.agenda_schedule(meeting)
    current = _current_item(meeting, schedule)
    # A form's answer (errors, a review row's question) is shown in an agenda rendered afresh.
    answers = {name: overrides.pop(name) for name in ("action_form", "decision_form", "row_state") if name in overrides}
    parts = page_parts(meeting, lambda: _agenda_context(meeting, schedule, current, manage, amend, **answers),
                       key=(current.id if current else None, manage, amend), keep=not answers)
    ctx = dict(
        meeting=meeting,
        schedule=schedule,
        current=current,
        clock=_clock(meeting, schedule),
        parts=parts,
        review_count=parts.review_count,
        can_manage=manage,
        can_amend=amend,
        today=local_today(),
        closing_early=services.starts_later(meeting, local_now()),
        previous=services.previous_meeting(meeting),
        following=services.next_in_series(meeting),
        notice=notice.state(meeting), notice_seen=notice.seen_state(meeting),
        can_send_notice=manage and meeting.starts_at > local_now(),
        empty_form=EmptyForm(),
    )
    ctx.update(overrides)
    return ctx


def _agenda_context(meeting: Meeting, schedule, current: AgendaItem | None, manage: bool, amend: bool,
                    **answers) -> dict:
    """What meetings/_meeting_mode.html shows: only data of the meeting's store (page_parts keeps it)."""
    ctx = dict(
        meeting=meeting,
        schedule=schedule,
        current=current,
        review_rows=review_rules.review_rows(meeting),
        meeting_actions=_meeting_actions(meeting),
        can_manage=manage,
        can_amend=amend,
        today=local_today(),
        attendance=services.attendance_in_order(meeting),
        action_form=_action_form(meeting, agenda_item_id=current.id if current else None),
        decision_form=_decision_form(meeting, agenda_item_id=current.id if current else None),
        proposals=proposals.proposals_for(meeting),
        goals=proposals.meeting_goals(meeting),
        linkable_goals=proposals.linkable_goals(meeting, local_today()) if manage else [],
        extras=extras.for_meeting(meeting),
    )
    ctx.update(answers)
    return ctx


def _current_item(meeting: Meeting, schedule) -> AgendaItem | None:
    """The item chosen in the table of contents (?item=), else the one the clock is in, else the first."""
    chosen = id_arg("item", request.args)
    by_id = {item.id: item for item, _starts in schedule}
    if chosen in by_id:
        return by_id[chosen]
    now = local_now()
    for item, starts in schedule:
        if starts <= now < starts + timedelta(minutes=item.duration_minutes):
            return item
    return schedule[0][0] if schedule else None


def _clock(meeting: Meeting, schedule) -> dict:
    """Planned minutes, and minutes elapsed since the start while the meeting is under way."""
    planned = sum(item.duration_minutes for item, _starts in schedule)
    now = local_now()
    running = not meeting.is_closed and meeting.starts_at <= now < meeting.starts_at + timedelta(hours=12)
    elapsed = int((now - meeting.starts_at).total_seconds() // 60) if running else None
    return {"planned": planned, "elapsed": elapsed, "ends_at": meeting.starts_at + timedelta(minutes=planned)}


def _meeting_actions(meeting: Meeting):
    return db.session.scalars(
        db.select(ActionItem).where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id)
    ).all()


def _action_form(meeting: Meeting, formdata=None, agenda_item_id=None) -> MeetingActionItemForm:
    form = MeetingActionItemForm(formdata=formdata, prefix="action")
    form.set_owners(store_team(meeting.store_id))
    form.agenda_item_id.choices = options((a.id, a.display_title) for a in meeting.agenda_items)
    plan = meeting.agenda_item("action_plan")
    if formdata is None:  # the agenda item it is added from, remembered from the last one added
        form.agenda_item_id.data = agenda_item_id or (plan.id if plan else None)
    return form


def _decision_form(meeting: Meeting, formdata=None, agenda_item_id=None) -> DecisionForm:
    form = DecisionForm(formdata=formdata, prefix="decision")
    form.agenda_item_id.choices = options([(0, _("(whole meeting)"))] + [
        (a.id, a.display_title) for a in meeting.agenda_items])
    if formdata is None and agenda_item_id:
        form.agenda_item_id.data = agenda_item_id
    return form


@bp.get("/<int:meeting_id>")
def detail(meeting_id):
    meeting = load_meeting(meeting_id)
    return render_template("meetings/detail.html", **_detail_context(meeting))


@bp.get("/<int:meeting_id>/minutes")
def minutes(meeting_id):
    """The clean, printable minutes (会议纪要)."""
    meeting = load_meeting(meeting_id)
    return render_template("meetings/minutes.html", **documents.minutes_context(meeting))


def _pdf_response(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name)


@bp.get("/<int:meeting_id>/minutes.pdf")
def minutes_pdf(meeting_id):
    """The minutes as a PDF; a closed meeting's is the archived copy (app/meetings/documents.py)."""
    meeting = load_meeting(meeting_id)
    data = documents.archived_minutes_pdf(meeting)
    return _pdf_response(data, f"minutes-{meeting.store.code}-{meeting.meeting_date.isoformat()}-{meeting.id}.pdf")


@bp.get("/minutes.pdf")
def compiled_minutes():
    """A series' minutes (or every closed meeting's) for a date range, in one PDF."""
    store_id = current_store_id()
    form = _range_form(store_id)
    meetings = []
    if form.validate():
        meetings = documents.compiled_meetings(store_id, form.series_id.data or None, form.start.data, form.end.data)
        if not meetings:
            form.end.errors.append(_("No closed meeting in this range."))
        elif len(meetings) > documents.MAX_COMPILED:
            form.end.errors.append(_("More than %(num)d meetings in this range: choose a shorter one.",
                                     num=documents.MAX_COMPILED))
    if form.errors:
        return _render_index(range_form=form), 422
    data = documents.compiled_pdf(current_store(), meetings, form.start.data, form.end.data)
    store = current_store()
    return _pdf_response(data, f"minutes-{store.code}-{form.start.data.isoformat()}-{form.end.data.isoformat()}.pdf")


def _range_form(store_id: int, from_request: bool = True) -> MinutesRangeForm:
    form = MinutesRangeForm(formdata=request.args if from_request else None)
    form.series_id.choices = options(documents.series_choices(store_id))
    return form


@bp.post("/<int:meeting_id>/attendance/<int:user_id>")
def attendance(meeting_id, user_id):
    meeting = load_meeting(meeting_id, manage=True)
    form = AttendanceForm()
    with commit_or_refuse() as refusal:
        if not form.validate_on_submit():
            raise RuleViolation(_("Choose one of the offered statuses."))
        record = services.set_attendance(meeting, user_id, form.status.data)
    if refusal:
        if htmx:
            return refusal.message, refusal.status
        refusal.flash()
        return redirect(url_for(".detail", meeting_id=meeting.id))
    if htmx:
        return render_template("meetings/_attendance_row.html", meeting=meeting, a=record,
                               can_manage=True, saved=True)
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor="attendance"))


@bp.post("/<int:meeting_id>/attendance/everyone-present")
def everyone_present(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with commit_or_refuse() as refusal:
        services.mark_everyone_present(meeting)
    if refusal:
        if htmx:
            return refusal.message, refusal.status
        refusal.flash()
    if htmx:
        return render_template("meetings/_attendance.html", meeting=meeting, can_manage=True,
                               attendance=services.attendance_in_order(meeting)), refusal.status or 200
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor="attendance"))


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/minutes")
def save_minutes(meeting_id, item_id):
    meeting = load_meeting(meeting_id, manage=True)
    item = load_agenda_item(meeting, item_id)
    form = MinutesForm()
    if not form.validate_on_submit() or not form.version.data.isdigit():
        if htmx:
            return render_template("meetings/_minutes_status.html", item=item, error=True), 422
        abort(400)
    typed = form.minutes.data
    with commit_or_refuse() as refusal:  # the only refusal: someone saved newer minutes (409)
        services.save_minutes(item, typed, int(form.version.data), current_user.id)
    if refusal:
        if htmx:
            return render_template("meetings/_minutes_status.html", item=item, conflict=True), refusal.status
        return render_template("meetings/minutes_conflict.html", meeting=meeting, item=item,
                               typed=typed, empty_form=EmptyForm()), refusal.status
    if htmx:
        return render_template("meetings/_minutes_status.html", item=item, saved=True)
    flash(_("Minutes saved."), "success")
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor=f"agenda-{item.id}"))


@bp.post("/<int:meeting_id>/decisions")
def add_decision(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    form = _decision_form(meeting, formdata=request.form)
    status = 200
    if form.validate_on_submit():
        with commit_or_refuse() as refusal:
            services.add_decision(meeting, form.text.data, form.agenda_item_id.data or None, current_user.id)
        if refusal:
            form.text.errors.append(refusal.message)
            status = refusal.status
        else:
            form = _decision_form(meeting, agenda_item_id=form.agenda_item_id.data)
    else:
        status = 422
    if htmx:
        return render_template("meetings/_decisions.html", meeting=meeting, decision_form=form,
                               can_manage=not meeting.is_closed), status
    if status == 200:
        flash(_("Decision recorded."), "success")
        return redirect(url_for(".detail", meeting_id=meeting.id, _anchor="decisions"))
    return render_template("meetings/detail.html", **_detail_context(meeting, decision_form=form)), status


@bp.post("/<int:meeting_id>/actions")
def add_action(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    form = _action_form(meeting, formdata=request.form)
    status = 200
    if form.validate_on_submit():
        with commit_or_refuse() as refusal:
            services.add_action_item(
                meeting, current_user.id, title=form.title.data, description=form.description.data,
                owner_id=form.owner_id.data, deadline=form.deadline.data, priority=form.priority.data,
                agenda_item_id=form.agenda_item_id.data)
        if refusal:
            form.title.errors.append(refusal.message)
            status = refusal.status
        else:
            form = _action_form(meeting, agenda_item_id=form.agenda_item_id.data)
    else:
        status = 422
    if htmx:
        return render_template("meetings/_meeting_actions.html", meeting=meeting, action_form=form,
                               meeting_actions=_meeting_actions(meeting),
                               can_manage=not meeting.is_closed, today=local_today()), status
    if status == 200:
        flash(_("Action item added."), "success")
        return redirect(url_for(".detail", meeting_id=meeting.id, _anchor="actions"))
    return render_template("meetings/detail.html", **_detail_context(meeting, action_form=form)), status


def _review_item(meeting: Meeting, action_item_id: int) -> ActionItem:
    item = get_or_404(ActionItem, action_item_id)
    if item.store_id != meeting.store_id:
        abort(404)
    return item


def _row(meeting: Meeting, item: ActionItem):
    return next((r for r in review_rules.review_rows(meeting) if r.item.id == item.id), None)


def _render_row(meeting: Meeting, item: ActionItem, status=200, **kw):
    """The row as it stands now (an htmx fragment that tells the close bar to count again), or the
    page with that row shown so for a browser without JS."""
    row = _row(meeting, item)
    if row is None:  # not (or no longer) part of the review: say why, where the review is
        if htmx:
            return kw.get("error") or "", status, {"HX-Trigger": "reviewChanged"}
        if kw.get("error"):
            flash(kw["error"], "warning")
        return redirect(url_for(".detail", meeting_id=meeting.id, _anchor="review"))
    if htmx:
        return render_template("meetings/_review_row.html", meeting=meeting, row=row, can_manage=True,
                               today=local_today(), **kw), status, {"HX-Trigger": "reviewChanged"}
    return render_template("meetings/detail.html", **_detail_context(meeting, row_state={item.id: kw})), status


@bp.get("/<int:meeting_id>/review/<int:action_item_id>")
def review_row(meeting_id, action_item_id):
    """One review row (the "back" of a choice that asked for a date or reason)."""
    meeting = load_meeting(meeting_id)
    item = _review_item(meeting, action_item_id)
    if htmx:
        return _render_row(meeting, item)
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor=f"review-{item.id}"))


@bp.post("/<int:meeting_id>/review/<int:action_item_id>")
def review(meeting_id, action_item_id):
    """One tap settles a row; a choice that needs a date or reason first asks for them (a tap sends
    neither field), and only the answer with them is checked."""
    meeting = load_meeting(meeting_id, manage=True)
    item = _review_item(meeting, action_item_id)
    form = DispositionForm()
    choice = form.disposition.data
    if choice in review_rules.NEEDS_DETAILS and not ({"reason", "new_deadline"} & set(request.form)):
        return _render_row(meeting, item, asking=choice)
    if form.validate_on_submit():
        with commit_or_refuse() as refusal:
            services.record_disposition(meeting, item, current_user.id, choice, form.reason.data,
                                        form.new_deadline.data)
        error, status = refusal.message, refusal.status or 200
    else:
        error, status = None, 422
    if status == 409:
        entry = services.settled_entry(meeting, item)
        error = _("Already settled: %(name)s recorded “%(disposition)s” for this item.",
                  name=entry.decided_by.display_name, disposition=entry.disposition_label) if entry else \
            _("This item changed while you were deciding. Check its status and record the disposition again.")
    if status == 200 and not htmx:
        flash(_("Disposition recorded."), "success")
        return redirect(url_for(".detail", meeting_id=meeting.id, _anchor=f"review-{item.id}"))
    if status == 422:
        return _render_row(meeting, item, status, asking=choice if choice in review_rules.NEEDS_DETAILS else None,
                           form=form, error=error or error_text(form))
    return _render_row(meeting, item, status, error=error)


@bp.post("/<int:meeting_id>/review/not-yet-due")
def review_not_yet_due(meeting_id):
    """"All not yet due: on schedule": every unsettled row whose deadline is still ahead, in one step."""
    meeting = load_meeting(meeting_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with commit_or_refuse() as refusal:
        settled = review_rules.settle_not_yet_due(meeting, current_user.id)
    message = refusal.message if refusal else ngettext(
        "%(num)d row not yet due: on schedule.", "%(num)d rows not yet due: on schedule.", settled)
    if htmx:
        return render_template("meetings/_review.html", meeting=meeting, can_manage=True, today=local_today(),
                               review_rows=review_rules.review_rows(meeting), notice=message), \
            refusal.status or 200, {"HX-Trigger": "reviewChanged"}
    flash(message, "warning" if refusal else "success")
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor="review"))


@bp.post("/<int:meeting_id>/review/<int:action_item_id>/reopen")
def reopen_review(meeting_id, action_item_id):
    """Undo a disposition (a wrong tap) while the meeting is open."""
    meeting = load_meeting(meeting_id, manage=True)
    item = _review_item(meeting, action_item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with commit_or_refuse() as refusal:
        review_rules.reopen(meeting, item, current_user.id)
    if refusal and refusal.status == 409:  # nothing to undo: someone reopened it already
        refusal.status = 200
    if htmx:
        return _render_row(meeting, item, refusal.status or 200, error=refusal.message or None)
    if refusal:
        refusal.flash()
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor=f"review-{item.id}"))


def _close_bar(meeting: Meeting, refused: bool, status=200, message=""):
    return render_template("meetings/_close_bar.html", meeting=meeting,
                           review_count=review_rules.count(review_rules.review_rows(meeting)),
                           refused=refused, message=message,
                           closing_early=services.starts_later(meeting, local_now())), status


@bp.get("/<int:meeting_id>/close-bar")
def close_bar(meeting_id):
    """The close button with its live count (fetched again whenever a row is settled)."""
    meeting = load_meeting(meeting_id, manage=True)
    return _close_bar(meeting, refused=request.args.get("refused") == "1")


@bp.post("/<int:meeting_id>/close")
def close(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    if not meeting.is_closed and services.starts_later(meeting, local_now()) and not form.confirm_early.data:
        return render_template("meetings/close_early.html", meeting=meeting, form=form)
    with commit_or_refuse() as refusal:
        services.close_meeting(meeting, current_user.id)
        notice.send_minutes(meeting)  # in the same transaction: closed and told, or neither
    if refusal and meeting.is_closed:
        refusal.flash()
        return redirect(url_for(".detail", meeting_id=meeting.id))
    if refusal:  # shown next to the close button, naming what is left
        if htmx:
            return _close_bar(meeting, refused=True, status=refusal.status, message=refusal.message)
        return render_template("meetings/detail.html", **_detail_context(
            meeting, refused=True, message=refusal.message)), refusal.status
    flash(_("Meeting closed. The minutes are frozen and go to the attendees and owners; each owner is told "
            "of their new action items."), "success")
    if htmx:
        return "", 200, {"HX-Redirect": url_for(".detail", meeting_id=meeting.id)}
    return redirect(url_for(".detail", meeting_id=meeting.id))


# --- notice, update, cancellation ---------------------------------------------------------------

@bp.post("/<int:meeting_id>/notice")
def send_notice(meeting_id):
    """Send the notice (or an update of it) to every invited attendee and the store's group chats."""
    meeting = load_meeting(meeting_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with commit_or_refuse(conflict=_("The notice was sent a moment ago (a second click, or someone else): "
                                     "nothing more was sent. Here is the meeting as it stands now.")) as refusal:
        kind = notice.send_notice(meeting, current_user.id, request.form.get("seen", ""))
    if refusal:
        refusal.flash()
    elif kind == notice.UPDATE:
        flash(_("Update sent to %(num)d attendees, with the changed invitation for their calendars.",
                num=len(meeting.attendances)), "success")
    else:
        flash(_("Notice sent to %(num)d attendees, with an invitation for their calendars.",
                num=len(meeting.attendances)), "success")
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor="notice"))


@bp.route("/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id):
    """Cancel a planned meeting, after confirming; if its notice went out, everyone invited is told."""
    meeting = load_meeting(meeting_id, manage=True)
    form = CancelMeetingForm()
    if meeting.is_closed or meeting.is_cancelled:
        flash(_("Only a planned meeting can be cancelled."), "warning")
        return redirect(url_for(".detail", meeting_id=meeting.id))
    if form.validate_on_submit():
        with commit_or_refuse() as refusal:
            told = notice.cancel(meeting, current_user.id, form.reason.data)
        if refusal:
            refusal.flash()
        elif told:
            flash(_("Meeting cancelled. Everyone invited is told, and it leaves their calendars."), "success")
        else:
            flash(_("Meeting cancelled. No notice had gone out, so nobody is told."), "success")
        return redirect(url_for(".detail", meeting_id=meeting.id))
    return render_template("meetings/cancel.html", meeting=meeting, form=form,
                           notice=notice.state(meeting)), 422 if form.errors else 200


# --- topics from the data, and the goals a meeting discusses ----------------------------

@bp.post("/<int:meeting_id>/proposals/<int:proposal_id>/<any(keep, drop):choice>")
def decide_proposal(meeting_id, proposal_id, choice):
    meeting = load_meeting(meeting_id, manage=True)
    proposal = get_or_404(AgendaProposal, proposal_id)
    if proposal.meeting_id != meeting.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with commit_or_refuse() as refusal:
        proposals.decide(proposal, choice == "keep")
    if refusal:
        refusal.flash()
    if htmx:
        return render_template("meetings/_proposal.html", meeting=meeting, p=proposal,
                               can_manage=True), refusal.status or 200
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor=f"proposal-{proposal.id}"))


@bp.post("/<int:meeting_id>/goals")
def link_goal(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    goal = db.session.get(Goal, id_arg("goal_id", request.form) or 0)
    if not EmptyForm().validate_on_submit() or goal is None:
        abort(400)
    with commit_or_refuse() as refusal:
        if request.form.get("unlink"):
            proposals.unlink_goal(meeting, goal)
        else:
            services.require_open(meeting)
            proposals.link_goal(meeting, goal)
    if refusal:
        refusal.flash()
    if htmx:
        return render_template("meetings/_meeting_goals.html", meeting=meeting, can_manage=True,
                               goals=proposals.meeting_goals(meeting),
                               linkable_goals=proposals.linkable_goals(meeting, local_today())), refusal.status or 200
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor="meeting-goals"))


# --- agenda editor ------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/agenda", methods=["GET", "POST"])
def agenda(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    form = NewAgendaItemForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with commit_or_refuse() as refusal:
                services.add_agenda_item(meeting, form.title.data, form.duration_minutes.data)
            if refusal:
                return _render_agenda(meeting, form, refusal.status, error=refusal.message)
            form = NewAgendaItemForm(formdata=None)
        else:
            status = 422
    return _render_agenda(meeting, form, status)


def _render_agenda(meeting: Meeting, form=None, status=200, error=None):
    ctx = dict(meeting=meeting, schedule=services.agenda_schedule(meeting),
               form=form or NewAgendaItemForm(formdata=None), item_form=AgendaItemForm,
               empty_form=EmptyForm(), error=error)
    if htmx:
        return render_template("meetings/_agenda_editor.html", **ctx), status
    return render_template("meetings/agenda.html", **ctx), status


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/<any(up, down, delete, save):op>")
def agenda_item_op(meeting_id, item_id, op):
    meeting = load_meeting(meeting_id, manage=True)
    item = load_agenda_item(meeting, item_id)
    form = AgendaItemForm() if op == "save" else EmptyForm()
    if not form.validate_on_submit():
        msg = error_text(form) or _("The form has expired; reload the page.")
        return _render_agenda(meeting, status=422, error=msg)
    with commit_or_refuse() as refusal:
        if op == "save":
            services.update_agenda_item(item, form.title.data or "", form.duration_minutes.data)
        elif op == "delete":
            services.remove_agenda_item(item)
        else:
            services.move_agenda_item(item, -1 if op == "up" else 1)
    if refusal:
        return _render_agenda(meeting, status=refusal.status, error=refusal.message)
    if htmx:
        return _render_agenda(meeting)
    return redirect(url_for(".agenda", meeting_id=meeting.id))


# --- my calendar feed -----------------------------------------------------------------------

@bp.get("/calendar-feed")
def calendar_feed():
    """My secret feed URL: whether I have one, when it was last read; create, replace or revoke it."""
    return render_template("meetings/calendar_feed.html", subscription=calendar.feed_of(current_user),
                           empty_form=EmptyForm(), feed_url=None)


@bp.post("/calendar-feed")
def create_calendar_feed():
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = calendar.create_feed(current_user)
    db.session.commit()
    # The only time the address is shown: never cached, never kept in the history.
    return render_template("meetings/calendar_feed.html", subscription=calendar.feed_of(current_user),
                           empty_form=EmptyForm(),
                           feed_url=absolute_url(url_for("calendar_feed.feed", token=token))), \
        200, {"Cache-Control": "no-store"}


@bp.post("/calendar-feed/revoke")
def revoke_calendar_feed():
    if not EmptyForm().validate_on_submit():
        abort(400)
    if calendar.revoke_feed(current_user):
        db.session.commit()
        flash(_("Calendar feed revoked: calendars subscribed to it get nothing from now on."), "success")
    return redirect(url_for(".calendar_feed"))


# --- decision register --------------------------------------------------------------------

@bp.get("/decisions")
def decisions():
    query = request.args.get("q", "").strip()
    page = paginate(services.decisions_stmt(current_store_id(), query))
    return render_template("meetings/decisions.html", page=page, query=query)


@bp.get("/decisions.xlsx")
def decisions_export():
    """The decision register as a spreadsheet, with the page's search applied."""
    query = request.args.get("q", "").strip()
    rows = export_rows(services.decisions_stmt(current_store_id(), query).options(joinedload(Decision.agenda_item)))
    if rows is None:
        flash(too_many_rows_message(), "warning")
        return redirect(url_for(".decisions", q=query or None))
    return xlsx_response(documents.decisions_workbook(rows),
                         f"decisions-{current_store().code}-{local_today().isoformat()}.xlsx")
