"""The KPI grid of issue 14: a month at a time (how a phone enters values), the year's table opening
on the current month, separators and whole counts in the inputs, and months below target marked in
words as well as colour."""
from datetime import date

from app.auth.models import STAFF
from app.extensions import db
from app.kpis.models import KpiValue
from app.kpis.services import ValueIn, kpi_by_code, upsert_values
from app.timeutils import local_today

PAGE_LANGUAGE = "en"
EN = {"Accept-Language": "en"}


def this_month() -> date:
    return local_today().replace(day=1)


def test_the_month_view_lists_each_kpi_with_label_unit_and_target(login, manager, store):
    month = this_month()
    kpi = kpi_by_code("PAID_RO")
    upsert_values(store.id, [ValueIn(kpi.id, None, month, 1248.94)], source="grid")
    db.session.commit()
    page = login(manager).get(f"/kpis/grid?subject=store&month={month:%Y-%m}", headers=EN).get_data(as_text=True)
    assert page.count("<h1") == 1
    assert f'for="cell-{kpi.id}-{month.month}-value">Paid repair orders,' in page  # a visible label
    assert 'value="1,249"' in page and "1248.94" not in page and "1,248.94" not in page
    assert 'name="view" value="month"' in page
    assert "target 80–95" in page  # bay utilisation's band, beside its input
    assert "<table" not in page.split('id="main"', 1)[1]


def test_a_value_saved_from_the_month_view_comes_back_as_its_entry(login, manager, store):
    month, kpi = this_month(), kpi_by_code("PAID_RO")
    c = login(manager)
    reply = c.post("/kpis/value", data={"kpi_id": kpi.id, "subject": "store", "month": f"{month:%Y-%m}",
                                        "value": "1,300", "version": "0", "view": "month"}, htmx=True, headers=EN)
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert html.lstrip().startswith("<div") and f'id="cell-{kpi.id}-{month.month}"' in html
    assert 'value="1,300"' in html and "Saved" in html
    assert db.session.scalar(db.select(KpiValue.value)) == 1300
    plain = c.post("/kpis/value", data={"kpi_id": kpi.id, "subject": "store", "month": f"{month:%Y-%m}",
                                        "value": "1,310", "version": "1", "view": "month"}, headers=EN)
    assert plain.status_code == 302 and f"month={month:%Y-%m}" in plain.headers["Location"]


def test_the_year_table_marks_the_current_month_and_offers_each_month(login, manager, store):
    month = this_month()
    page = login(manager).get("/kpis/grid?subject=store", headers=EN).get_data(as_text=True)
    assert "data-scroll-to-current" in page and 'tabindex="0" role="region"' in page
    assert 'data-current aria-current="date"' in page
    assert f'month={month:%Y-%m}' in page and "this month" in page
    assert "Enter one month" in page


def test_a_month_below_target_says_so_in_words(login, manager, gm, store):
    kpi = kpi_by_code("BAY_UTILISATION")  # band 80–95
    upsert_values(store.id, [ValueIn(kpi.id, None, date(2026, 2, 1), 70), ValueIn(kpi.id, None, date(2026, 3, 1), 88)],
                  source="grid")
    db.session.commit()
    for who in (manager, gm):
        page = login(who).get("/kpis/grid?subject=store&year=2026", headers=EN).get_data(as_text=True)
        feb = page.split(f'id="cell-{kpi.id}-2"', 1)[1].split("</td>", 1)[0]
        mar = page.split(f'id="cell-{kpi.id}-3"', 1)[1].split("</td>", 1)[0]
        assert "below target" in feb and 'aria-hidden="true">▼' in feb
        assert "below target" not in mar


def test_staff_enter_nothing_but_read_their_own_month(login, staff, make_user, store):
    other = make_user(STAFF, store, username="other1", position="service_advisor")
    c = login(staff)
    own = c.get(f"/kpis/grid?month={this_month():%Y-%m}", headers=EN)
    assert own.status_code == 200 and 'hx-post="/kpis/value"' not in own.get_data(as_text=True)
    assert c.get(f"/kpis/grid?subject=store&month={this_month():%Y-%m}").status_code == 403
    assert c.get(f"/kpis/grid?subject={other.id}&month={this_month():%Y-%m}").status_code == 403


def test_a_month_that_is_not_one_falls_back_to_the_year(login, manager):
    page = login(manager).get("/kpis/grid?subject=store&month=2026-13", headers=EN)
    assert page.status_code == 200 and "kpi-grid" in page.get_data(as_text=True)


def test_a_count_is_entered_whole_in_the_grid(login, manager, store):
    kpi, month = kpi_by_code("PAID_RO"), this_month()
    reply = login(manager).post("/kpis/value", htmx=True, headers=EN, data={
        "kpi_id": kpi.id, "subject": "store", "month": f"{month:%Y-%m}", "value": "1248.94", "version": "0"})
    assert reply.status_code == 422
    assert "Paid repair orders is counted in whole numbers." in reply.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(KpiValue)) == 0


def test_the_gm_reads_a_month_without_inputs(login, gm, store):
    kpi = kpi_by_code("PAID_RO")
    upsert_values(store.id, [ValueIn(kpi.id, None, this_month(), 12345)], source="grid")
    db.session.commit()
    page = login(gm).get(f"/kpis/grid?month={this_month():%Y-%m}", headers=EN).get_data(as_text=True)
    assert "12,345" in page and 'hx-post="/kpis/value"' not in page and "Paid repair orders" in page
