"""The group overview: ranking, figures, links into each store, roles, start page, query counts."""
import re

import pytest

from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.dashboard.group import due_days, overview
from app.extensions import db

from .world import build_group

PAGE_LANGUAGE = "en"


@pytest.fixture
def group(make_user, make_store):
    return build_group(make_user, make_store)


def store_order(html: str) -> list[str]:
    return re.findall(r'<tr class="group-row[^"]*" id="store-(\d+)"', html)


def test_the_worst_store_comes_first(group, login):
    page = login(group["gm"]).get("/dashboard/group")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    ids = {s.id: code for code, s in group["stores"].items()}
    assert [ids[int(i)] for i in store_order(html)] == ["E1", "S9", "N1"]


def test_figures_of_each_store(group):

    rows = {r.store.code: r for r in overview(list(group["stores"].values()), group["today"])}
    east, south, north = rows["E1"], rows["S9"], rows["N1"]
    assert (east.goals_off_track, east.goals_total, east.off_track_goal_id) == (1, 1, group["goals"]["E1"].id)
    assert (north.goals_off_track, north.goals_total) == (0, 1)
    assert east.kpis_below == 2 and east.kpis_with_values == 2 and south.kpis_below == 1 and north.kpis_below == 0
    assert (east.overdue, east.extended, south.overdue, north.overdue) == (7, 1, 1, 0)
    assert (north.meetings_on_time, south.meetings_on_time, east.meetings_on_time) == (4, 3, 0)
    assert north.review is not None and north.review.verdict == "capable" and east.review is None
    assert east.states == {"goals": "off_track", "kpis": "at_risk", "actions": "off_track", "meetings": "off_track",
                           "coaching": "no_data", "review": "no_data"}
    assert north.states["goals"] == "on_track" and north.states["review"] == "on_track"
    assert south.states["meetings"] == "at_risk" and south.states["actions"] == "at_risk"


def test_due_days_are_the_last_four_meeting_days_before_today():
    from datetime import date

    wednesday = date(2026, 12, 2)
    assert due_days(0, wednesday) == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert due_days(2, wednesday)[-1] == date(2026, 11, 25)  # today's meeting may still be ahead
    assert due_days(3, wednesday)[-1] == date(2026, 11, 26)


CLICKED = {"Sec-Fetch-Site": "same-origin"}  # as a browser sends it for a click on one of our pages


def test_each_cell_opens_the_store_it_belongs_to(group, login):
    gm = login(group["gm"])
    html = gm.get("/dashboard/group").get_data(as_text=True)
    east = group["stores"]["E1"]
    links = sorted(set(re.findall(rf'href="(/dashboard/store/{east.id}/[a-z]+)"', html)))
    assert {link.rsplit("/", 1)[1] for link in links} == {"dashboard", "goals", "kpis", "overdue", "extended",
                                                          "meetings", "coaching"}
    for link in links:
        answer = gm.get(link, headers=CLICKED, follow_redirects=True)
        assert answer.status_code == 200, link
        assert 'value="%d" selected' % east.id in answer.get_data(as_text=True), link  # the header's switch
    goals = gm.get(f"/dashboard/store/{east.id}/goals", headers=CLICKED, follow_redirects=True).get_data(as_text=True)
    assert "Resolution E1" in goals and "Off track" in goals
    board = gm.get(f"/dashboard/store/{east.id}/extended", headers=CLICKED,
                   follow_redirects=True).get_data(as_text=True)
    assert board.count('class="is-overdue"') == 1  # only the item extended twice


def test_a_store_link_from_another_site_asks_before_switching(group, login):
    """Followed from another site (or loaded by an image there), the link changes nothing: it asks,
    and only the form, with its CSRF token, switches the store."""
    gm, east, north = login(group["gm"]), group["stores"]["E1"], group["stores"]["N1"]
    url = f"/dashboard/store/{east.id}/goals"
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Referer": "https://elsewhere.example/page"}, {}):
        asked = gm.get(url, headers=headers)
        assert asked.status_code == 200 and "Open East store" in asked.text, headers
        assert 'value="%d" selected' % north.id in gm.get("/goals/").text  # still the home store
    assert gm.post(url, csrf=False).status_code == 400
    switched = gm.post(url, follow_redirects=True)
    assert 'value="%d" selected' % east.id in switched.text and "Resolution E1" in switched.text
    # Typed into the address bar, a bookmark, or a link on our own pages (the Referer, for a browser
    # that sends no Sec-Fetch-Site): straight there.
    for headers in ({"Sec-Fetch-Site": "none"}, {"Referer": "http://localhost/dashboard/group"}):
        assert gm.get(f"/dashboard/store/{north.id}/goals", headers=headers).status_code == 302, headers


def test_store_links_refuse_a_store_not_seen_and_an_unknown_view(group, login, make_store):
    other = make_store("X1", "Elsewhere")
    gm = login(group["gm"])
    assert gm.get(f"/dashboard/store/{other.id}/goals").status_code == 403
    assert gm.get(f"/dashboard/store/{group['stores']['E1'].id}/anything").status_code == 404


@pytest.mark.parametrize("role, status", [(GM, 200), (ADMIN, 200), (MANAGER, 403), (STAFF, 403)])
def test_who_sees_the_group_overview(group, login, make_user, role, status):
    user = group["gm"] if role == GM else make_user(role, group["stores"]["N1"])
    c = login(user)
    assert c.get("/dashboard/group").status_code == status
    nav = c.get("/actions/mine").get_data(as_text=True)
    assert ('href="/dashboard/group"' in nav) == (status == 200)


def test_start_page_of_a_gm_over_several_stores_is_the_group_overview(group, login, make_user):
    assert login(group["gm"]).get("/").headers["Location"].endswith("/dashboard/group")
    single = make_user(GM, group["stores"]["S9"])
    assert login(single).get("/").headers["Location"].endswith("/dashboard/")
    admin = make_user(ADMIN, group["stores"]["N1"])
    assert login(admin).get("/").headers["Location"].endswith("/dashboard/")


def test_statements_do_not_grow_with_the_stores(make_user, make_store, login, count_queries):
    group = build_group(make_user, make_store)
    gm = login(group["gm"])
    gm.get("/dashboard/group")
    with count_queries() as three:
        assert gm.get("/dashboard/group").status_code == 200
    # Three more stores with the same kinds of data: the same number of statements.
    from app.auth.models import Store
    from app.kpis.models import KpiValue
    from app.kpis.services import kpi_by_code
    from app.months import previous_month

    kpi = kpi_by_code("RESOLUTION_RATE")
    for code in ("W1", "W2", "W3"):
        store = make_store(code, f"Store {code}")
        make_user(MANAGER, store)
        make_user(STAFF, store)
        db.session.add(KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=None, subject_key=0,
                                month=previous_month(group["today"]), value=70, source="demo"))
        group["gm"].extra_stores.append(db.session.get(Store, store.id))
    db.session.commit()
    gm.get("/dashboard/group")
    with count_queries() as six:
        html = gm.get("/dashboard/group").get_data(as_text=True)
    assert len(store_order(html)) == 6
    assert six() == three()


def test_group_overview_in_chinese(group, app):
    from .conftest import Browserish

    c = Browserish(app.test_client())
    c.login(group["gm"].username)
    c.client.set_cookie("lang", "zh_CN")
    html = c.get("/dashboard/group").get_data(as_text=True)
    assert "集团概览" in html and "落后" in html
