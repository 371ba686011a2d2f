from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from ..auth.models import POSITIONS, ROLES
from ..forms import FlaskForm, MultiCheckboxField, not_blank, options
from .services import EMAIL

LANGUAGES = {"zh_CN": "中文", "en": "English"}


def role_choices(roles) -> list:
    return options([(r, ROLES[r]) for r in roles])


def position_choices() -> list:
    return options([("", _l("(none)"))] + list(POSITIONS.items()))


def store_choices(stores) -> list:
    return options([(s.id, f"{s.code} · {s.name}") for s in stores])


class ContactFields:
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40),
                                                 Regexp(r"^[0-9+()\- ]*$", message=_l("Enter a phone number."))],
                        render_kw={"autocomplete": "tel"})
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=120),
                                                  Regexp(EMAIL, message=_l("Enter an e-mail address."))],
                        render_kw={"autocomplete": "email"})


class PersonForm(ContactFields, FlaskForm):
    display_name = StringField(_l("Full name"), validators=[DataRequired(), not_blank, Length(max=80)])
    role = SelectField(_l("Role"))
    position = SelectField(_l("Position"), validators=[Optional()])
    store_id = SelectField(_l("Store"), coerce=int)
    extra_store_ids = MultiCheckboxField(_l("Other stores this general manager oversees"), coerce=int)


class NewPersonForm(PersonForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocapitalize": "none"})


class StoreForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), not_blank, Length(max=20),
                                               Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Letters, digits, - and _ only."))])
    name = StringField(_l("Name"), validators=[DataRequired(), not_blank, Length(max=120)])


class RenameStoreForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), not_blank, Length(max=120)])


class AccountForm(ContactFields, FlaskForm):
    display_name = StringField(_l("Full name"), validators=[DataRequired(), not_blank, Length(max=80)])
    language = SelectField(_l("Language"), choices=options(LANGUAGES))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    repeat = PasswordField(_l("New password again"),
                           validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
                           render_kw={"autocomplete": "new-password"})


class ImportForm(FlaskForm):
    store_id = SelectField(_l("Store"), coerce=int)
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired()])
