from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NoneOf

from ..forms import FlaskForm, VersionField, not_blank, options
from ..forms import LocalDateField as DateField
from .models import OWNER_STATUSES, PRIORITIES, STATUSES


class ActionItemForm(FlaskForm):
    title = StringField(_l("Action"), validators=[DataRequired(), not_blank, Length(max=200)])
    description = TextAreaField(_l("Description and standard of done"), validators=[Length(max=4000)])
    owner_id = SelectField(_l("Owner (responsible person)"), coerce=int,
                           validators=[NoneOf([0], message=_l("Choose the person responsible."))])

    def set_owners(self, people):
        """People with their position, so the right one is found among namesakes."""
        self.owner_id.choices = options([(0, _l("Choose a person"))] + [
            (u.id, f"{u.display_name} · {u.position_label or u.role_label}") for u in people])
    deadline = DateField(_l("Deadline"), validators=[InputRequired(message=_l("Enter a valid date."))])
    priority = SelectField(_l("Priority"), choices=options(PRIORITIES), default="normal")


class ProgressForm(FlaskForm):
    status = SelectField(_l("Status"), choices=options((s, STATUSES[s]) for s in OWNER_STATUSES))
    note = TextAreaField(_l("Progress note"), validators=[Length(max=2000)])
    version = VersionField()


class EditActionItemForm(ActionItemForm):
    version = VersionField()
