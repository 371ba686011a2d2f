"""A rule's numbers in a sentence come from the rule's constant, so the text cannot go stale."""
from datetime import timedelta

from flask_babel import force_locale

from app.goals.rules import AT_RISK_FROM, ON_TRACK_FROM
from app.goals.services import FORMULA_NOTES
from app.meetings import services as meeting_services
from app.reviews import routes as review_routes
from app.reviews.models import BASIC, CAPABLE, FULL
from app.timeutils import local_today
from tests.test_meetings import meeting_form

PAGE_LANGUAGE = "en"


def test_short_notice_texts_follow_the_notice_days(login, manager, monkeypatch):
    monkeypatch.setattr(meeting_services, "NOTICE_DAYS", 5)
    c = login(manager)
    assert "Send the notice at least 5 days ahead." in c.get("/meetings/new").get_data(as_text=True)
    response = c.post("/meetings/new", follow_redirects=True, data=meeting_form(
        chair_id=manager.id, minute_taker_id=manager.id, meeting_date=(local_today() + timedelta(days=4)).isoformat()))
    assert "the meeting starts in less than 5 days" in response.get_data(as_text=True)


def test_assessment_texts_follow_the_thresholds(login, gm, manager, monkeypatch):
    monkeypatch.setattr(review_routes, "THRESHOLDS", [(12, FULL), (9, CAPABLE), (6, BASIC)])
    c = login(gm)
    index = c.get("/reviews/").get_data(as_text=True)
    assert "6 or more met is basically capable, 9 or more capable, 12 or more fully responsible" in index
    form = c.get(f"/reviews/new?manager={manager.id}").get_data(as_text=True)
    assert "6 or more is basically capable, 9 or more capable, 12 or more fully responsible" in form


def test_goal_status_note_names_the_status_thresholds(app):
    on_track, at_risk = round(ON_TRACK_FROM * 100), round(AT_RISK_FROM * 100)
    with app.test_request_context():
        with force_locale("en"):
            assert f"on track from {on_track} %, at risk from {at_risk} %" in str(FORMULA_NOTES[1])
        with force_locale("zh_CN"):
            assert f"{at_risk}% 及以上为有风险" in str(FORMULA_NOTES[1])
