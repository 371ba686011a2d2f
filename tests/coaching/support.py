"""What the coaching tests share: KPI values, talks started and walked through over HTTP."""
from datetime import timedelta

from app.auth.models import STAFF
from app.coaching import analysis, services
from app.coaching.models import CoachingSession
from app.extensions import db
from app.kpis.models import KpiValue
from app.kpis.services import kpi_by_code
from app.months import add_months, month_start
from app.timeutils import local_today


def _value(store, person, code, month, value):
    kpi = kpi_by_code(code)
    db.session.add(KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=person.id if person else None,
                            subject_key=person.id if person else 0, month=month, value=value))


def _start(store, manager, advisor, held_on=None, codes=("CSI",)):
    s = services.start_session(store_id=store.id, person=advisor, manager_id=manager.id,
                               kpi_ids=[kpi_by_code(c).id for c in codes], held_on=held_on or local_today())
    db.session.commit()
    return s


def _url(s, tail=""):
    return f"/coaching/sessions/{s.id}{tail}"


def _reload(s):
    db.session.expire_all()
    return db.session.get(CoachingSession, s.id)


def _due(days=14):
    return (local_today() + timedelta(days=days)).isoformat()


def _follow_up():
    """A follow-up date in the second month after today's (the earliest allowed), whatever today is."""
    return (add_months(month_start(local_today()), 2) + timedelta(days=14)).isoformat()


def _walk_to(c, s, step):
    """Complete, over HTTP as the manager does, the steps from the next one up to `step` (excluded)."""
    posts = {
        1: [(_url(s, "/steps/1"), {"purpose": "CSI has slipped for two months"})],
        2: [(_url(s, "/steps/2"), {"months": "3", "gap_remarks": "below peers"})],
        3: [(_url(s, "/measures"), {"what": "Explain every invoice", "due": _due(), "as_action": "y"}),
            (_url(s, "/steps/3"), {"plan_notes": "weekly check"})],
        4: [(_url(s, "/steps/4"), {"questions": "Q? A.", "verbal": "y"})],
        5: [(_url(s, "/steps/5"), {"agreed": "Try for a month", "follow_up_on": _follow_up()})],
    }
    for n in range(_reload(s).steps_done + 1, step):
        for url, data in posts[n]:
            assert c.post(url, data=data, htmx=True).status_code == 200, url


def _reload_count():
    db.session.expire_all()
    return db.session.query(CoachingSession).count()


def _history(store, advisor, peer, before, after_values, held):
    """CSI for the advisor: `before` in the three months before the talk's month, then `after_values`
    in the months after it; the peer stays at 94."""
    talk_month = month_start(held)
    for n in range(1, 4):
        m = add_months(talk_month, -n)
        _value(store, advisor, "CSI", m, before)
        _value(store, peer, "CSI", m, 94)
    for n, v in enumerate(after_values, start=1):
        _value(store, advisor, "CSI", add_months(talk_month, n), v)
    db.session.commit()


def _finished(store, manager, advisor, held, follow_up):
    s = _start(store, manager, advisor, held_on=held)
    s.gap_to = add_months(month_start(held), -1)
    s.gap_from = add_months(s.gap_to, -2)
    s.steps_done, s.follow_up_on = 5, follow_up
    db.session.commit()
    return s


def _effect_of(store, manager, person, code, before, after, make_user, peer_value):
    """A finished talk three months ago on one KPI: `before` in the three months before it, `after`
    in the two after it; a peer holds `peer_value` throughout."""
    today = local_today()
    held = add_months(month_start(today), -3) + timedelta(days=4)
    peer = make_user(STAFF, store, username=f"peer-{code}", position=person.position)
    talk_month = month_start(held)
    for n in range(-3, 3):
        if n == 0:
            continue
        month = add_months(talk_month, n)
        _value(store, person, code, month, before if n < 0 else after)
        _value(store, peer, code, month, peer_value)
    s = services.start_session(store_id=store.id, person=person, manager_id=manager.id,
                               kpi_ids=[kpi_by_code(code).id], held_on=held)
    s.gap_to = add_months(talk_month, -1)
    s.gap_from = add_months(s.gap_to, -2)
    s.steps_done, s.follow_up_on = 5, held + timedelta(days=60)
    db.session.commit()
    return analysis.effects([s], today)[s.id][0]
