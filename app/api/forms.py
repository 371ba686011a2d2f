from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import FlaskForm, not_blank, options


class ApiTokenForm(FlaskForm):
    store_id = SelectField(_l("Store"), coerce=int,
                           description=_l("The token reads and writes this store's KPI values only."))
    name = StringField(_l("Name"), validators=[DataRequired(), not_blank, Length(max=120)],
                       description=_l("Who or what uses it, e.g. “DMS nightly export”."))

    def set_stores(self, stores):
        self.store_id.choices = options((s.id, f"{s.code} · {s.name}") for s in stores)
