"""The store's coaching page: coverage of staff below target, talks per person and month, follow-ups due, paging and statement counts; the dashboard's effect."""
from datetime import timedelta

from app.auth.models import STAFF
from app.coaching import analysis
from app.extensions import db
from app.kpis.models import KpiValue
from app.months import add_months, month_start, previous_month
from app.timeutils import local_today

from .support import _finished, _history, _start, _url, _value

PAGE_LANGUAGE = "en"  # the pages are read in English (the default is Chinese)


def test_coverage_of_staff_below_target(login, store, manager, advisor, make_user):
    fine = make_user(STAFF, store, username="fine", position="service_advisor", name="Fine Li")
    today = local_today()
    month = previous_month(today)
    _value(store, advisor, "CSI", month, 85)
    _value(store, fine, "CSI", month, 95)
    db.session.commit()
    assert [g.person.id for g in analysis.coverage_gaps(store.id, today)] == [advisor.id]
    abandoned = _start(store, manager, advisor, held_on=today - timedelta(days=2))  # left at step 0
    assert len(analysis.coverage_gaps(store.id, today, weeks=8)) == 1  # coached nobody
    db.session.delete(abandoned)
    talk = _start(store, manager, advisor, held_on=today - timedelta(weeks=10))
    talk.steps_done = 3  # the plan is agreed: that counts as coaching
    db.session.commit()
    assert len(analysis.coverage_gaps(store.id, today, weeks=8)) == 1
    assert analysis.coverage_gaps(store.id, today, weeks=12) == []
    c = login(manager)
    assert "Advisor Wang" in c.get("/coaching/?weeks=8").text.split('id="due-h"')[0]
    assert "Advisor Wang" not in c.get("/coaching/?weeks=12").text.split('id="due-h"')[0]
    r = c.get("/coaching/?weeks=abc")
    assert r.status_code == 200 and "Advisor Wang" in r.text


def test_coverage_reads_the_latest_month_with_data(login, store, manager, advisor):
    """Early in a month last month's figures are often not entered yet: coverage uses the month
    before rather than showing nobody below target, and says which month it read."""
    today = local_today()
    c = login(manager)
    page = c.get("/coaching/").text
    assert "No staff KPI values in the last 3 months" in page and "Everyone below target" not in page
    earlier = add_months(previous_month(today), -1)
    _value(store, advisor, "CSI", earlier, 85)
    db.session.commit()
    assert analysis.coverage_month(store.id, today) == earlier
    assert [g.person.id for g in analysis.coverage_gaps(store.id, today)] == [advisor.id]
    page = c.get("/coaching/").text
    assert f"KPI values of {earlier:%b %Y}, the latest month with data." in page
    assert "Advisor Wang" in page.split('id="due-h"')[0]
    too_old = add_months(previous_month(today), -analysis.COVERAGE_LOOKBACK_MONTHS)
    db.session.query(KpiValue).update({KpiValue.month: too_old})
    db.session.commit()
    assert analysis.coverage_month(store.id, today) is None and analysis.coverage_gaps(store.id, today) == []


def test_store_list_by_person_and_month_and_follow_ups_due(login, store, manager, advisor, make_user):
    today = local_today()
    due = _start(store, manager, advisor, held_on=today - timedelta(days=40))
    due.steps_done, due.follow_up_on = 5, today
    db.session.commit()
    this_month = _start(store, manager, advisor)
    other = make_user(STAFF, store, username="other", position="service_advisor", name="Other Zhao")
    others = _start(store, manager, other)
    c = login(manager)
    page = c.get("/coaching/").text
    due_section = page.split('id="due-h"')[1].split('id="unfinished-h"')[0]
    assert _url(due) in due_section and _url(this_month) not in due_section
    grid = page.split('id="grid-h"')[1].split('id="all-h"')[0]
    assert f"person={advisor.id}&amp;month={today.strftime('%Y-%m')}" in grid
    filtered = c.get(f"/coaching/?person={advisor.id}&month={today.strftime('%Y-%m')}").text.split('id="all-h"')[1]
    assert "Show all talks" in filtered and _url(this_month) in filtered
    assert _url(others) not in filtered  # another person
    assert _url(due) not in filtered  # 40 days ago: another month


def test_list_pages_and_queries_do_not_grow(login, store, manager, advisor, count_queries, make_user):
    def add_people(n, offset):
        for i in range(offset, offset + n):
            person = make_user(STAFF, store, username=f"p{i}", position="service_advisor")
            _value(store, person, "CSI", previous_month(local_today()), 70)
            for days in (200 + i, 3):  # one finished with its follow-up due, one unfinished
                s = _start(store, manager, person, held_on=local_today() - timedelta(days=days))
                if days > 3:
                    s.steps_done, s.follow_up_on = 5, local_today() - timedelta(days=1)
                    # each in a month of its own: targets are read per month, and must not cost a query each
                    s.gap_from = s.gap_to = add_months(previous_month(local_today()), -i)
        db.session.commit()

    add_people(1, 0)
    c = login(manager)
    with count_queries() as few:
        c.get("/coaching/")
    with count_queries() as dash_few:
        c.get("/dashboard/")
    add_people(8, 1)
    with count_queries() as many:
        r = c.get("/coaching/")
    assert r.status_code == 200 and "Page 1 of 4" in r.text
    assert many() == few()  # a fixed number of queries, not one per row
    with count_queries() as dash_many:
        assert c.get("/dashboard/").status_code == 200
    assert dash_many() == dash_few()


def test_pages_render_with_one_h1(login, store, manager, advisor, gm):
    _value(store, advisor, "CSI", previous_month(local_today()), 85)
    db.session.commit()
    s = _start(store, manager, advisor)
    for user in (manager, gm, advisor):
        c = login(user)
        for url in (f"/coaching/people/{advisor.id}", _url(s)):
            r = c.get(url)
            assert r.status_code == 200 and r.text.count("<h1") == 1, (user.username, url)
    assert login(manager).get("/coaching/").text.count("<h1") == 1
    assert "Coaching effect" in login(gm).get("/dashboard/").text


def test_gm_dashboard_shows_the_effect_for_the_group(login, store, manager, advisor, gm, make_store, make_user):
    peer = make_user(STAFF, store, username="peer", position="service_advisor")
    today = local_today()
    held = add_months(month_start(today), -3) + timedelta(days=4)
    _history(store, advisor, peer, 80, [84, 86], held)
    _finished(store, manager, advisor, held, held + timedelta(days=60))
    other = make_store("S2")
    other_manager = make_user("manager", other, username="m2")
    other_advisor = make_user(STAFF, other, username="adv2", position="service_advisor")
    other_peer = make_user(STAFF, other, username="peer2", position="service_advisor")
    _history(other, other_advisor, other_peer, 80, [78, 79], held)
    _finished(other, other_manager, other_advisor, held, held + timedelta(days=60))
    gm.extra_stores.append(other)
    db.session.commit()
    page = login(gm).get("/dashboard/").text
    assert "1 of 1 coaching talks followed up" in page  # the store in view
    assert "Coaching effect in all your stores: 1 of 2 talks followed up" in page


def test_the_kept_figures_follow_every_change(login, store, manager, advisor):
    """The page keeps its figures under the store's stamp (coaching/overview.py): a change to a talk, a
    value or the staff shows on the next request."""
    today = local_today()
    talk = _start(store, manager, advisor, held_on=today - timedelta(days=40))
    c = login(manager)

    def section(html, start, end):
        return html.split(f'id="{start}"')[1].split(f'id="{end}"')[0]

    page = c.get("/coaching/").text  # computed and kept
    assert _url(talk) not in section(page, "due-h", "unfinished-h") and _url(talk) in section(page, "unfinished-h", "grid-h")
    talk.steps_done, talk.follow_up_on = 5, today
    db.session.commit()
    page = c.get("/coaching/").text
    assert _url(talk) in section(page, "due-h", "unfinished-h") and _url(talk) not in section(page, "unfinished-h", "grid-h")
    _value(store, advisor, "CSI", previous_month(today), 50)  # below target, and not coached since (the talk is 40 days old)
    db.session.commit()
    page = c.get("/coaching/?weeks=4").text
    assert f"/coaching/people/{advisor.id}?kpi=" in section(page, "coverage-h", "due-h")
    advisor.active = False
    db.session.commit()
    page = c.get("/coaching/?weeks=4").text
    assert f"/coaching/people/{advisor.id}?kpi=" not in section(page, "coverage-h", "due-h")


def test_follow_ups_due_list_the_latest_first_and_count_all(login, store, manager, advisor, monkeypatch):
    """A follow-up forgotten for years does not push this month's off the short list."""
    from app.coaching import services

    monkeypatch.setattr(services, "LIST_CAP", 2)
    today = local_today()
    talks = []
    for days_late in (1000, 30, 3):
        s = _start(store, manager, advisor, held_on=today - timedelta(days=days_late + 60))
        s.steps_done, s.follow_up_on = 5, today - timedelta(days=days_late)
        talks.append(s)
    db.session.commit()
    due, total = services.follow_ups_due(store.id, today)
    assert [s.id for s in due] == [talks[2].id, talks[1].id] and total == 3
    section = login(manager).get("/coaching/").text.split('id="due-h"')[1].split('id="unfinished-h"')[0]
    assert _url(talks[2]) in section and _url(talks[0]) not in section
    assert "The latest 2 of 3; all talks are listed below." in section
