"""No dead ends: as each role, walk every page reachable by links from the start page (GET only,
same site, breadth-first, capped) and find no link that answers 403 or 500."""
import html
import re
from collections import deque
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest

from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.extensions import db

from .world import build_group, build_world

PAGE_LANGUAGE = "en"
CAP = 200  # pages per role
PER_SHAPE = 3  # pages of one shape (same path but for ids, same query names): years, pages, items
HREF = re.compile(r'href="([^"]*)"')
SKIP = ("/static/", "/logout")


def links(page: str) -> list[str]:
    found = []
    for raw in HREF.findall(page):
        url, _ = urldefrag(html.unescape(raw))
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith(SKIP):
            continue
        found.append(url)
    return found


def shape(url: str) -> tuple:
    parts = urlsplit(url)
    return re.sub(r"\d+", "#", parts.path), tuple(sorted({k for k, _ in parse_qsl(parts.query)}))


def walk(client, start="/") -> tuple[dict, dict]:
    """url -> status of every page reached, and url -> the page that linked to it."""
    seen, came_from, queue, shapes = {}, {start: None}, deque([start]), {}
    while queue and len(seen) < CAP:
        url = queue.popleft()
        answer = client.get(url)
        hops = 0
        while answer.status_code in (301, 302, 303) and hops < 5:
            answer = client.get(urlsplit(answer.headers["Location"])._replace(scheme="", netloc="").geturl())
            hops += 1
        seen[url] = answer.status_code
        if answer.status_code != 200 or not answer.content_type.startswith("text/html"):
            continue
        for link in links(answer.get_data(as_text=True)):
            if link not in came_from and shapes.get(shape(link), 0) < PER_SHAPE:
                shapes[shape(link)] = shapes.get(shape(link), 0) + 1
                came_from[link] = url
                queue.append(link)
    return seen, came_from


@pytest.mark.parametrize("role", [ADMIN, GM, MANAGER, STAFF])
def test_no_link_answers_403_or_500(role, make_user, make_store, store, login):
    world = build_world(make_user, make_store, store)
    group = build_group(make_user, make_store)  # more stores: goals off track, KPIs below target, overdue items
    world["users"][GM].extra_stores.extend(group["stores"].values())
    db.session.commit()
    client = login(world["users"][role])
    seen, came_from = walk(client)
    assert len(seen) > 10
    dead = {url: (status, came_from[url]) for url, status in seen.items() if status in (403, 500)}
    assert not dead, f"{role}: links that answer 403/500 (url: (status, linked from)): {dead}"


def test_staff_read_their_store_goals_and_their_own_not_colleagues(make_user, make_store, store, login):
    from app.goals import services as goals
    from app.goals.permissions import can_view_goal
    from app.kpis.services import kpi_by_code

    world = build_world(make_user, make_store, store)
    staff, manager = world["users"][STAFF], world["users"][MANAGER]
    colleague = make_user(STAFF, store, username="w_colleague")
    csi = kpi_by_code("CSI")
    mine = goals.create_goal(store_id=store.id, kpi=csi, person_id=staff.id, period_kind="quarter",
                             period_day=world["today"], target=92, baseline=None, owner_id=manager.id,
                             created_by_id=manager.id)
    theirs = goals.create_goal(store_id=store.id, kpi=csi, person_id=colleague.id, period_kind="quarter",
                               period_day=world["today"], target=92, baseline=None, owner_id=manager.id,
                               created_by_id=manager.id)
    db.session.commit()
    store_goal = world["goal"]  # no personal goal of the staff member rolls up to it
    assert can_view_goal(staff, store_goal) and can_view_goal(staff, mine) and not can_view_goal(staff, theirs)
    c = login(staff)
    assert c.get(f"/goals/{store_goal.id}").status_code == 200  # e.g. from the meeting's "goals discussed"
    assert c.get(f"/goals/{mine.id}").status_code == 200
    refused = c.get(f"/goals/{theirs.id}")
    assert refused.status_code == 403
    assert "ask your service manager" in refused.get_data(as_text=True)
    listed = c.get("/goals/").get_data(as_text=True)
    assert f"/goals/{store_goal.id}\"" in listed and f"/goals/{mine.id}\"" in listed
    assert f"/goals/{theirs.id}\"" not in listed
    # The other store's goals stay closed to staff.
    other_manager = make_user(MANAGER, world["other_store"])
    other_goal = goals.create_goal(store_id=world["other_store"].id, kpi=world["kpi"], person_id=None,
                                   period_kind="quarter", period_day=world["today"], target=90, baseline=None,
                                   owner_id=other_manager.id, created_by_id=other_manager.id)
    db.session.commit()
    assert c.get(f"/goals/{other_goal.id}").status_code == 403


def test_dashboard_offers_a_new_goal_only_to_the_manager(make_user, make_store, login):
    group = build_group(make_user, make_store)
    east = group["stores"]["E1"]
    gm = login(group["gm"])
    page = gm.get(f"/dashboard/store/{east.id}/dashboard", headers={"Sec-Fetch-Site": "same-origin"},
                  follow_redirects=True).get_data(as_text=True)
    assert "KPIs below target with no goal" in page and "/goals/new" not in page
    manager = login(group["managers"]["E1"]).get("/dashboard/").get_data(as_text=True)
    assert "/goals/new?kpi=ON_TIME_DELIVERY" in manager
