from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..actions.forms import ActionItemForm
from ..forms import FlaskForm, MultiCheckboxField, VersionField, not_blank, options, sent, within
from ..forms import LocalDateField as DateField
from ..forms import LocalTimeField as TimeField
from .models import ATTENDANCE, DISPOSITIONS, EXTENDED, MEETING_KINDS


class MeetingForm(FlaskForm):
    kind = SelectField(_l("Kind of meeting"), choices=options(MEETING_KINDS))
    theme = StringField(_l("Theme"), validators=[DataRequired(), not_blank, Length(max=200)],
                        description=_l("e.g. The complaint rate is rising"))
    objective = TextAreaField(_l("Objective"), validators=[Length(max=2000)],
                              description=_l("What the meeting should achieve."))
    preparation = TextAreaField(_l("What to prepare"), validators=[Length(max=2000)],
                                description=_l("Sent with the notice: data reports, customer feedback, cases to bring."))
    meeting_date = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter a valid date."))])
    start_time = TimeField(_l("Start time"), validators=[InputRequired(message=_l("Enter a valid time."))])
    place = StringField(_l("Place"), validators=[Length(max=120)])
    chair_id = SelectField(_l("Chair"), coerce=int)
    minute_taker_id = SelectField(_l("Minute taker"), coerce=int)
    attendee_ids = MultiCheckboxField(_l("Invited attendees"), coerce=int)
    weekly_series = BooleanField(_l("Repeat every week (a series: the next meeting is created in one step)"))

    def set_people(self, people):
        pairs = [(u.id, f"{u.display_name} · {u.position_label or u.role_label}") for u in people]
        self.chair_id.choices = options(pairs)
        self.minute_taker_id.choices = options([(0, _l("(not decided yet)"))] + pairs)
        self.attendee_ids.choices = options(pairs)


class MeetingSettingsForm(FlaskForm):
    weekday = SelectField(_l("Usual day"), coerce=int)  # the locale's day names: formatting.weekday_names
    start_time = TimeField(_l("Usual start time"),
                           validators=[InputRequired(message=_l("Enter a valid time."))])
    place = StringField(_l("Usual place"), validators=[Length(max=120)])


class NextMeetingForm(FlaskForm):
    """This week's theme and purpose: a new week's meeting is not last week's again."""
    theme = StringField(_l("Theme"), validators=[DataRequired(), not_blank, Length(max=200)])
    objective = TextAreaField(_l("Objective"), validators=[Length(max=2000)])


class CloseForm(FlaskForm):
    confirm_early = BooleanField(_l("Yes, close it before it has started"))


class CancelMeetingForm(FlaskForm):
    reason = StringField(_l("Reason (sent to the attendees)"), validators=[Length(max=500)])
    confirm = BooleanField(_l("Yes, cancel this meeting"), validators=[DataRequired(
        message=_l("Tick the box to confirm the cancellation."))])


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    duration_minutes = IntegerField(
        _l("Duration (min)"), default=10,
        validators=[InputRequired(message=_l("Enter the time box in minutes.")),
                    within("duration_minutes", _l("Between %(min)d and %(max)d minutes."))])


class NewAgendaItemForm(AgendaItemForm):
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(max=200)])


class AttendanceForm(FlaskForm):
    status = SelectField(_l("Attendance"), choices=options(ATTENDANCE))


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Minutes"), validators=[sent, Length(max=20000)])
    version = VersionField()


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("Decision"), validators=[DataRequired(), not_blank, Length(max=2000)])
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int, validators=[Optional()])


class MeetingActionItemForm(ActionItemForm):
    agenda_item_id = SelectField(_l("From agenda item"), coerce=int)


class DispositionForm(FlaskForm):
    disposition = SelectField(_l("Disposition"), choices=options(DISPOSITIONS))
    new_deadline = DateField(_l("New deadline"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[Length(max=1000)])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Here, not in validate_new_deadline: Optional() ends an empty field's checks before it.
        if self.disposition.data == EXTENDED and self.new_deadline.data is None and not self.new_deadline.errors:
            self.new_deadline.errors = [*self.new_deadline.errors, _l("Give the new deadline.")]
            valid = False
        return valid

    def validate_reason(self, field):
        if self.disposition.data in ("extended", "escalated", "cancelled") and not (field.data or "").strip():
            raise ValidationError(_l("Give a reason for this disposition."))


class MinutesRangeForm(FlaskForm):
    """The minutes of a series (or of every meeting of the store) for a date range, as one PDF: a
    download, so a GET form without a CSRF token. The cap on meetings is checked by the route."""

    class Meta:
        csrf = False

    series_id = SelectField(_l("Meetings"), coerce=int)
    start = DateField(_l("First day"), validators=[InputRequired(message=_l("Enter a valid date."))])
    end = DateField(_l("Last day"), validators=[InputRequired(message=_l("Enter a valid date."))])

    def validate_end(self, field):
        from .documents import MAX_COMPILED_DAYS

        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError(_l("The end of the range must not be before its start."))
            if (field.data - self.start.data).days >= MAX_COMPILED_DAYS:
                raise ValidationError(_l("Choose a range of at most one year."))
