"""KPI forms: the catalogue entry (admins), a grid cell, the spreadsheet upload."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import Label
from wtforms.validators import InputRequired, Length, Optional, Regexp

from ..auth.models import POSITIONS
from ..forms import FlaskForm, LocalFloatField, MultiCheckboxField, options
from .models import AGGREGATIONS, BAND, DIRECTIONS, SCOPES, UNITS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _upper(value):
    return value.upper() if isinstance(value, str) else value




class KpiForm(FlaskForm):
    code = StringField(_l("Code"), filters=[_strip, _upper], validators=[
        InputRequired(), Length(max=40),
        Regexp(r"^[A-Z0-9_]+$", message=_l("Use only capital letters, digits and _ (for example CSI_SALES)."))],
        description=_l("Used in spreadsheets and the API. It cannot change once other data uses it."))
    name_zh = StringField(_l("Name (Chinese)"), filters=[_strip], validators=[InputRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), filters=[_strip], validators=[InputRequired(), Length(max=120)])
    unit = SelectField(_l("Unit"), choices=options(UNITS))
    direction = SelectField(_l("Direction"), choices=options(DIRECTIONS))
    band_low = LocalFloatField(_l("Band: lowest good value"), validators=[Optional()], bounds="band")
    band_high = LocalFloatField(_l("Band: highest good value"), validators=[Optional()], bounds="band")
    aggregation = SelectField(_l("Months combine by"), choices=options(AGGREGATIONS))
    scope = SelectField(_l("Measured for"), choices=options(SCOPES))
    positions = MultiCheckboxField(_l("Positions it applies to (none ticked: every position)"),
                                   choices=options(POSITIONS))
    definition_zh = TextAreaField(_l("Definition (Chinese)"), filters=[_strip], validators=[Length(max=4000)])
    definition_en = TextAreaField(_l("Definition (English)"), filters=[_strip], validators=[Length(max=4000)])
    default_target = LocalFloatField(_l("Default target"), validators=[Optional()],
                                     description=_l("The level expected when no goal says otherwise."))
    active = BooleanField(_l("Active"), default=True)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not in validate_band_high: Optional() would stop that before it runs on an empty field.
        if self.direction.data == BAND and not self.band_low.errors and not self.band_high.errors:
            low, high = self.band_low.data, self.band_high.data
            if low is None or high is None:
                self.band_high.errors.append(_l("A band needs both its lowest and its highest good value."))
                return False
            if low >= high:
                self.band_high.errors.append(_l("The highest good value must be above the lowest."))
                return False
        return valid


class ValueForm(FlaskForm):
    """What a grid cell posts: which KPI, whose, which month, the value (empty deletes it) and the
    version of the value the cell showed (0 for none)."""

    kpi_id = HiddenField(validators=[InputRequired()])
    subject = HiddenField(validators=[InputRequired()])
    month = HiddenField(validators=[InputRequired()])
    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])
    value = StringField(_l("Value"), filters=[_strip], validators=[Length(max=40)])


class CellForm(Form):
    """One grid cell's input, drawn by the `field` macro. No token of its own: the cell's form
    carries the page's CSRF token in a hidden input (and htmx sends it as a header)."""

    value = StringField(render_kw={"inputmode": "decimal", "autocomplete": "off", "size": 7})


def cell_form(field_id: str, label: str, text: str, error: str | None = None) -> CellForm:
    form = CellForm(formdata=None, data={"value": text})
    form.value.id = field_id
    form.value.label = Label(field_id, label)
    if error:
        form.value.errors = [error]
    return form


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (CSV or Excel .xlsx, at most 2 MB)"), validators=[
        FileRequired(_l("Choose a file to import."))],
        description=_l("Columns: kpi, subject, month, value (or 指标, 对象, 月份, 数值). Subject is "
                       "“store” or a person's username; month looks like 2026-03."))
