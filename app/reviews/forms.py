from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..forms import FlaskForm
from ..forms import LocalDateField as DateField
from ..timeutils import local_today
from .models import DUTIES, REMARK_MAX

BACKDATE_DAYS = 366


class ReviewForm(FlaskForm):
    reviewed_on = DateField(_l("Date of the assessment"),
                            validators=[InputRequired(message=_l("Enter a valid date."))],
                            description=_l("Today or a day in the past year."))

    def validate_reviewed_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("The assessment cannot be dated in the future."))
        # Recording a missed assessment is fine; a date years back is a typing slip.
        if field.data and field.data < local_today() - timedelta(days=BACKDATE_DAYS):
            raise ValidationError(_l("Date the assessment within the past year."))

    def duty_fields(self):
        """(key, label, checkbox, remark) for each duty, in order."""
        return [(key, label, self[f"met_{key}"], self[f"remark_{key}"]) for key, label in DUTIES.items()]

    @property
    def met(self) -> dict[str, bool]:
        return {key: bool(self[f"met_{key}"].data) for key in DUTIES}

    @property
    def remarks(self) -> dict[str, str]:
        return {key: self[f"remark_{key}"].data or "" for key in DUTIES}


for _key, _label in DUTIES.items():
    setattr(ReviewForm, f"met_{_key}", BooleanField(_label))
    setattr(ReviewForm, f"remark_{_key}", TextAreaField(
        _l("Remark on “%(duty)s”", duty=_label),
        validators=[Length(max=REMARK_MAX, message=_l("At most %(max)d characters."))],
        render_kw={"rows": 2, "maxlength": REMARK_MAX}))
