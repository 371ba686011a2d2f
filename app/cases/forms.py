from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NoneOf, NumberRange, Optional

from ..forms import FlaskForm, VersionField, not_blank, options
from ..forms import LocalDateField as DateField
from ..problems.forms import MILEAGE_MAX, VehicleFields, WholeNumberField, person_choices
from .models import CATEGORIES, EXAMPLES, SATISFACTION, TAGS_MAX, TEXT_MAX, TITLE_MAX


def _text(label, required=False, rows=3, description=None):
    validators = [DataRequired(), not_blank] if required else []
    return TextAreaField(label, validators=[*validators, Length(max=TEXT_MAX)], render_kw={"rows": rows},
                         description=description)


class CaseForm(VehicleFields, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(max=TITLE_MAX)],
                        render_kw={"maxlength": TITLE_MAX})
    case_date = DateField(_l("Date of the case"), validators=[InputRequired(message=_l("Enter a valid date."))])
    example = RadioField(_l("Good or bad example"), choices=options(EXAMPLES), default="good")
    category = SelectField(_l("Category"), choices=options(CATEGORIES), default="technical")
    customer_problem = _text(_l("The customer's problem"), required=True)
    mileage = WholeNumberField(_l("Mileage (km)"), validators=[
        Optional(), NumberRange(min=0, max=MILEAGE_MAX, message=_l("Enter a mileage from %(min)s to %(max)s km."))])
    repair_order = StringField(_l("Repair order number"), validators=[Optional(), Length(max=40)])
    advisor_id = SelectField(_l("Service advisor"), coerce=int, default=0)
    technician_id = SelectField(_l("Technician"), coerce=int, default=0)
    what_happened = _text(_l("What happened"), rows=4)
    handling = _text(_l("How it was handled"), rows=4)
    satisfaction = SelectField(_l("Was the customer satisfied?"), choices=options(SATISFACTION), default="satisfied")
    lessons = _text(_l("Lessons learned"), rows=4)
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=TAGS_MAX)],
                       description=_l("Separated by commas, e.g. 异响, 底盘"))
    training = BooleanField(_l("Use as training material"))

    def set_people(self, people):
        self.advisor_id.choices = person_choices(people, _l("Nobody named"))
        self.technician_id.choices = person_choices(people, _l("Nobody named"))

    def fields(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "title", "case_date", "example", "category", "customer_problem", "plate", "vin", "vehicle_model",
            "mileage", "repair_order", "what_happened", "handling", "satisfaction", "lessons", "tags",
            "training")} | {"advisor_id": self.advisor_id.data or None, "technician_id": self.technician_id.data or None}


class EditCaseForm(CaseForm):
    version = VersionField()


class PublishForm(FlaskForm):
    version = VersionField()


class AgendaForm(FlaskForm):
    meeting_id = SelectField(_l("Meeting"), coerce=int, validators=[NoneOf([0], message=_l("Choose a meeting."))])
    where = RadioField(_l("Into"), choices=options([("theme", _l("Theme discussion")),
                                                    ("sharing", _l("Experience sharing"))]), default="theme")


class ImprovementForm(FlaskForm):
    title = StringField(_l("Improvement"), validators=[DataRequired(), not_blank, Length(max=200)])
    owner_id = SelectField(_l("Owner (responsible person)"), coerce=int,
                           validators=[NoneOf([0], message=_l("Choose the person responsible."))])
    deadline = DateField(_l("Deadline"), validators=[InputRequired(message=_l("Enter a valid date."))])
    meeting_id = HiddenField()

    def set_people(self, people):
        self.owner_id.choices = person_choices(people, _l("Choose a person"))
