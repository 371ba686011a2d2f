"""Group-chat robots: WeCom (企业微信) group robot, DingTalk (钉钉) custom robot, Feishu (飞书) custom bot.

Each platform takes a JSON POST to the robot's webhook and answers with JSON of its own:
- WeCom: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`, body
  `{"msgtype": "markdown", "markdown": {"content": …}}`, answer `{"errcode": 0, "errmsg": "ok"}`.
- DingTalk: `https://oapi.dingtalk.com/robot/send?access_token=…`, signed ("加签"): the query gets
  `timestamp` (milliseconds) and `sign` = URL-encoded base64 of HMAC-SHA256 over
  "timestamp\\nsecret" keyed with the secret; body `{"msgtype": "markdown", "markdown": {"title", "text"}}`,
  answer `{"errcode": 0, "errmsg": "ok"}`.
- Feishu: `https://open.feishu.cn/open-apis/bot/v2/hook/…`, signed: the body carries `timestamp`
  (seconds) and `sign` = base64 of HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty message;
  an interactive card with a markdown element, answer `{"code": 0, "msg": "success"}`.

Pure functions apart from `post`, which sends with a timeout and reads the platform's answer. Nothing
here knows models or requests; the robots' table and pages are robots.py and robot_routes.py.
"""
import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

WECOM, DINGTALK, FEISHU = "wecom", "dingtalk", "feishu"
PLATFORMS = (WECOM, DINGTALK, FEISHU)
# Where each platform's robots live: a webhook elsewhere is refused unless the settings allow the host
# (CHAT_WEBHOOK_HOSTS), so a robot cannot be pointed at a machine inside the network.
OFFICIAL_HOSTS = {
    WECOM: ("qyapi.weixin.qq.com",),
    DINGTALK: ("oapi.dingtalk.com",),
    FEISHU: ("open.feishu.cn", "open.larksuite.com"),
}
SIGNED = (DINGTALK, FEISHU)  # WeCom's key is in the URL; it has no signing secret
# The platforms cut or refuse longer messages (WeCom: 4096 bytes of markdown).
MAX_BYTES = 4000
TIMEOUT = 10


@dataclass(frozen=True)
class Message:
    """What a robot posts: a title and a markdown body (headings, bold, lists and links only, which
    all three platforms render)."""
    title: str
    markdown: str


@dataclass(frozen=True)
class Answer:
    """The platform's answer: ok, the HTTP status (None when nothing answered), its code and text."""
    ok: bool
    status: int | None
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


def sign_dingtalk(timestamp_ms: int, secret: str) -> str:
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def sign_feishu(timestamp_s: int, secret: str) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def webhook_problem(platform: str, url: str, allowed_hosts=None) -> str | None:
    """Why this webhook URL is refused (a short English reason for the form to translate), or None."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "unreadable"
    hosts = tuple(allowed_hosts or ()) + OFFICIAL_HOSTS.get(platform, ())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "unreadable"
    if parts.hostname not in hosts:
        return "host"
    if parts.scheme != "https" and parts.hostname in OFFICIAL_HOSTS.get(platform, ()):
        return "https"
    if platform == WECOM and "key" not in urllib.parse.parse_qs(parts.query):
        return "key"
    if platform == DINGTALK and "access_token" not in urllib.parse.parse_qs(parts.query):
        return "access_token"
    return None


def _fit(text: str, limit: int = MAX_BYTES) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit - 3].decode(errors="ignore") + "…"


def request_for(platform: str, url: str, secret: str, message: Message, now: float | None = None):
    """(url, JSON body) of the POST that sends `message` to this robot."""
    now = time.time() if now is None else now
    if platform == WECOM:
        content = _fit(f"**{message.title}**\n{message.markdown}")
        return url, {"msgtype": "markdown", "markdown": {"content": content}}
    if platform == DINGTALK:
        body = {"msgtype": "markdown", "markdown": {"title": message.title,
                                                    "text": _fit(f"#### {message.title}\n{message.markdown}")}}
        if secret:
            stamp = int(now * 1000)
            glue = "&" if urllib.parse.urlsplit(url).query else "?"
            url = f"{url}{glue}timestamp={stamp}&sign={sign_dingtalk(stamp, secret)}"
        return url, body
    if platform == FEISHU:
        body = {"msg_type": "interactive", "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": message.title}, "template": "blue"},
            "elements": [{"tag": "markdown", "content": _fit(message.markdown)}],
        }}
        if secret:
            stamp = int(now)
            body = {"timestamp": str(stamp), "sign": sign_feishu(stamp, secret), **body}
        return url, body
    raise ValueError(f"unknown chat platform {platform!r}")


def read_answer(platform: str, status: int, raw: bytes) -> Answer:
    """The platform's verdict: WeCom and DingTalk say errcode/errmsg, Feishu code/msg (older hooks
    StatusCode/StatusMessage). A 200 with a non-zero code is a refusal (bad key, bad signature …)."""
    try:
        data = json.loads(raw.decode("utf-8", errors="replace") or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        text = raw.decode("utf-8", errors="replace").strip()[:200]
        return Answer(False, status, f"HTTP {status}", text or "no JSON answer")
    if platform == FEISHU:
        code = data.get("code", data.get("StatusCode"))
        text = data.get("msg", data.get("StatusMessage", ""))
    else:
        code, text = data.get("errcode"), data.get("errmsg", "")
    ok = 200 <= status < 300 and code in (0, "0")
    return Answer(ok, status, "" if code is None else str(code), str(text or "")[:300])


def post(platform: str, url: str, secret: str, message: Message, timeout: float = TIMEOUT,
         now: float | None = None) -> Answer:
    """Send the message and report the platform's answer; never raises for network trouble."""
    target, body = request_for(platform, url, secret, message, now)
    request = urllib.request.Request(
        target, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Pitwall"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (checked host)
            return read_answer(platform, response.status, response.read(65536))
    except urllib.error.HTTPError as e:
        return read_answer(platform, e.code, e.read(65536) if e.fp else b"")
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        return Answer(False, None, "", str(reason)[:300] or type(e).__name__)
