"""Commit or refuse: the one way routes end a change (app/transactions.py)."""
from flask import get_flashed_messages
from sqlalchemy import update

from app.actions.models import ActionItem
from app.auth.models import Store
from app.common import RuleViolation, check_version
from app.extensions import db
from app.transactions import commit_or_refuse


def _stores():
    return db.session.scalars(db.select(Store.code)).all()


def test_a_change_without_refusal_is_committed(app):
    with app.test_request_context(), commit_or_refuse() as refusal:
        db.session.add(Store(code="NEW", name="New store"))
    assert not refusal and refusal.status is None
    db.session.rollback()  # nothing left to roll back: it was committed
    assert _stores() == ["NEW"]


def test_a_rule_refuses_with_422_and_its_reason_and_nothing_is_saved(app):
    with app.test_request_context():
        with commit_or_refuse() as refusal:
            db.session.add(Store(code="NEW", name="New store"))
            db.session.flush()
            raise RuleViolation("Not like this.")
        refusal.flash()
        assert get_flashed_messages(with_categories=True) == [("danger", "Not like this.")]
    assert refusal and not refusal.conflict
    assert (refusal.status, refusal.message) == (422, "Not like this.")
    assert _stores() == []


def test_an_older_version_is_refused_with_409_and_the_current_state(app, staff, make_item):
    item = make_item(staff)
    stored = item.version
    db.session.execute(update(ActionItem).where(ActionItem.id == item.id).values(title="Theirs",
                                                                                  version=stored + 1))
    db.session.commit()
    with app.test_request_context():
        with commit_or_refuse(conflict="Someone else saved first.") as refusal:
            item.title = "Mine"
            check_version(item, stored)
        refusal.flash()
        assert get_flashed_messages(with_categories=True) == [("warning", "Someone else saved first.")]
    assert (refusal.status, refusal.message, refusal.conflict) == (409, "Someone else saved first.", True)
    assert item.title == "Theirs" and item.version == stored + 1  # read again: what is stored now


def test_losing_the_race_at_the_write_is_a_conflict_too(app, staff, make_item):
    """StaleDataError: the version matched when checked, but another save landed before the write."""
    item = make_item(staff)
    with app.test_request_context(), commit_or_refuse() as refusal:
        check_version(item, item.version)
        db.session.execute(update(ActionItem).where(ActionItem.id == item.id)
                           .values(version=ActionItem.version + 1)
                           .execution_options(synchronize_session=False))  # as another process would
        item.title = "Mine"
    assert refusal.status == 409 and refusal.message
    assert item.title == "Call back customers"


def test_check_version_without_a_version_compares_nothing(staff, make_item):
    item = make_item(staff)
    check_version(item, None)
    check_version(item, item.version)


def test_the_same_new_row_inserted_twice_at_once_answers_409(app):
    db.session.add(Store(code="TWIN", name="First"))
    db.session.commit()
    with app.test_request_context(), commit_or_refuse(taken="That code was just taken.") as refusal:
        db.session.add(Store(code="TWIN", name="Second"))
    assert (refusal.status, refusal.message) == (409, "That code was just taken.")
    assert db.session.scalars(db.select(Store.name)).all() == ["First"]
