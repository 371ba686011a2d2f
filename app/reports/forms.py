from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import FlaskForm, VersionField, options, sent
from .models import KINDS, MONTH, NARRATIVE, NARRATIVE_MAX, YEAR


class NewReportForm(FlaskForm):
    kind = SelectField(_l("Review"), choices=options(KINDS), default=MONTH)
    month = StringField(_l("Month"), validators=[Optional()], render_kw={"type": "month"},
                        description=_l("For a monthly review, e.g. 2026-11."))
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)],
                        description=_l("For a year-end review."))

    def validate_month(self, field):
        if self.kind.data == MONTH:
            from ..kpis.services import parse_month
            if not field.data or parse_month(field.data) is None:
                raise ValidationError(_l("Enter a month like 2026-11."))

    def validate_year(self, field):
        if self.kind.data == YEAR and field.data is None:
            raise ValidationError(_l("Enter a year like 2026."))


class NarrativeForm(FlaskForm):
    version = VersionField()
    summary = TextAreaField(NARRATIVE["summary"], validators=[sent, Length(max=NARRATIVE_MAX)])
    went_well = TextAreaField(NARRATIVE["went_well"], validators=[sent, Length(max=NARRATIVE_MAX)])
    problems = TextAreaField(NARRATIVE["problems"], validators=[sent, Length(max=NARRATIVE_MAX)])
    next_plan = TextAreaField(NARRATIVE["next_plan"], validators=[sent, Length(max=NARRATIVE_MAX)])


class PublishForm(FlaskForm):
    version = VersionField()


class MeetingLinkForm(FlaskForm):
    version = VersionField()
    meeting_id = SelectField(_l("Review meeting"), coerce=int, validators=[InputRequired()])
