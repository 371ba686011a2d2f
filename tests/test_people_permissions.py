"""Every rule in app/people/permissions.py, per role and across stores."""
import pytest

from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.people.permissions import (
    can_choose_stores,
    can_deactivate_person,
    can_edit_person,
    can_list_people,
    can_manage_people,
    can_reset_password,
    grantable_roles,
)


@pytest.fixture
def people(make_user, make_store, store):
    other = make_store("S2", "Second store")
    made = {"store": store, "other": other}
    for where, s in (("here", store), ("there", other)):
        for role in (ADMIN, GM, MANAGER, STAFF):
            made[f"{role}_{where}"] = make_user(role, s, username=f"{role}_{where}")
    return made


def test_who_lists_and_adds_people(people):
    here, there = people["store"].id, people["other"].id
    assert can_list_people(people["admin_here"]) and can_list_people(people["manager_here"])
    assert not can_list_people(people["gm_here"]) and not can_list_people(people["staff_here"])
    assert can_manage_people(people["admin_here"], there)
    assert can_manage_people(people["manager_here"], here)
    assert not can_manage_people(people["manager_here"], there)
    assert not can_manage_people(people["gm_here"], here)
    assert not can_manage_people(people["staff_here"], here)


def test_who_edits_whom(people):
    manager = people["manager_here"]
    assert can_edit_person(manager, people["staff_here"])
    for target in ("staff_there", "manager_here", "gm_here", "admin_here", "manager_there"):
        assert not can_edit_person(manager, people[target]), target
    for target in ("staff_there", "manager_there", "gm_here", "admin_there"):
        assert can_edit_person(people["admin_here"], people[target]), target
    for actor in ("gm_here", "staff_here"):
        assert not can_edit_person(people[actor], people["staff_here"]), actor


def test_nobody_deactivates_or_resets_themselves(people):
    admin, manager = people["admin_here"], people["manager_here"]
    assert not can_deactivate_person(admin, admin) and not can_reset_password(admin, admin)
    assert can_deactivate_person(admin, people["admin_there"]) and can_reset_password(admin, people["gm_there"])
    assert can_deactivate_person(manager, people["staff_here"]) and can_reset_password(manager, people["staff_here"])
    assert not can_deactivate_person(manager, people["staff_there"])
    assert not can_reset_password(manager, people["gm_here"])


def test_which_roles_each_may_grant(people):
    assert set(grantable_roles(people["admin_here"])) == {ADMIN, GM, MANAGER, STAFF}
    assert grantable_roles(people["manager_here"]) == [STAFF]
    assert grantable_roles(people["gm_here"]) == [] and grantable_roles(people["staff_here"]) == []


def test_only_the_admin_keeps_stores(people):
    assert can_choose_stores(people["admin_here"])
    for actor in ("gm_here", "manager_here", "staff_here"):
        assert not can_choose_stores(people[actor])
