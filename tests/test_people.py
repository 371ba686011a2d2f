"""People and stores administration: each page and action per role and across stores."""
import pytest
from sqlalchemy import select

from app.auth.models import ADMIN, GM, MANAGER, STAFF, Store
from app.auth.services import find_user, store_people, store_staff
from app.extensions import db

PAGE_LANGUAGE = "en"


@pytest.fixture
def admin(make_user, store):
    return make_user(ADMIN, store, username="root1", name="Admin Zhou")


@pytest.fixture
def other_store(make_store):
    return make_store("S2", "Second store")


@pytest.fixture
def other_staff(make_user, other_store):
    return make_user(STAFF, other_store, username="sa2", name="Advisor Qian")


def error_of(response) -> str:
    return response.get_data(as_text=True).split('class="error">')[1].split("<")[0]


def new_person(**overrides):
    data = {"display_name": "Advisor Sun", "username": "sun", "role": STAFF, "position": "technician",
            "phone": "13800138000", "email": "sun@example.cn"}
    return {**data, **overrides}


def test_the_list_pages_filters_and_searches(login, admin, manager, staff, other_staff, make_user, store):
    for n in range(7):
        make_user(STAFF, store, name=f"Tech {n}", position="technician")
    c = login(admin)
    first = c.get("/people/").get_data(as_text=True)
    assert "Page 1 of" in first  # PER_PAGE is 5 in tests
    assert "Advisor Qian" in c.get("/people/?q=qian").get_data(as_text=True)
    only_other = c.get(f"/people/?store={other_staff.store_id}").get_data(as_text=True)
    assert "Advisor Qian" in only_other and "Advisor Zhang" not in only_other
    managers = c.get("/people/?role=manager").get_data(as_text=True)
    assert "Manager Li" in managers and "Advisor Zhang" not in managers
    techs = c.get("/people/?position=technician").get_data(as_text=True)
    assert "Tech 0" in techs and "Advisor Zhang" not in techs
    for label in ("f-q", "f-store", "f-role", "f-position", "f-active"):
        assert f'for="{label}"' in first


def test_staff_and_gm_cannot_open_people_pages(login, staff, gm):
    for user in (staff, gm):
        c = login(user)
        for url in ["/people/", "/people/new", "/people/import", "/stores/"]:
            assert c.get(url).status_code == 403, (user.role, url)


def test_a_manager_sees_and_manages_only_their_own_store(login, manager, staff, other_staff, gm):
    c = login(manager)
    page = c.get("/people/").get_data(as_text=True)
    assert "Advisor Zhang" in page and "Advisor Qian" not in page
    assert "Advisor Qian" not in c.get(f"/people/?store={other_staff.store_id}&q=qian").get_data(as_text=True)
    assert c.get(f"/people/{staff.id}/edit").status_code == 200
    for person in (other_staff, gm, manager):
        for url in [f"/people/{person.id}/edit", f"/people/{person.id}/deactivate",
                    f"/people/{person.id}/reset-password"]:
            assert c.get(url).status_code == 403, url
        assert c.post(f"/people/{person.id}/deactivate").status_code == 403
    assert c.post(f"/people/{other_staff.id}/edit", data={
        "display_name": "Hacked", "role": STAFF, "store_id": other_staff.store_id}).status_code == 403
    assert find_user("sa2").display_name == "Advisor Qian"
    assert c.get("/stores/").status_code == 403


def test_a_manager_adds_staff_to_their_store_only(login, manager, other_store):
    c = login(manager)
    page = c.get("/people/new").get_data(as_text=True)
    assert 'value="manager"' not in page and 'value="admin"' not in page
    for field in ("display_name", "username", "role", "position", "store_id", "phone", "email"):
        assert f'for="{field}"' in page
    for role in (MANAGER, GM, ADMIN):
        assert c.post("/people/new", data=new_person(role=role, store_id=manager.store_id)).status_code == 422
    assert c.post("/people/new", data=new_person(store_id=other_store.id)).status_code == 422
    assert find_user("sun") is None
    added = c.post("/people/new", data=new_person(store_id=manager.store_id))
    assert added.status_code == 201
    sun = find_user("sun")
    assert (sun.store_id, sun.role, sun.phone, sun.must_change_password) == (manager.store_id, STAFF, "13800138000", True)
    temporary = added.get_data(as_text=True).split('class="temporary-password">')[1].split("<")[0]
    assert sun.check_password(temporary)
    again = c.post("/people/new", data=new_person(store_id=manager.store_id, display_name="Other Sun"))
    assert again.status_code == 422 and "taken" in again.get_data(as_text=True)


def test_a_manager_cannot_promote_staff(login, manager, staff):
    c = login(manager)
    for role in (MANAGER, GM, ADMIN):
        response = c.post(f"/people/{staff.id}/edit", data={"display_name": "Advisor Zhang", "role": role,
                                                            "store_id": staff.store_id})
        assert response.status_code == 422
    assert find_user("sa1").role == STAFF
    ok = c.post(f"/people/{staff.id}/edit", data={"display_name": "Zhang Wei", "role": STAFF, "position": "dispatcher",
                                                  "store_id": staff.store_id, "phone": "010-1234", "email": ""})
    assert ok.status_code == 302
    assert (find_user("sa1").display_name, find_user("sa1").position) == ("Zhang Wei", "dispatcher")


def test_the_admin_edits_anyone_and_chooses_a_gms_stores(login, admin, gm, other_store, make_store):
    third = make_store("S3", "Third store")
    c = login(admin)
    page = c.get(f"/people/{gm.id}/edit").get_data(as_text=True)
    assert "Other stores this general manager oversees" in page
    response = c.post(f"/people/{gm.id}/edit", data={"display_name": "GM Wang", "role": GM, "store_id": gm.store_id,
                                                     "extra_store_ids": [other_store.id, third.id]})
    assert response.status_code == 302
    assert find_user("gm1").visible_store_ids == {gm.store_id, other_store.id, third.id}
    gm_client = login(gm)
    header = gm_client.get("/meetings/").get_data(as_text=True)
    assert "Third store" in header and "Switch store" in header
    c.post(f"/people/{gm.id}/edit", data={"display_name": "GM Wang", "role": GM, "store_id": gm.store_id,
                                          "extra_store_ids": [third.id]})
    assert find_user("gm1").visible_store_ids == {gm.store_id, third.id}


def test_deactivating_asks_first_then_locks_out_and_keeps_history(login, client, manager, staff, make_item,
                                                                  make_meeting):
    item = make_item(staff)
    meeting = make_meeting(attendees=[staff])
    staff_client = login(staff)
    c = login(manager)
    confirm = c.get(f"/people/{staff.id}/deactivate")
    assert confirm.status_code == 200 and "Deactivate Advisor Zhang?" in confirm.get_data(as_text=True)
    assert find_user("sa1").active  # asking changed nothing
    assert c.post(f"/people/{staff.id}/deactivate").status_code == 302
    assert "Advisor Zhang is deactivated" in c.get("/people/").get_data(as_text=True)  # the flash, shown once
    assert not find_user("sa1").active
    # The open session is sent to the login page at its next click.
    assert "/login" in staff_client.get("/actions/mine").location
    # The login says only what it says for a wrong password.
    refused = client.login("sa1")
    unknown = client.login("nobody-here")
    assert refused.status_code == unknown.status_code == 422
    assert error_of(refused) == error_of(unknown) != ""
    # Gone from every picker, still named in the history.
    assert staff not in store_staff(staff.store_id) and staff not in store_people(staff.store_id)
    assert "Advisor Zhang" not in c.get("/meetings/new").get_data(as_text=True)
    assert "Advisor Zhang" in c.get(f"/actions/{item.id}").get_data(as_text=True)
    assert "Advisor Zhang" in c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    # Reactivated, they log in again.
    assert "Advisor Zhang" in c.get("/people/?active=0").get_data(as_text=True)
    assert c.post(f"/people/{staff.id}/reactivate").status_code == 302
    assert client.login("sa1").status_code == 302


def test_nobody_deactivates_themselves(login, admin):
    c = login(admin)
    assert c.get(f"/people/{admin.id}/deactivate").status_code == 403
    assert c.post(f"/people/{admin.id}/deactivate").status_code == 403
    assert find_user("root1").active


def test_a_reset_gives_a_temporary_password_that_must_be_changed(login, client, manager, staff):
    c = login(manager)
    assert c.get(f"/people/{staff.id}/reset-password").status_code == 200
    response = c.post(f"/people/{staff.id}/reset-password")
    temporary = response.get_data(as_text=True).split('class="temporary-password">')[1].split("<")[0]
    assert client.login("sa1").status_code == 422  # the old password stopped working
    assert client.login("sa1", temporary).status_code == 302
    assert client.get("/meetings/").location == "/account/password"


def test_a_temporary_password_works_only_for_a_while(login, client, manager, staff):
    """TEMPORARY_PASSWORD_DAYS after a reset the temporary password is refused with the reason; the
    password the person then chooses has no end."""
    from datetime import timedelta

    from app.timeutils import utcnow

    response = login(manager).post(f"/people/{staff.id}/reset-password")
    page = response.get_data(as_text=True)
    temporary = page.split('class="temporary-password">')[1].split("<")[0]
    db.session.refresh(staff)
    assert staff.password_expires_at - utcnow() > timedelta(days=6, hours=23)
    assert "works until" in page
    staff.password_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    refused = client.login("sa1", temporary)
    assert refused.status_code == 422 and "临时密码已过期" in refused.get_data(as_text=True)  # this client reads Chinese
    staff.password_expires_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert client.login("sa1", temporary).status_code == 302
    assert client.post("/account/password", data={"current": temporary, "new": "a-long-new-secret",
                                                  "repeat": "a-long-new-secret"}).status_code == 302
    db.session.refresh(staff)
    assert staff.password_expires_at is None and not staff.must_change_password


def test_admin_creates_renames_and_closes_stores(login, admin, manager, store):
    c = login(admin)
    page = c.get("/stores/").get_data(as_text=True)
    assert 'for="code"' in page and 'for="name"' in page
    assert c.post("/stores/", data={"code": "bj01", "name": "Beijing North"}).status_code == 302
    bj = db.session.scalar(select(Store).where(Store.code == "BJ01"))
    assert bj.name == "Beijing North" and bj.active
    taken = c.post("/stores/", data={"code": "BJ01", "name": "Again"})
    assert taken.status_code == 422 and "taken" in taken.get_data(as_text=True)
    assert 'for="name"' in c.get(f"/stores/{bj.id}/edit").get_data(as_text=True)
    assert c.post(f"/stores/{bj.id}/edit", data={"name": " "}).status_code == 422
    assert c.post(f"/stores/{bj.id}/edit", data={"name": "Beijing North 4S"}).status_code == 302
    assert c.get(f"/stores/{bj.id}/deactivate").status_code == 200
    assert c.post(f"/stores/{bj.id}/deactivate").status_code == 302
    db.session.refresh(bj)
    assert not bj.active
    assert "is deactivated" in c.get("/stores/").get_data(as_text=True)  # the flash, shown once
    assert "Beijing North 4S" not in c.get("/people/new").get_data(as_text=True)  # no longer offered
    assert c.post(f"/stores/{bj.id}/reactivate").status_code == 302
    manager_client = login(manager)
    assert manager_client.post("/stores/", data={"code": "X1", "name": "X"}).status_code == 403
    assert manager_client.post(f"/stores/{store.id}/deactivate").status_code == 403


def test_pages_without_a_login_go_to_the_login(client):
    for url in ["/people/", "/stores/", "/account/", "/account/password", "/people/import"]:
        assert "/login" in client.get(url).location


def test_nobody_changes_their_own_role(login, make_user, store):
    root = make_user("admin", store, username="root", name="Root Admin")
    c = login(root)
    response = c.post(f"/people/{root.id}/edit", data={"display_name": "Root Admin", "role": "staff",
                                                      "position": "service_advisor", "store_id": store.id,
                                                      "phone": "", "email": ""})
    assert response.status_code == 422
    assert "You cannot change your own role" in response.get_data(as_text=True)
    assert find_user("root").role == "admin"
    renamed = c.post(f"/people/{root.id}/edit", data={"display_name": "Root", "role": "admin",
                                                     "position": "", "store_id": store.id, "phone": "", "email": ""})
    assert renamed.status_code == 302 and find_user("root").display_name == "Root"
