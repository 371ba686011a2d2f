"""The notification pages by role: the bell and my list (mine only), opening and marking read, my
e-mail choices, the store's settings (its service manager only), failed deliveries (admin only)."""
import re

import pytest

from app.auth.models import ADMIN, GM, STAFF
from app.extensions import db
from app.notifications import services
from app.notifications.models import EmailPreference, MessageLanguage, Notification, OutboxMessage

PAGE_LANGUAGE = "en"


def note(user, link="/actions/mine", n=1):
    for _ in range(n):
        services.publish("notifications.test", [user], store_id=user.store_id, link=link)
    db.session.commit()
    return db.session.scalars(db.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id.desc())).first()


def bell_count(page: str) -> str | None:
    match = re.search(r'id="bell".*?</a>', page, re.S)
    count = re.search(r'class="count">.*?</span>(\d+)</span>', match.group(0), re.S)
    return count.group(1) if count else None


def test_the_bell_counts_my_unread_and_htmx_refreshes_it(login, staff, manager):
    note(staff, n=3)
    note(manager)
    c = login(staff)
    assert bell_count(c.get("/actions/mine").text) == "3"
    fragment = c.get("/notifications/bell", htmx=True)
    assert fragment.status_code == 200 and 'hx-trigger="every 60s' in fragment.text
    assert "<html" not in fragment.text and bell_count(fragment.text) == "3"


def test_the_list_is_mine_newest_first_and_paged(login, staff, manager):
    theirs = note(manager, link="/meetings/")
    for i in range(7):
        services.publish("notifications.test", [staff], store_id=staff.store_id, link=f"/actions/{i + 1}")
    db.session.commit()
    c = login(staff)
    page = c.get("/notifications/")
    assert page.status_code == 200 and page.text.count("<h1>") == 1
    assert page.text.count('class="notification unread"') == 5  # PER_PAGE in tests
    assert "Page 1 of 2" in page.text
    assert f"/notifications/{theirs.id}" not in page.text
    newest = db.session.scalars(db.select(Notification).where(Notification.user_id == staff.id)
                                .order_by(Notification.id.desc())).first()
    assert page.text.index(f"/notifications/{newest.id}\"") < page.text.index(f"/notifications/{newest.id - 1}\"")


def test_opening_marks_read_and_goes_to_the_object_only_on_this_site(login, staff, manager):
    mine = note(staff, link="/actions/mine")
    c = login(staff)
    response = c.get(f"/notifications/{mine.id}")
    assert response.status_code == 302 and response.location == "/actions/mine"
    assert db.session.get(Notification, mine.id).read_at is not None
    for evil in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        bad = note(staff, link=evil)
        assert c.get(f"/notifications/{bad.id}").location == "/notifications/"
    theirs = note(manager)
    assert c.get(f"/notifications/{theirs.id}").status_code == 403
    assert db.session.get(Notification, theirs.id).read_at is None
    assert c.get("/notifications/999999").status_code == 404


def test_mark_one_and_all_read_without_and_with_htmx(login, staff, manager):
    first = note(staff)
    note(staff, n=2)
    theirs = note(manager)
    c = login(staff)
    assert c.post(f"/notifications/{theirs.id}/read").status_code == 403
    assert c.post(f"/notifications/{first.id}/read", csrf=False).status_code == 400
    assert c.post(f"/notifications/{first.id}/read").status_code == 302
    assert services.unread_count(staff.id) == 2
    response = c.post("/notifications/read-all", htmx=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "notificationsChanged"
    assert 'id="notification-list"' in response.text and "<html" not in response.text
    assert services.unread_count(staff.id) == 0 and services.unread_count(manager.id) == 1


def test_preferences_turn_an_email_off_and_are_linked_from_my_account(login, staff):
    staff.email = "zhang@example.com"
    db.session.commit()
    c = login(staff)
    assert "/notifications/preferences" in c.get("/account/").text
    page = c.get("/notifications/preferences")
    assert page.status_code == 200 and "An action item is assigned to me" in page.text
    assert "Pitwall test message" not in page.text  # not a choice
    assert "(service manager)" not in page.text and "(general manager)" not in page.text  # not theirs
    fields = [re.search(r'name="(kind_[a-z_]+)"', tag).group(1)
              for tag in re.findall(r"<input[^>]*>", page.text) if "checked" in tag and "kind_" in tag]
    assert "kind_actions_assigned" in fields
    data = {f: "y" for f in fields if f != "kind_actions_assigned"}
    assert c.post("/notifications/preferences", data=data).status_code == 302
    assert db.session.get(EmailPreference, (staff.id, "actions.assigned")).enabled is False
    services.publish("actions.assigned", [staff], store_id=staff.store_id,
                     params={"title": "t", "deadline": "2026-12-01", "owner": "x"})
    db.session.commit()
    assert db.session.query(OutboxMessage).count() == 0  # the bell only
    assert services.unread_count(staff.id) == 1


def test_the_manager_is_offered_the_managers_emails(login, manager):
    page = login(manager).get("/notifications/preferences").text
    assert "Daily list of the store's overdue action items (service manager)" in page
    assert "(general manager)" not in page


def test_choosing_a_language_also_sets_the_language_of_my_emails(login, staff):
    c = login(staff)
    c.post("/language", data={"lang": "en", "next": "/"})
    assert db.session.get(MessageLanguage, staff.id).language == "en"
    c.post("/account/", data={"display_name": staff.display_name, "phone": "", "email": "", "language": "zh_CN"})
    assert db.session.get(MessageLanguage, staff.id).language == "zh_CN"


@pytest.mark.parametrize("role", [STAFF, GM, ADMIN])
def test_store_settings_are_the_managers_alone(login, make_user, store, role):
    c = login(make_user(role, store))
    assert c.get("/notifications/store-settings").status_code == 403
    assert c.post("/notifications/store-settings",
                  data={"reminder_days": "2", "escalation_days": "5", "version": "0"}).status_code == 403


def test_store_settings_saved_checked_and_guarded_against_a_stale_form(login, manager):
    c = login(manager)
    page = c.get("/notifications/store-settings")
    assert page.status_code == 200 and 'value="1"' in page.text and 'value="7"' in page.text
    assert c.post("/notifications/store-settings",
                  data={"reminder_days": "3", "escalation_days": "10", "version": "0"}).status_code == 302
    settings = services.store_settings(manager.store_id)
    assert (settings.reminder_days, settings.escalation_days, settings.version) == (3, 10, 1)
    stale = c.post("/notifications/store-settings", data={"reminder_days": "2", "escalation_days": "9", "version": "0"})
    assert stale.status_code == 409
    bad = c.post("/notifications/store-settings", data={"reminder_days": "-1", "escalation_days": "0", "version": "1"})
    assert bad.status_code == 422 and "Between 0 and 30 days." in bad.text
    assert services.store_settings(manager.store_id).reminder_days == 3


def test_failures_page_and_retry_are_the_admins_alone(login, make_user, store, manager, staff):
    message = OutboxMessage(channel="email", recipient="x@example.com", kind="notifications.test", params={},
                            attachments=[], status="failed", attempts=6, last_error="550 no")
    db.session.add(message)
    db.session.commit()
    for person in (manager, staff, make_user(GM, store)):
        c = login(person)
        assert c.get("/notifications/failures").status_code == 403
        assert c.post("/notifications/test-email").status_code == 403
        assert c.post(f"/notifications/failures/{message.id}/retry").status_code == 403
    admin = login(make_user(ADMIN, store))
    assert "Failed deliveries" in admin.get("/notifications/").text
    assert admin.post("/notifications/failures/999999/retry").status_code == 404
    assert admin.post(f"/notifications/failures/{message.id}/retry").status_code == 302
    assert db.session.get(OutboxMessage, message.id).status == "pending"


def test_the_admin_sends_a_test_email_to_themselves(login, make_user, store):
    admin_user = make_user(ADMIN, store)
    admin = login(admin_user)
    assert admin.post("/notifications/test-email", follow_redirects=True).status_code == 200
    assert db.session.query(OutboxMessage).count() == 0  # no address: nothing to send
    admin_user.email = "admin@example.com"
    db.session.commit()
    page = admin.post("/notifications/test-email", follow_redirects=True)
    assert "admin@example.com" in page.text
    [message] = db.session.scalars(db.select(OutboxMessage)).all()
    assert (message.recipient, message.kind, message.user_id) == ("admin@example.com", "notifications.test",
                                                                  admin_user.id)


def test_pages_need_a_login(client):
    for url in ("/notifications/", "/notifications/bell", "/notifications/preferences",
                "/notifications/store-settings", "/notifications/failures"):
        assert client.get(url).status_code == 302
