"""The meeting page keeps its agenda (attendance, review, proposals, minutes, outcomes) rendered between
requests (app/meetings/page_parts.py): the next request after any write in the store shows the write,
each session gets its own CSRF token, and a form's answer is rendered afresh."""
import re

import pytest

from app.auth.models import STAFF
from app.meetings.page_parts import CSRF_MARK

from .conftest import TOKEN_RE
from .weekly_meeting import build_weekly_meeting

PAGE_LANGUAGE = "en"


@pytest.fixture
def weekly(manager, make_user, store):
    staff = [make_user(STAFF, store, name=f"Advisor {n}") for n in range(1, 4)]
    return build_weekly_meeting(manager, staff)


def tokens(page):
    """The session's token (base.html's hx-headers) and every form's."""
    return TOKEN_RE.search(page).group(1), set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_the_agenda_is_kept_with_each_sessions_own_token(login, manager, weekly, count_queries):
    url = f"/meetings/{weekly.second.id}"
    first = login(manager)
    page = first.get(url).get_data(as_text=True)
    with count_queries() as n:
        again = first.get(url).get_data(as_text=True)
    kept = n()
    with count_queries() as n:
        first.get(url + f"?item={weekly.second.agenda_item('theme').id}")  # another item in focus: rendered
    assert kept < n()
    token = tokens(again)[0]
    assert again == page.replace(tokens(page)[0], token)  # the same page, with this request's token
    other = login(manager).get(url).get_data(as_text=True)  # a second session of the same manager
    for html in (page, other):
        token, forms = tokens(html)
        assert forms == {token} and CSRF_MARK not in html
    assert tokens(page)[0] != tokens(other)[0]


def test_every_write_in_the_store_shows_in_the_next_request(login, manager, weekly):
    c, m, items = login(manager), weekly.second, weekly.items
    url = f"/meetings/{m.id}"
    assert "10 items, 10 still to settle." in c.get(url).get_data(as_text=True)
    c.post(f"/meetings/{m.id}/review/not-yet-due", htmx=True)  # written by statements, audited
    page = c.get(url).get_data(as_text=True)
    assert "10 items, 4 still to settle." in page and 'data-left="4"' in page
    late = items["series_late"]
    response = login(late.owner).post(f"/actions/{late.id}/progress", htmx=True, data={
        "status": "in_progress", "note": "Parts arrive Friday", "version": str(late.version)})
    assert response.status_code == 200
    assert "Parts arrive Friday" in c.get(url).get_data(as_text=True)
    c.post(f"/meetings/{m.id}/review/{items['series_a'].id}/reopen", htmx=True)
    assert "10 items, 5 still to settle." in c.get(url).get_data(as_text=True)


def test_a_forms_answer_is_rendered_afresh(login, manager, weekly):
    c, m = login(manager), weekly.second
    c.get(f"/meetings/{m.id}")
    response = c.post(f"/meetings/{m.id}/actions", data={"action-title": "", "action-deadline": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'aria-invalid="true"' in page
    token, forms = tokens(page)
    assert forms == {token}
    late = weekly.items["series_late"]
    response = c.post(f"/meetings/{m.id}/review/{late.id}", data={"disposition": "extended"})
    assert f'id="newdl-{late.id}"' in response.get_data(as_text=True)  # the row asks, in the page


def test_the_reader_and_language_shape_the_kept_agenda(login, manager, staff, weekly):
    url = f"/meetings/{weekly.second.id}"
    assert "Everyone present" in login(manager).get(url).get_data(as_text=True)
    assert "Everyone present" not in login(staff).get(url).get_data(as_text=True)
    zh = login(manager)
    zh.client.set_cookie("lang", "zh_CN")
    assert "Everyone present" not in zh.get(url).get_data(as_text=True)


def test_renaming_a_person_of_another_store_shows_in_the_next_request(login, manager, weekly, make_user,
                                                                     make_store):
    """A person shown on this store's page but kept by another store (a visiting colleague in the
    attendance): renaming them renews every store's kept pages, not only their home store's."""
    from app.extensions import db
    from app.meetings.models import Attendance

    visitor = make_user(STAFF, make_store("S2", "Second store"), name="Visitor Chen")
    db.session.add(Attendance(meeting_id=weekly.second.id, user_id=visitor.id, status="invited"))
    db.session.commit()
    c, url = login(manager), f"/meetings/{weekly.second.id}"
    assert "Visitor Chen" in c.get(url).text
    assert "Visitor Chen" in c.get(url).text  # kept now
    visitor.display_name = "Visitor Chen-Li"
    db.session.commit()
    page = c.get(url).text
    assert "Visitor Chen-Li" in page
