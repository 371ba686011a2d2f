from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NoneOf,
    Optional,
    ValidationError,
)

from ..auth.models import POSITIONS
from ..formatting import fnumber
from ..forms import FlaskForm, LocalFloatField, VersionField, not_blank, options
from ..forms import LocalDateField as DateField
from .models import ACT_KINDS, CAUSES, DEVIATION_SOURCES, PERIODS

STORE, PERSON = "store", "person"
NUMBER = _l("Enter a number.")




def _people_choices(people, empty):
    return options([(0, empty)] + [(u.id, f"{u.display_name} · {u.position_label or u.role_label}") for u in people])


def _kpi_choices(kpis):
    return options([(0, _l("Choose a KPI"))] + [(k.id, f"{k.name} ({k.unit_label})") for k in kpis])


def _goal_choices(goals, empty):
    return options([(0, empty)] + [(g.id, f"{g.display_title} · {g.period_label} · {fnumber(g.target, g.kpi.unit)}") for g in goals])


class PeriodMixin:
    period_kind = SelectField(_l("Period"), choices=options(PERIODS), default="quarter")
    period_day = DateField(_l("Period start"), validators=[InputRequired(message=_l("Enter a valid date."))],
                           description=_l("Any day in the period: the goal covers the whole year, quarter "
                                          "or month that contains it."))


class GoalForm(PeriodMixin, FlaskForm):
    subject = RadioField(_l("Whose goal"), choices=options([(STORE, _l("The store")), (PERSON, _l("One person"))]),
                         default=STORE)
    person_id = SelectField(_l("Person (for a personal goal)"), coerce=int, default=0)
    kpi_id = SelectField(_l("KPI"), coerce=int, validators=[NoneOf([0], message=_l("Choose a KPI."))])
    title = StringField(_l("Title (optional)"), validators=[Length(max=200)],
                        description=_l("Leave empty to use the KPI's name."))
    target = LocalFloatField(_l("Target"), validators=[InputRequired(message=NUMBER)])
    baseline = LocalFloatField(_l("Baseline"), validators=[Optional()], bounds="baseline",
                               description=_l("Last year's actual for the same period, where it exists. "
                                              "Change it if you know better."))
    owner_id = SelectField(_l("Owner (responsible person)"), coerce=int,
                           validators=[NoneOf([0], message=_l("Choose the person responsible."))])
    parent_id = SelectField(_l("Part of the store goal (optional)"), coerce=int, default=0)

    def set_choices(self, kpis, people, store_goals):
        self.kpi_id.choices = _kpi_choices(kpis)
        self.person_id.choices = _people_choices(people, _l("Choose a person"))
        self.owner_id.choices = _people_choices(people, _l("Choose a person"))
        self.parent_id.choices = _goal_choices(store_goals, _l("(none)"))

    def validate_person_id(self, field):
        if self.subject.data == PERSON and not field.data:
            raise ValidationError(_l("Choose the person this goal belongs to."))


class EditGoalForm(FlaskForm):
    title = GoalForm.title
    target = GoalForm.target
    baseline = GoalForm.baseline
    owner_id = GoalForm.owner_id
    version = VersionField()

    def set_choices(self, people):
        self.owner_id.choices = _people_choices(people, _l("Choose a person"))


class PositionGoalsForm(PeriodMixin, FlaskForm):
    position = SelectField(_l("Position"), choices=options(POSITIONS))
    kpi_id = SelectField(_l("KPI (measured per person)"), coerce=int,
                         validators=[NoneOf([0], message=_l("Choose a KPI."))])
    target = LocalFloatField(_l("Target for each person"), validators=[InputRequired(message=NUMBER)])
    parent_id = SelectField(_l("Store goal they add up to"), coerce=int, default=0)
    store_target = LocalFloatField(_l("Target of the new store goal"), validators=[Optional()],
                                   description=_l("Only for a new store goal. Left empty for a KPI that adds "
                                                  "up, it is the sum of the personal targets."))

    def set_choices(self, kpis, store_goals):
        self.kpi_id.choices = _kpi_choices(kpis)
        self.parent_id.choices = _goal_choices(store_goals, _l("Create a new store goal"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Progress note"), validators=[DataRequired(message=_l("Write the progress note first.")),
                                                           not_blank, Length(max=4000)])


class PlanStepForm(FlaskForm):
    what = StringField(_l("What"), validators=[DataRequired(), not_blank, Length(max=300)])
    who_id = SelectField(_l("Who"), coerce=int, validators=[NoneOf([0], message=_l("Choose the person responsible."))])
    due = DateField(_l("By when"), validators=[InputRequired(message=_l("Enter a valid date."))])
    standard = TextAreaField(_l("Standard (to what degree)"), validators=[Length(max=4000)],
                             description=_l("What counts as done: Check compares against it."))
    monitoring = TextAreaField(_l("How progress is monitored"), validators=[Length(max=4000)])

    def set_people(self, people):
        self.who_id.choices = _people_choices(people, _l("Choose a person"))


class StageForm(FlaskForm):
    stage = HiddenField(validators=[InputRequired()])
    version = VersionField()


class CheckForm(FlaskForm):
    checked_on = DateField(_l("Checked on"), validators=[InputRequired(message=_l("Enter a valid date."))])
    deviation = TextAreaField(_l("Deviation from the standard"), validators=[Length(max=4000)])
    deviation_source = SelectField(_l("Where the deviation comes from"), choices=options(DEVIATION_SOURCES))
    cause = SelectField(_l("Cause"), choices=options(CAUSES))
    analysis = TextAreaField(_l("Analysis"), validators=[Length(max=4000)])


class ActForm(FlaskForm):
    kind = SelectField(_l("What follows from the check"), choices=options(ACT_KINDS))
    note = TextAreaField(_l("Note"), validators=[Length(max=4000)],
                         description=_l("What becomes the standard, or what changes in the plan and why."))
    version = VersionField()
