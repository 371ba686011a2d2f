"""The KPI grid draws its cells' inputs without a WTForms form each (issue 14: a year's grid has about a
hundred cells): the inputs must read exactly as the `field` macro draws the cell form, in both languages,
for counted and decimal KPIs, empty and filled, in the year's table and the month view."""
import re
from datetime import date

import pytest
from flask import render_template_string

from app.kpis.models import Kpi
from app.kpis.routes import _cell_form, _cell_inputs
from app.kpis.services import kpi_by_code

MACRO = '{% from "_macros.html" import field %}{{ field(form.value, show_label=show_label) }}'


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("show_label", [False, True])
def test_the_cell_inputs_read_as_the_macro_draws_them(app, store, language, show_label):
    kpis = [kpi_by_code("PAID_RO"), kpi_by_code("BAY_UTILISATION")]  # counted, decimal
    months = [date(2026, 1, 1), date(2026, 2, 1)]
    values = {kpis[0].id: {months[0]: 1248.94}, kpis[1].id: {months[1]: 87.5}}
    with app.test_request_context("/", headers={"Accept-Language": language}):
        drawn = _cell_inputs(kpis, months, values, show_label)
        for kpi in kpis:
            for month in months:
                form = _cell_form(kpi, month, values.get(kpi.id, {}).get(month))
                expected = render_template_string(MACRO, form=form, show_label=show_label)
                assert squeezed(drawn[(kpi.id, month)]) == squeezed(expected)


def test_a_name_with_markup_is_escaped_in_the_label(app, store):
    unit = kpi_by_code("PAID_RO").unit
    kpi = Kpi(id=9999, code="MARKUP", name_en='<b>"Paid" & more</b>', name_zh='<b>"Paid" & more</b>', unit=unit)  # never saved
    month = date(2026, 3, 1)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        drawn = _cell_inputs([kpi], [month], {}, False)[(kpi.id, month)]
        expected = render_template_string(MACRO, form=_cell_form(kpi, month), show_label=False)
    assert "<b>" not in drawn and squeezed(drawn) == squeezed(expected)
