"""Form pieces shared by the feature packages.

Every form derives from this module's FlaskForm, so every text field refuses control characters and
every number and date field its out-of-range values (the bounds are in app/validation.py).
"""
import flask_wtf
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FloatField,
    HiddenField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import NumberRange, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import validation


def clean_text(form, field):
    """No NUL or other control characters; tab and line breaks only where the field has lines."""
    if isinstance(field.data, str) and not validation.is_clean_text(field.data, isinstance(field, TextAreaField)):
        raise StopValidation(validation.TEXT_MESSAGE)


class FlaskForm(flask_wtf.FlaskForm):
    """Flask-WTF's form whose text fields (string, text area, hidden, password) all check `clean_text`
    first: added here once, so no form can forget it."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField):
                field.validators = [clean_text, *field.validators]  # a new list: the class's stays as it is
            return field


class EmptyForm(FlaskForm):
    """For buttons that change state: the form carries nothing but its CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def not_blank(form, field):
    if field.data is not None and isinstance(field.data, str) and not field.data.strip():
        raise ValidationError(_l("This field cannot be only spaces."))


def _humane(field_class, message):
    """`field_class` whose parse error is a translated, human message instead of WTForms' own."""

    class Field(field_class):
        def process_formdata(self, valuelist):
            try:
                super().process_formdata(valuelist)
            except ValueError:
                raise ValueError(message) from None

    Field.__name__ = f"Local{field_class.__name__}"
    return Field


LocalTimeField = _humane(TimeField, _l("Enter a valid time."))


class LocalDateField(_humane(DateField, _l("Enter a valid date."))):
    """A date inside validation's window: a typing slip like 9999-12-31 never reaches the data."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not validation.in_date_window(self.data):
            self.data = None
            raise ValueError(validation.date_message())


class LocalFloatField(_humane(FloatField, _l("Enter a number."))):
    """A finite number within validation.RANGES[bounds] (nan, inf and 1e308 are refused)."""

    def __init__(self, label=None, validators=None, bounds="target", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.bounds = bounds

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not validation.in_range(self.data, self.bounds):
            self.data = None
            raise ValueError(validation.range_message(self.bounds))


class Within(NumberRange):
    """NumberRange on validation.RANGES (and the same min/max on the input), checked by Range.holds:
    WTForms' own check cannot compare an integer beyond the float range (a 400-digit year)."""

    def __init__(self, name: str, message):
        self.bounds = validation.RANGES[name]
        super().__init__(min=self.bounds.low, max=self.bounds.high, message=message)

    def __call__(self, form, field):
        if field.data is None or self.bounds.holds(field.data):
            return
        raise ValidationError(str(self.message) % {"min": self.min, "max": self.max})


def within(name: str, message) -> NumberRange:
    """A whole-number field's bounds from validation.RANGES[name]; `message` may name %(min)d and %(max)d."""
    return Within(name, message)


def sent(form, field):
    """The field was in the request at all (even empty): a post without it is refused, not taken
    as an empty text that would wipe what is stored."""
    if not field.raw_data:
        raise StopValidation(_l("This field is required."))


def in_version_range(form, field):
    if validation.whole_number(field.data, "version") is None:
        raise StopValidation(_l("This form is out of date. Reload the page and try again."))


def VersionField():  # named like the field classes it stands beside
    """The optimistic-lock version a form was loaded with: whole digits within validation's range."""
    return HiddenField(validators=[sent, in_version_range])


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs or a {value: label} dict as choices for a SelectField or RadioField."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


def choice_values(field) -> list:
    return [choice.value for choice in field.choices]


def error_text(form) -> str:
    """All of a form's messages in one line, for a row too small to show them beside each field."""
    return " ".join(str(e) for errs in form.errors.values() for e in errs)
