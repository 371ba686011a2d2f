"""Who sees which talks, when people move store, and refused posts that change nothing."""
from datetime import timedelta

from app.extensions import db
from app.months import previous_month
from app.timeutils import local_today

from .support import _due, _reload, _start, _url

PAGE_LANGUAGE = "en"  # the pages are read in English (the default is Chinese)


def test_a_talk_stays_with_its_store_when_the_person_moves(login, store, manager, advisor, make_store, make_user):
    s = _start(store, manager, advisor, held_on=local_today() - timedelta(days=40))
    s.steps_done, s.follow_up_on = 5, local_today()
    s.gap_from = s.gap_to = previous_month(local_today())
    new_store = make_store("S2")
    new_manager = make_user("manager", new_store, username="m2")
    advisor.store_id = new_store.id
    db.session.commit()
    c = login(manager)
    assert c.get(_url(s)).status_code == 200  # the old manager concludes the follow-up
    assert c.post(_url(s, "/follow-up"), data={"conclusion": "done", "version": _reload(s).version},
                  htmx=True).status_code == 200
    n = login(new_manager)
    assert n.get(_url(s)).status_code == 403
    person_page = n.get(f"/coaching/people/{advisor.id}").text
    assert _url(s) not in person_page  # the new store sees the person, not the old store's talks
    assert login(advisor).get(_url(s)).status_code == 200  # the person always sees their own talk


def test_a_manager_sees_staff_pages_not_the_gms(login, store, manager, gm, make_user):
    colleague = make_user("manager", store, username="m2")
    c = login(manager)
    assert c.get(f"/coaching/people/{gm.id}").status_code == 403
    assert c.get(f"/coaching/people/{colleague.id}").status_code == 403
    assert c.get(f"/coaching/people/{manager.id}").status_code == 200
    assert login(gm).get(f"/coaching/people/{manager.id}").status_code == 200


def test_forbidden_htmx_posts_change_nothing(login, store, manager, advisor, gm):
    s = _start(store, manager, advisor)
    for user in (advisor, gm):
        c = login(user)
        assert c.post(_url(s, "/steps/1"), data={"purpose": "x"}, htmx=True).status_code == 403
        assert c.post(_url(s, "/measures"), data={"what": "x", "due": _due()}, htmx=True).status_code == 403
    assert _reload(s).steps_done == 0 and not _reload(s).measures


def test_a_follow_up_without_its_version_does_not_overwrite(login, store, manager, advisor):
    s = _start(store, manager, advisor, held_on=local_today() - timedelta(days=40))
    s.steps_done, s.follow_up_on = 5, local_today()
    s.gap_from = s.gap_to = previous_month(local_today())
    db.session.commit()
    c = login(manager)
    assert c.post(_url(s, "/follow-up"), data={"conclusion": "first", "version": _reload(s).version},
                  htmx=True).status_code == 200
    r = c.post(_url(s, "/follow-up"), data={"conclusion": "blind overwrite"}, htmx=True)
    assert r.status_code == 409 and _reload(s).follow_up_conclusion == "first"
    assert "blind overwrite" in r.text  # what they typed is kept in the form, now on the current version
    assert f'name="version" type="hidden" value="{_reload(s).version}"' in r.text
