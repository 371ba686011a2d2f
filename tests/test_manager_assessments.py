"""The general manager's assessment of a service manager against the 14 duties."""
from datetime import timedelta

import pytest
from babel.dates import format_date, format_skeleton

from app.auth.models import ADMIN, GM, MANAGER
from app.extensions import db
from app.reviews import services
from app.reviews.models import (
    BASIC,
    CAPABLE,
    DUTY_KEYS,
    FULL,
    NOT_YET,
    REMARK_MAX,
    ManagerReview,
)
from app.timeutils import local_today

PAGE_LANGUAGE = "en"  # the pages are read in English (the default is Chinese)


@pytest.mark.parametrize("met, expected", [
    (0, NOT_YET), (4, NOT_YET), (5, BASIC), (7, BASIC), (8, CAPABLE), (9, CAPABLE), (10, FULL), (14, FULL),
])
def test_verdict_thresholds(met, expected):
    assert services.verdict(met) == expected


def test_there_are_fourteen_duties():
    assert len(DUTY_KEYS) == 14 == len(set(DUTY_KEYS))


def _form(met_count=0, day=None, **extra):
    data = {"reviewed_on": (day or local_today()).isoformat()}
    for key in DUTY_KEYS[:met_count]:
        data[f"met_{key}"] = "y"
    data.update(extra)
    return data


def _review(manager, reviewer, met_count, days_ago=0):
    review = services.create_review(manager=manager, reviewer_id=reviewer.id,
                                    reviewed_on=local_today() - timedelta(days=days_ago),
                                    met={k: True for k in DUTY_KEYS[:met_count]}, remarks={})
    db.session.commit()
    return review


def test_gm_creates_an_assessment_with_its_verdict(login, gm, manager):
    c = login(gm)
    page = c.get(f"/reviews/new?manager={manager.id}").get_data(as_text=True)
    assert page.count("<h1") == 1
    for key in DUTY_KEYS:  # every checkbox and remark has its label
        assert f'for="met_{key}"' in page and f'for="remark_{key}"' in page
    r = c.post(f"/reviews/new?manager={manager.id}",
               data=_form(8, **{f"remark_{DUTY_KEYS[0]}": "Targets set for the year"}))
    assert r.status_code == 302
    review = db.session.scalar(db.select(ManagerReview))
    assert (review.manager_id, review.reviewer_id, review.store_id) == (manager.id, gm.id, manager.store_id)
    assert review.met_count == 8 and review.verdict == CAPABLE
    assert review.duties[0].remark == "Targets set for the year"
    detail = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Capable" in detail and "8 / 14" in detail and "Targets set for the year" in detail
    assert gm.display_name in detail


def test_index_lists_managers_with_latest_verdict(login, gm, manager):
    _review(manager, gm, 4, days_ago=30)
    latest = _review(manager, gm, 10, days_ago=1)
    page = login(gm).get("/reviews/").get_data(as_text=True)
    assert manager.display_name in page and "Fully responsible" in page
    assert f'href="/reviews/{latest.id}"' in page
    # the date in the reader's locale, as tables write it (without the year when it is this year's)
    shown = format_skeleton("MMMd", latest.reviewed_on, locale="en") if latest.reviewed_on.year == local_today().year \
        else format_date(latest.reviewed_on, "medium", locale="en")
    assert f">{shown}<" in page
    assert f"/reviews/new?manager={manager.id}" in page and f"/reviews/manager/{manager.id}" in page


def test_admin_reads_but_does_not_assess(login, make_user, store, gm, manager):
    admin = make_user(ADMIN, store)
    review = _review(manager, gm, 5)
    c = login(admin)
    page = c.get("/reviews/").get_data(as_text=True)
    assert manager.display_name in page and "/reviews/new" not in page
    assert c.get(f"/reviews/{review.id}").status_code == 200
    assert c.get(f"/reviews/manager/{manager.id}").status_code == 200
    assert c.get(f"/reviews/new?manager={manager.id}").status_code == 403
    assert c.post(f"/reviews/new?manager={manager.id}", data=_form(5)).status_code == 403


def test_manager_reads_own_reviews_only(login, make_user, store, gm, manager):
    other = make_user(MANAGER, store)
    mine, theirs = _review(manager, gm, 6), _review(other, gm, 6)
    c = login(manager)
    assert c.get("/reviews/").headers["Location"].endswith(f"/reviews/manager/{manager.id}")
    assert c.get(f"/reviews/{mine.id}").status_code == 200
    assert c.get(f"/reviews/manager/{manager.id}").status_code == 200
    assert c.get(f"/reviews/{theirs.id}").status_code == 403
    assert c.get(f"/reviews/manager/{other.id}").status_code == 403
    assert c.get(f"/reviews/new?manager={manager.id}").status_code == 403
    assert c.post(f"/reviews/new?manager={manager.id}", data=_form(14)).status_code == 403
    assert db.session.scalar(db.select(db.func.count(ManagerReview.id))) == 2


def test_staff_are_refused(login, gm, manager, staff):
    review = _review(manager, gm, 6)
    c = login(staff)
    for url in ("/reviews/", f"/reviews/{review.id}", f"/reviews/manager/{manager.id}",
                f"/reviews/new?manager={manager.id}"):
        assert c.get(url).status_code == 403, url


def test_another_stores_gm_is_refused(login, make_store, make_user, gm, manager):
    far = make_store("S2")
    far_gm = make_user(GM, far)
    review = _review(manager, gm, 6)
    c = login(far_gm)
    assert manager.display_name not in c.get("/reviews/").get_data(as_text=True)
    assert c.get(f"/reviews/{review.id}").status_code == 403
    assert c.get(f"/reviews/manager/{manager.id}").status_code == 403
    assert c.get(f"/reviews/new?manager={manager.id}").status_code == 403
    assert c.post(f"/reviews/new?manager={manager.id}", data=_form(6)).status_code == 403


def test_gm_over_several_stores_assesses_each(login, make_store, make_user, gm):
    far = make_store("S2")
    far_manager = make_user(MANAGER, far)
    gm.extra_stores.append(far)
    db.session.commit()
    c = login(gm)
    assert far_manager.display_name in c.get("/reviews/").get_data(as_text=True)
    assert c.post(f"/reviews/new?manager={far_manager.id}", data=_form(5)).status_code == 302
    assert db.session.scalar(db.select(ManagerReview)).store_id == far.id


def test_only_service_managers_are_assessed(login, gm, staff):
    assert login(gm).get(f"/reviews/new?manager={staff.id}").status_code == 404


def test_future_date_is_refused_past_and_today_allowed(login, gm, manager):
    c = login(gm)
    r = c.post(f"/reviews/new?manager={manager.id}", data=_form(5, day=local_today() + timedelta(days=1)))
    assert r.status_code == 422 and "future" in r.get_data(as_text=True)
    assert c.post(f"/reviews/new?manager={manager.id}", data=_form(5)).status_code == 302
    assert c.post(f"/reviews/new?manager={manager.id}",
                  data=_form(5, day=local_today() - timedelta(days=40))).status_code == 302
    r = c.post(f"/reviews/new?manager={manager.id}", data=_form(5, day=local_today() - timedelta(days=400)))
    assert r.status_code == 422 and "within the past year" in r.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ManagerReview.id))) == 2


def test_remark_has_a_maximum_length(login, gm, manager):
    c = login(gm)
    r = c.post(f"/reviews/new?manager={manager.id}", data=_form(5, **{f"remark_{DUTY_KEYS[1]}": "x" * (REMARK_MAX + 1)}))
    assert r.status_code == 422
    assert db.session.scalar(db.select(ManagerReview)) is None
    ok = c.post(f"/reviews/new?manager={manager.id}", data=_form(5, **{f"remark_{DUTY_KEYS[1]}": "x" * REMARK_MAX}))
    assert ok.status_code == 302


def test_history_is_newest_first_with_trend(login, gm, manager):
    oldest = _review(manager, gm, 4, days_ago=60)
    newest = _review(manager, gm, 9, days_ago=1)
    middle = _review(manager, gm, 6, days_ago=30)  # entered late: the date orders, not the entry
    assert [r.id for r in services.history(manager.id)] == [newest.id, middle.id, oldest.id]
    trend = [change for _, change in services.with_trend(services.history(manager.id))]
    assert trend == [3, 2, None]
    page = login(manager).get(f"/reviews/manager/{manager.id}").get_data(as_text=True)
    positions = [page.index(f'id="review-{r.id}"') for r in (newest, middle, oldest)]
    assert positions == sorted(positions)
    assert "+3" in page and "Not yet capable" in page and "New assessment" not in page
