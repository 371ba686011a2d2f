"""Forms of the notification pages."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..forms import FlaskForm, VersionField
from .services import ESCALATION_DAYS, REMINDER_DAYS


class StoreSettingsForm(FlaskForm):
    reminder_days = IntegerField(
        _l("Remind the owner this many days before the deadline"),
        description=_l("0: on the day of the deadline."),
        validators=[InputRequired(message=_l("Enter a number of days.")),
                    NumberRange(*REMINDER_DAYS, message=_l("Between %(min)d and %(max)d days."))])
    escalation_days = IntegerField(
        _l("Tell the service manager when an item is overdue by more than this many days"),
        validators=[InputRequired(message=_l("Enter a number of days.")),
                    NumberRange(*ESCALATION_DAYS, message=_l("Between %(min)d and %(max)d days."))])
    version = VersionField()


def preferences_form(kinds, choices, role: str):
    """One checkbox per kind of e-mail offered to `role` (field name: the kind, dots as underscores)."""

    class PreferencesForm(FlaskForm):
        pass

    names = {}
    for name, kind in kinds.items():
        if kind.label is None or (kind.roles and role not in kind.roles):
            continue
        field_name = "kind_" + name.replace(".", "_")
        setattr(PreferencesForm, field_name, BooleanField(kind.label, default=choices.get(name, True)))
        names[field_name] = name
    return PreferencesForm(), names
