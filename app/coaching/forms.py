"""The coaching forms: one per step, each validating its own fields (the order of steps is a rule
in services)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import FlaskForm, LocalDateField, MultiCheckboxField, not_blank, within

TEXT_MAX = 4000


def _text(label, required=False, rows=3, description=None):
    validators = [Length(max=TEXT_MAX, message=_l("At most %(max)d characters."))]
    if required:
        validators = [DataRequired(message=_l("This field is required.")), not_blank, *validators]
    return TextAreaField(label, validators=validators, description=description,
                         render_kw={"rows": rows, "maxlength": TEXT_MAX})


class StartForm(FlaskForm):
    # No `required` on the checkboxes: browsers would then demand every box, not one of them.
    kpi_ids = MultiCheckboxField(_l("About which KPIs"), coerce=int, render_kw={"required": False},
                                 validators=[DataRequired(message=_l("Choose at least one of the person's KPIs."))])


class PurposeForm(FlaskForm):
    purpose = _text(_l("Purpose of the talk and its basis"), required=True,
                    description=_l("Why you are talking, and on which facts: keep it open, so the talk is relaxed."))


class GapForm(FlaskForm):
    months = SelectField(_l("Compare over"), coerce=int, default=3)
    gap_remarks = _text(_l("Your remarks on the gap"))


class MeasureForm(FlaskForm):
    # 200: the length of an action item's title, which the measure becomes.
    what = StringField(_l("Measure"), validators=[DataRequired(message=_l("Describe the measure.")), not_blank,
                                                  Length(max=200, message=_l("At most %(max)d characters."))],
                       render_kw={"maxlength": 200})
    due = LocalDateField(_l("Deadline"), validators=[Optional()])
    as_action = BooleanField(_l("Make it an action item"), default=True)


class PlanForm(FlaskForm):
    plan_notes = _text(_l("Methods and notes on the plan"), rows=2)


class ConfirmForm(FlaskForm):
    questions = _text(_l("Questions raised and answers"))
    verbal = BooleanField(_l("Confirmed verbally"))


class MotivationForm(FlaskForm):
    agreed = _text(_l("What was agreed"), required=True, rows=2)
    recognition = _text(_l("Recognition"), rows=2)
    support = _text(_l("Support promised"), rows=2)
    follow_up_on = LocalDateField(_l("Follow-up date"),
                                  validators=[InputRequired(message=_l("Enter a valid date."))],
                                  description=_l("On and after this day the talk shows its effect on the KPIs."))


class FollowUpForm(FlaskForm):
    conclusion = _text(_l("Follow-up conclusion"), required=True, rows=2)
    version = HiddenField()  # the version the conclusion was written against (checked in services)


class CoverageForm(FlaskForm):
    """The coverage filter (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    weeks = IntegerField(_l("Weeks without a talk"), default=8,
                         validators=[Optional(), within("coverage_weeks", _l("Between %(min)d and %(max)d."))])
