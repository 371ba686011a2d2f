import re

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NoneOf, NumberRange, Optional, ValidationError

from ..forms import FlaskForm, VersionField, not_blank, options
from ..forms import LocalDateField as DateField
from .models import (
    CAUSE_ORIGINS,
    CAUSES,
    CHECK_RESULTS,
    KINDS,
    MEASURE_KINDS,
    RO_MAX,
    TEXT_MAX,
    TITLE_MAX,
    TYPES,
    URGENCIES,
)

# A VIN: 17 letters and digits, never I, O or Q (ISO 3779), read in capitals.
VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
MILEAGE_MAX = 2_000_000  # km: beyond any car's life


def valid_vin(form, field):
    value = (field.data or "").strip().upper()
    if value and not VIN_RE.match(value):
        raise ValidationError(_l("A VIN has 17 letters and digits, without I, O or Q."))


class WholeNumberField(IntegerField):
    """An IntegerField whose parse error is a translated sentence; empty is None."""

    def process_formdata(self, valuelist):
        if valuelist and not (valuelist[0] or "").strip():
            self.data = None
            return
        text = (valuelist[0] or "").strip() if valuelist else ""
        if valuelist and not (text.isascii() and text.isdigit() and len(text) <= 9):
            self.data = None
            raise ValueError(_l("Enter a whole number."))
        super().process_formdata(valuelist)


def person_choices(people, empty):
    return options([(0, empty)] + [(u.id, f"{u.display_name} · {u.position_label or u.role_label}") for u in people])


class VehicleFields:
    plate = StringField(_l("Plate number"), validators=[Optional(), Length(max=20)], render_kw={"maxlength": 20})
    vin = StringField(_l("VIN"), validators=[Optional(), valid_vin], render_kw={"maxlength": 17})
    vehicle_model = StringField(_l("Vehicle model"), validators=[Optional(), Length(max=80)])


class ProblemForm(VehicleFields, FlaskForm):
    """Raised from a phone in under a minute: what, where, how urgent, which type; the rest when it
    is a comeback."""
    kind = RadioField(_l("Kind"), choices=options(KINDS), default="problem")
    title = StringField(_l("What is the problem?"), validators=[DataRequired(), not_blank, Length(max=TITLE_MAX)],
                        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    location = StringField(_l("Where?"), validators=[Optional(), Length(max=120)],
                           description=_l("Bay, reception, parts store, a customer's car…"))
    urgency = RadioField(_l("How urgent?"), choices=options(URGENCIES), default="can_wait")
    type = SelectField(_l("Type"), choices=options(TYPES), default="technical")
    description = TextAreaField(_l("Details (optional)"), validators=[Length(max=TEXT_MAX)], render_kw={"rows": 3})
    original_ro = StringField(_l("Original repair order"), validators=[Optional(), Length(max=RO_MAX)])
    return_ro = StringField(_l("Returning repair order"), validators=[Optional(), Length(max=RO_MAX)])
    technician_id = SelectField(_l("Technician of the first repair"), coerce=int, default=0)

    def set_people(self, people):
        self.technician_id.choices = person_choices(people, _l("Not known"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.kind.data == "comeback" and not (self.original_ro.data or "").strip():
            self.original_ro.errors = [*self.original_ro.errors, _l("A comeback names the original repair order.")]
            return False
        return ok


class CorrectProblemForm(ProblemForm):
    """What was reported, corrected later: the raise form's fields but urgency and type (the triage
    sets those), under the version the editor saw."""
    urgency = None
    type = None
    version = VersionField()


class TriageForm(FlaskForm):
    owner_id = SelectField(_l("Owner"), coerce=int,
                           validators=[NoneOf([0], message=_l("Choose the person responsible."))])
    deadline = DateField(_l("Deadline"), validators=[InputRequired(message=_l("Enter a valid date."))])
    urgency = RadioField(_l("How urgent?"), choices=options(URGENCIES))
    type = SelectField(_l("Type"), choices=options(TYPES))
    cause = SelectField(_l("Cause category (人机料法环)"), choices=options(CAUSES))
    cause_origin = RadioField(_l("The cause lies"), choices=options(CAUSE_ORIGINS))
    cause_analysis = TextAreaField(_l("Cause analysis"), validators=[DataRequired(), not_blank, Length(max=TEXT_MAX)],
                                   render_kw={"rows": 4})
    check_days = WholeNumberField(_l("Effectiveness check window (days)"), validators=[
        InputRequired(message=_l("Enter a whole number.")),
        NumberRange(min=1, max=365, message=_l("Enter a number of days from %(min)s to %(max)s."))],
        description=_l("The problem must not recur for this many days after the last measure is done."))
    version = VersionField()

    def set_people(self, people):
        self.owner_id.choices = person_choices(people, _l("Choose a person"))


class MeasureForm(FlaskForm):
    kind = RadioField(_l("Kind of measure"), choices=options(MEASURE_KINDS), default="corrective")
    title = StringField(_l("Measure"), validators=[DataRequired(), not_blank, Length(max=200)])
    owner_id = SelectField(_l("Owner (responsible person)"), coerce=int,
                           validators=[NoneOf([0], message=_l("Choose the person responsible."))])
    deadline = DateField(_l("Deadline"), validators=[InputRequired(message=_l("Enter a valid date."))])

    def set_people(self, people):
        self.owner_id.choices = person_choices(people, _l("Choose a person"))


class CheckForm(FlaskForm):
    result = RadioField(_l("Did the problem recur within the window?"), choices=options(CHECK_RESULTS))
    note = TextAreaField(_l("What was checked"), validators=[DataRequired(), not_blank, Length(max=TEXT_MAX)],
                         render_kw={"rows": 3})
    version = VersionField()


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Why is it not solved?"), validators=[DataRequired(), not_blank, Length(max=TEXT_MAX)],
                           render_kw={"rows": 3})
    version = VersionField()


class AgendaForm(FlaskForm):
    meeting_id = HiddenField(validators=[DataRequired()])


class DelegateForm(FlaskForm):
    delegate_id = SelectField(_l("Who triages besides you"), coerce=int, default=0)

    def set_people(self, people):
        self.delegate_id.choices = person_choices(people, _l("Nobody: only the service manager"))
