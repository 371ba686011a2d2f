from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..meetings.forms import ActionItemForm
from .models import OWNER_STATUSES, STATUSES


class ProgressForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[(s, STATUSES[s]) for s in OWNER_STATUSES])
    note = TextAreaField(_l("Progress note"), validators=[Length(max=2000)])
    version = HiddenField(validators=[InputRequired()])


class EditActionItemForm(ActionItemForm):
    version = HiddenField(validators=[InputRequired()])
