"""Form pieces shared by the feature packages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, SelectMultipleField, TimeField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


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
                raise ValueError(message)

    Field.__name__ = f"Local{field_class.__name__}"
    return Field


LocalDateField = _humane(DateField, _l("Enter a valid date."))
LocalTimeField = _humane(TimeField, _l("Enter a valid time."))
LocalFloatField = _humane(FloatField, _l("Enter a number."))


def error_text(form) -> str:
    """All of a form's messages in one line, for a row too small to show them beside each field."""
    return " ".join(str(e) for errs in form.errors.values() for e in errs)
