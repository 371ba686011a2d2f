"""The demo's coaching talks and manager assessments: the stories they are meant to tell, and the pages."""
import pytest

from app.auth.models import User
from app.coaching import analysis, services
from app.coaching.models import CoachingSession
from app.extensions import db
from app.months import add_months
from app.reviews.models import ManagerReview
from app.timeutils import local_today


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert "Loaded the demo data." in result.output, result.output
    return {u.username: u for u in db.session.scalars(db.select(User))}


def sessions():
    return db.session.scalars(db.select(CoachingSession).order_by(CoachingSession.held_on)).all()


def test_demo_talks_tell_their_stories(demo):
    today = local_today()
    talks = sessions()
    finished = [s for s in talks if s.finished]
    effects = analysis.effects(finished, today)
    verdicts = {s.person.username: analysis.session_verdict(effects[s.id]) for s in finished}
    assert verdicts == {"staff6": analysis.NARROWED, "staff3": analysis.CLOSED, "staff1": analysis.NOT_NARROWED}
    for s in finished:
        assert s.purpose and s.gap_remarks and s.plan_notes and s.questions and s.agreed and s.confirmed
        assert s.measures and s.follow_up_on < today
        assert s.gap_to == add_months(s.held_on, -1)
    worked = [s for s in finished if s.person.username in ("staff6", "staff3")]
    assert all(85 <= (today - s.held_on).days <= 125 for s in worked)  # about 3–4 months ago
    assert any(s.measures[0].action_item for s in worked)

    # One worked talk is followed up, the other is due; the one that did not work is followed up too.
    due, due_count = services.follow_ups_due(demo["manager"].store_id, today)
    assert due_count == 1
    assert [s.person.username for s in due] == ["staff3"] and not due[0].follow_up_conclusion
    concluded = {s.person.username for s in finished if s.follow_up_conclusion and s.followed_up_at}
    assert concluded == {"staff6", "staff1"}

    # A talk of a few days ago waits for 刘洋's acknowledgement; its measures are his action items.
    (open_talk,), _ = services.unfinished_sessions(demo["manager"].store_id)
    assert open_talk.steps_done == 3 and not open_talk.confirmed and (today - open_talk.held_on).days <= 7
    assert services.awaiting_acknowledgement(demo["staff2"].id) == [open_talk]
    assert all(m.action_item and m.action_item.deadline >= today for m in open_talk.measures)

    # 张伟 is still above the response-time standard and has not been coached for months.
    gaps = analysis.coverage_gaps(demo["manager"].store_id, today)
    assert ("staff1", "RESPONSE_TIME") in {(g.person.username, g.kpi.code) for g in gaps}
    summary = analysis.coaching_effect_by_store([demo["manager"].store_id], today)[demo["manager"].store_id]
    assert (summary.narrowed, summary.total) == (2, 3)


def test_demo_assessments(demo):
    reviews = db.session.scalars(db.select(ManagerReview).order_by(ManagerReview.reviewed_on)).all()
    assert [(r.verdict, r.met_count) for r in reviews] == [("basic", 7), ("capable", 9)]
    assert all(r.manager.username == "manager" and r.reviewer.username == "gm" for r in reviews)
    assert all(any(d.remark for d in r.duties) for r in reviews)


def test_demo_coaching_pages_render(app, client, demo):
    def as_(name):
        c = client.__class__(app.test_client())
        assert c.login(name, "pitwall-demo").status_code == 302, name
        return c

    talks = sessions()
    manager, gm = as_("manager"), as_("gm")
    page = manager.get("/coaching/")
    assert page.status_code == 200 and "张伟" in page.get_data(as_text=True)
    for s in talks:
        assert manager.get(f"/coaching/sessions/{s.id}").status_code == 200
        assert manager.get(f"/coaching/people/{s.person_id}").status_code == 200
        assert gm.get(f"/coaching/sessions/{s.id}").status_code == 200
    assert gm.get("/coaching/").status_code == 200

    # 刘洋 sees the talk he has to acknowledge on his own page.
    liu = as_("staff2")
    own = liu.get(f"/coaching/people/{demo['staff2'].id}")
    assert own.status_code == 200 and f"/coaching/sessions/{talks[-1].id}" in own.get_data(as_text=True)
    assert liu.get(f"/coaching/sessions/{talks[-1].id}").status_code == 200

    assert gm.get("/reviews/").status_code == 200
    for r in db.session.scalars(db.select(ManagerReview)):
        assert gm.get(f"/reviews/{r.id}").status_code == 200
    assert manager.get("/reviews/", follow_redirects=True).status_code == 200
