from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.validators import Optional

from ..forms import FlaskForm, LocalDateField, options, within
from .labels import OBJECT_TYPES


class TrailFilterForm(FlaskForm):
    """The trail's filter (a GET form: no CSRF). The person's choices are filled in by the route."""

    class Meta:
        csrf = False

    person = SelectField(_l("Person"), coerce=int, default=0, validators=[Optional()])  # 0: everyone
    object_type = SelectField(_l("Kind of record"), validators=[Optional()],
                              choices=options([("", _l("All")), *OBJECT_TYPES.items()]))
    object_id = IntegerField(_l("Record number"), validators=[Optional(), within("id", _l("Enter a valid number."))])
    since = LocalDateField(_l("Changed from"), validators=[Optional()])
    until = LocalDateField(_l("Changed until"), validators=[Optional()])
