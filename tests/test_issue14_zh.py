"""The new texts of issue 14's grid, goal and coaching work, read in Chinese (the default language)."""
from datetime import date, timedelta

from app.auth.models import STAFF
from app.coaching import services as coaching
from app.extensions import db
from app.kpis.services import ValueIn, kpi_by_code, upsert_values
from app.timeutils import local_today


def test_a_late_follow_up_in_chinese(login, store, manager, make_user):
    advisor = make_user(STAFF, store, username="adv", position="service_advisor", name="王顾问")
    today = local_today()
    talk = coaching.start_session(store_id=store.id, person=advisor, manager_id=manager.id,
                                  kpi_ids=[kpi_by_code("CSI").id], held_on=today - timedelta(days=120))
    talk.steps_done, talk.follow_up_on = 5, today - timedelta(days=49)
    db.session.commit()
    page = login(manager).get("/coaching/").get_data(as_text=True)
    assert "晚了 49 天" in page


def test_the_grid_in_chinese(login, store, manager):
    kpi = kpi_by_code("BAY_UTILISATION")
    upsert_values(store.id, [ValueIn(kpi.id, None, date(2026, 2, 1), 70)], source="grid")
    db.session.commit()
    c = login(manager)
    page = c.get("/kpis/grid?subject=store&year=2026").get_data(as_text=True)
    assert "按月录入" in page and "未达目标" in page
    month = c.get(f"/kpis/grid?subject=store&month={local_today():%Y-%m}").get_data(as_text=True)
    assert "目标值 80–95" in month
