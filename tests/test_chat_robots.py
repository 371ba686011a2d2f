"""Group-chat robots: each platform's payload and signature against a local server that checks them as
the platform would, the platform's answer read back, and the manager's robot pages."""
import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import GM, MANAGER
from app.extensions import db
from app.notifications import chat, robots
from app.notifications.robots import ChatRobot
from tests.chat_server import DINGTALK_SECRET, FEISHU_SECRET, ChatServer

PAGE_LANGUAGE = "en"


@pytest.fixture
def server(app, monkeypatch):
    monkeypatch.setitem(app.config, "CHAT_WEBHOOK_HOSTS", ["127.0.0.1"])
    with ChatServer() as s:
        yield s


MESSAGE = chat.Message("会议通知：投诉率上升", "- **时间**：12月7日 08:30\n- **地点**：二楼会议室")


# --- the platforms -----------------------------------------------------------------------

def test_wecom_markdown_reaches_the_robot(server):
    answer = chat.post(chat.WECOM, server.wecom_url, "", MESSAGE)
    assert answer == chat.Answer(True, 200, "0", "ok")
    [(platform, body)] = server.received
    assert platform == "wecom" and body["msgtype"] == "markdown"
    assert body["markdown"]["content"].startswith("**会议通知：投诉率上升**\n- **时间**")


def test_dingtalk_is_signed_in_the_query(server):
    answer = chat.post(chat.DINGTALK, server.dingtalk_url, DINGTALK_SECRET, MESSAGE)
    assert answer.ok, answer
    [(_p, body)] = server.received
    assert body == {"msgtype": "markdown", "markdown": {"title": MESSAGE.title,
                                                        "text": f"#### {MESSAGE.title}\n{MESSAGE.markdown}"}}
    path = server.raw[0][1]
    assert "&timestamp=" in path and "&sign=" in path


def test_dingtalk_signature_is_url_encoded_base64():
    # DingTalk's documented example: the base64 has + / = and must be URL-encoded.
    sign = chat.sign_dingtalk(1_700_000_000_000, "SECabc")
    assert "%" in sign or sign.isalnum()
    assert "+" not in sign and "/" not in sign and "=" not in sign


def test_feishu_is_signed_in_the_body_with_an_interactive_card(server):
    answer = chat.post(chat.FEISHU, server.feishu_url, FEISHU_SECRET, MESSAGE)
    assert answer == chat.Answer(True, 200, "0", "success")
    [(_p, body)] = server.received
    assert body["msg_type"] == "interactive" and body["timestamp"].isdigit() and body["sign"]
    assert body["card"]["header"]["title"]["content"] == MESSAGE.title
    assert body["card"]["elements"] == [{"tag": "markdown", "content": MESSAGE.markdown}]


@pytest.mark.parametrize("platform,url_attr,secret,code", [
    (chat.DINGTALK, "dingtalk_url", "wrong-secret", "310000"),
    (chat.FEISHU, "feishu_url", "wrong-secret", "19021"),
])
def test_a_wrong_secret_is_refused_and_the_answer_reported(server, platform, url_attr, secret, code):
    answer = chat.post(platform, getattr(server, url_attr), secret, MESSAGE)
    assert not answer.ok and answer.status == 200 and answer.code == code and "sign" in answer.message
    assert server.received == []


def test_a_wrong_wecom_key_is_refused(server):
    answer = chat.post(chat.WECOM, server.wecom_url.replace("wecom-key", "other-key"), "", MESSAGE)
    assert (answer.ok, answer.code) == (False, "93000")


def test_a_long_message_is_cut_to_what_wecom_takes(server):
    answer = chat.post(chat.WECOM, server.wecom_url, "", chat.Message("长", "行动项\n" * 2000))
    assert answer.ok, answer


def test_nobody_answering_is_reported_not_raised():
    answer = chat.post(chat.WECOM, "http://127.0.0.1:9/cgi-bin/webhook/send?key=x", "", MESSAGE, timeout=2)
    assert not answer.ok and answer.status is None and answer.message


def test_webhooks_elsewhere_than_the_platform_are_refused():
    assert chat.webhook_problem(chat.WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k") is None
    assert chat.webhook_problem(chat.WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send") == "key"
    assert chat.webhook_problem(chat.DINGTALK, "https://oapi.dingtalk.com/robot/send?access_token=t") is None
    assert chat.webhook_problem(chat.FEISHU, "https://open.feishu.cn/open-apis/bot/v2/hook/x") is None
    assert chat.webhook_problem(chat.FEISHU, "https://10.0.0.1/open-apis/bot/v2/hook/x") == "host"
    assert chat.webhook_problem(chat.FEISHU, "http://open.feishu.cn/open-apis/bot/v2/hook/x") == "https"
    assert chat.webhook_problem(chat.WECOM, "file:///etc/passwd") == "unreadable"


# --- the manager's pages -----------------------------------------------------------------

def _add(client, server, platform="dingtalk", secret=DINGTALK_SECRET, events=("meeting_notice", "minutes")):
    url = {"wecom": server.wecom_url, "dingtalk": server.dingtalk_url, "feishu": server.feishu_url}[platform]
    return client.post("/chat-robots/", data={"name": "售后服务群", "platform": platform, "webhook_url": url,
                                              "webhook_secret": secret, "events": list(events), "active": "y"})


def test_the_manager_adds_a_robot_and_the_test_message_shows_the_platform_answer(server, login, manager):
    client = login(manager)
    assert _add(client, server).status_code == 302
    robot = db.session.scalar(select(ChatRobot))
    assert (robot.platform, robot.event_list, robot.store_id) == ("dingtalk", ["meeting_notice", "minutes"],
                                                                  manager.store_id)
    page = client.get("/chat-robots/").get_data(as_text=True)
    assert "售后服务群" in page and DINGTALK_SECRET not in page and "ding-token-abcdef" not in page
    assert robot.webhook_secret[-4:] in page  # the last characters tell two secrets apart

    response = client.post(f"/chat-robots/{robot.id}/test", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "DingTalk custom robot answered: 0: ok" in text and DINGTALK_SECRET not in text
    assert len(server.received) == 1 and "Pitwall" in server.texts()[0]
    db.session.refresh(robot)
    assert robot.last_ok is True and robot.last_answer == "0: ok"


def test_a_refused_test_message_says_what_the_platform_answered(server, login, manager):
    client = login(manager)
    _add(client, server, "feishu", secret="not-the-secret")
    robot = db.session.scalar(select(ChatRobot))
    text = client.post(f"/chat-robots/{robot.id}/test", follow_redirects=True).get_data(as_text=True)
    assert "The message was not delivered. Feishu custom bot answered: 19021: sign match fail" in text
    db.session.refresh(robot)
    assert robot.last_ok is False


def test_signed_platforms_need_their_secret_and_the_host_is_checked(server, login, manager):
    client = login(manager)
    response = _add(client, server, "feishu", secret="")
    assert response.status_code == 422 and "paste its secret" in response.get_data(as_text=True)
    response = client.post("/chat-robots/", data={"name": "x", "platform": "wecom",
                                                  "webhook_url": "https://intranet.local/cgi-bin/webhook/send?key=a",
                                                  "events": ["minutes"]})
    assert response.status_code == 422 and "not an address of the chosen platform" in response.get_data(as_text=True)
    assert db.session.scalar(select(ChatRobot)) is None


def test_editing_keeps_the_secret_when_left_empty_and_the_trail_masks_it(server, login, manager):
    client = login(manager)
    _add(client, server)
    robot = db.session.scalar(select(ChatRobot))
    page = client.get(f"/chat-robots/{robot.id}/edit").get_data(as_text=True)
    assert DINGTALK_SECRET not in page and "ding-token-abcdef" not in page
    response = client.post(f"/chat-robots/{robot.id}/edit", data={
        "name": "Workshop group", "platform": "dingtalk", "webhook_url": "", "webhook_secret": "",
        "events": ["minutes"], "active": "y", "version": str(robot.version)})
    assert response.status_code == 302
    db.session.refresh(robot)
    assert (robot.name, robot.webhook_secret, robot.event_list) == ("Workshop group", DINGTALK_SECRET, ["minutes"])
    stale = client.post(f"/chat-robots/{robot.id}/edit", data={
        "name": "Old", "platform": "dingtalk", "events": ["minutes"], "version": "1"})
    assert stale.status_code == 409
    trail = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "chat_robot")).all()
    assert trail and all(DINGTALK_SECRET not in str(e.new_values) + str(e.old_values) for e in trail)
    assert all("ding-token" not in str(e.new_values) for e in trail)


def test_post_to_store_reaches_the_robots_that_take_the_event(server, login, manager):
    client = login(manager)
    _add(client, server, "wecom", secret="", events=("minutes",))
    _add(client, server, "dingtalk", events=("meeting_notice",))
    results = robots.post_to_store(manager.store_id, "meeting_notice", MESSAGE)
    assert [(r.platform, a.ok) for r, a in results] == [("dingtalk", True)]
    assert [p for p, _b in server.received] == ["dingtalk"]


def test_only_the_stores_manager_configures_robots(server, login, manager, staff, make_user, make_store):
    _add(login(manager), server)
    robot = db.session.scalar(select(ChatRobot))
    other_store = make_store("S2")
    other_manager = make_user(MANAGER, other_store, username="boss2")
    for user in (staff, make_user(GM, manager.store, username="gm9"), other_manager):
        client = login(user)
        assert client.get("/chat-robots/").status_code in (403,) or user is other_manager
        assert client.get(f"/chat-robots/{robot.id}/edit").status_code == 403
        assert client.post(f"/chat-robots/{robot.id}/test").status_code == 403
        assert client.post(f"/chat-robots/{robot.id}/delete").status_code == 403
    assert server.received == [] and db.session.get(ChatRobot, robot.id) is not None
    # The other store's manager sees their own (empty) list, never this one.
    page = login(other_manager).get("/chat-robots/").get_data(as_text=True)
    assert "售后服务群" not in page


def test_the_manager_removes_a_robot(server, login, manager):
    client = login(manager)
    _add(client, server)
    robot = db.session.scalar(select(ChatRobot))
    assert client.post(f"/chat-robots/{robot.id}/delete").status_code == 302
    assert db.session.scalar(select(ChatRobot)) is None
