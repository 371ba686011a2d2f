"""Coaching, issue 14: "start a talk" on each row of the coverage table with that KPI pre-ticked, the
below-target KPI pre-ticked when starting from a person, the gap shown before the remarks are asked
for, and a late follow-up saying how many days late."""
import re
from datetime import timedelta

from app.auth.models import GM
from app.coaching.models import CoachingSession
from app.extensions import db
from app.kpis.services import kpi_by_code
from app.months import add_months, previous_month
from app.timeutils import local_today

from .support import _start, _url, _value, _walk_to

PAGE_LANGUAGE = "en"


def ticked(page: str) -> set[int]:
    return {int(v) for v in re.findall(r'<input checked[^>]*name="kpi_ids"[^>]*value="(\d+)"', page)} | {
        int(v) for v in re.findall(r'<input[^>]*name="kpi_ids"[^>]*value="(\d+)"[^>]*checked', page)}


def test_each_coverage_row_starts_a_talk_about_its_kpi(login, store, manager, advisor, make_user):
    _value(store, advisor, "CSI", previous_month(local_today()), 85)
    db.session.commit()
    csi = kpi_by_code("CSI")
    page = login(manager).get("/coaching/").text
    coverage = page.split('id="due-h"')[0]
    link = f"/coaching/people/{advisor.id}?kpi={csi.id}#start-h"
    assert link in coverage and "Start a talk" in coverage
    person = login(manager).get(f"/coaching/people/{advisor.id}?kpi={csi.id}").text
    assert ticked(person) == {csi.id}
    gm = make_user(GM, store, username="gm9")
    assert "Start a talk" not in login(gm).get("/coaching/").text.split('id="due-h"')[0]  # a GM does not coach


def test_a_person_page_pre_ticks_the_kpis_below_target(login, store, manager, advisor):
    month = previous_month(local_today())
    _value(store, advisor, "CSI", month, 85)  # CSI's default target is 90: below
    db.session.commit()
    page = login(manager).get(f"/coaching/people/{advisor.id}").text
    assert ticked(page) == {kpi_by_code("CSI").id}


def test_a_kpi_on_target_is_not_pre_ticked(login, store, manager, advisor):
    _value(store, advisor, "CSI", previous_month(local_today()), 95)
    db.session.commit()
    assert ticked(login(manager).get(f"/coaching/people/{advisor.id}").text) == set()


def test_step_two_shows_the_gap_before_asking_for_remarks(login, store, manager, advisor):
    last = previous_month(local_today())
    for back in range(6):
        _value(store, advisor, "CSI", add_months(last, -back), 84 if back < 3 else 70)
    db.session.commit()
    s = _start(store, manager, advisor)
    c = login(manager)
    _walk_to(c, s, 2)
    page = c.get(_url(s)).text
    step2 = page.split('id="step-2"')[1].split('id="step-3"')[0]
    assert step2.index('id="gap-preview"') < step2.index("Your remarks on the gap")
    assert "6 short" in step2  # 84 against 90, over the default three months
    six = c.get(_url(s) + "?months=6").text.split('id="step-2"')[1].split('id="step-3"')[0]
    assert "13 short" in six and 'name="months" value="6"' in six  # (3×84 + 3×70) / 6 = 77
    assert c.post(_url(s, "/steps/2"), data={"months": "6", "gap_remarks": "fine"}, htmx=True).status_code == 200
    db.session.expire_all()
    saved = db.session.get(CoachingSession, s.id)
    assert saved.gap_from == add_months(last, -5) and saved.steps_done == 2


def test_a_late_follow_up_says_how_many_days_late(login, store, manager, advisor):
    today = local_today()
    s = _start(store, manager, advisor, held_on=today - timedelta(days=120))
    s.steps_done, s.follow_up_on = 5, today - timedelta(days=49)
    due_today = _start(store, manager, advisor, held_on=today - timedelta(days=90))
    due_today.steps_done, due_today.follow_up_on = 5, today
    db.session.commit()
    due = login(manager).get("/coaching/").text.split('id="due-h"')[1].split('id="unfinished-h"')[0]
    assert "49 days late" in due and "due today" in due
    assert ">due<" not in due
