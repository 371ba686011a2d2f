from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from ..forms import FlaskForm, VersionField, options
from ..meetings.forms import ActionItemForm
from .models import OWNER_STATUSES, STATUSES


class ProgressForm(FlaskForm):
    status = SelectField(_l("Status"), choices=options((s, STATUSES[s]) for s in OWNER_STATUSES))
    note = TextAreaField(_l("Progress note"), validators=[Length(max=2000)])
    version = VersionField()


class EditActionItemForm(ActionItemForm):
    version = VersionField()
