"""A local stand-in for the three chat platforms' webhook endpoints, checking what they check.

One HTTP server (http.server in a thread) answers like the real robots:
- /cgi-bin/webhook/send?key=K (WeCom): markdown content required, under 4096 bytes; a wrong key
  answers errcode 93000.
- /robot/send?access_token=T&timestamp=…&sign=… (DingTalk): the sign must be the URL-encoded base64
  HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, the timestamp within an hour; else
  errcode 310000 "sign not match".
- /open-apis/bot/v2/hook/H (Feishu): the body's sign must be the base64 HMAC-SHA256 keyed with
  "timestamp\\nsecret" over an empty message; else code 19021 "sign match fail or timestamp is not
  within one hour from current time".
Every accepted message is kept in `received` (platform, parsed body) for the test to read.
"""
import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WECOM_KEY = "wecom-key-0123456789"
DINGTALK_TOKEN = "ding-token-abcdef"
DINGTALK_SECRET = "SECdingtalk-secret-0123456789abcdef"
FEISHU_HOOK = "feishu-hook-7c1d"
FEISHU_SECRET = "feishu-secret-0123456789"


class ChatServer:
    def __init__(self):
        self.received: list[tuple[str, dict]] = []
        self.raw: list[tuple[str, str, bytes]] = []  # (platform, path with query, body) of every request
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parts.query)
                platform, status, answer = server.judge(parts.path, query, self.headers, body)
                server.raw.append((platform, self.path, body))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def wecom_url(self) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={WECOM_KEY}"

    @property
    def dingtalk_url(self) -> str:
        return f"{self.base}/robot/send?access_token={DINGTALK_TOKEN}"

    @property
    def feishu_url(self) -> str:
        return f"{self.base}/open-apis/bot/v2/hook/{FEISHU_HOOK}"

    def judge(self, path, query, headers, body):
        if not headers.get("Content-Type", "").startswith("application/json"):
            return "?", 400, {"errcode": 40035, "errmsg": "invalid content type"}
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError:
            return "?", 200, {"errcode": 40035, "errmsg": "invalid json"}
        if path == "/cgi-bin/webhook/send":
            return ("wecom", 200) + (self.wecom(query, data),)
        if path == "/robot/send":
            return ("dingtalk", 200) + (self.dingtalk(query, data),)
        if path == f"/open-apis/bot/v2/hook/{FEISHU_HOOK}":
            return ("feishu", 200) + (self.feishu(data),)
        return "?", 404, {"errcode": 404, "errmsg": "not found"}

    def wecom(self, query, data):
        if query.get("key") != [WECOM_KEY]:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        content = data.get("markdown", {}).get("content") if data.get("msgtype") == "markdown" else None
        if not isinstance(content, str) or not content:
            return {"errcode": 40008, "errmsg": "invalid message type"}
        if len(content.encode()) > 4096:
            return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        self.received.append(("wecom", data))
        return {"errcode": 0, "errmsg": "ok"}

    def dingtalk(self, query, data):
        if query.get("access_token") != [DINGTALK_TOKEN]:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        stamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
        if not stamp.isdigit() or abs(int(stamp) - time.time() * 1000) > 3600_000:
            return {"errcode": 310000, "errmsg": "sign not match, more: timestamp"}
        expected = base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), f"{stamp}\n{DINGTALK_SECRET}".encode(),
                                             hashlib.sha256).digest()).decode()
        if sign != expected:  # parse_qs decoded the URL-encoding once, as DingTalk does
            return {"errcode": 310000, "errmsg": "sign not match"}
        md = data.get("markdown") if data.get("msgtype") == "markdown" else None
        if not isinstance(md, dict) or not md.get("title") or not md.get("text"):
            return {"errcode": 40035, "errmsg": "缺少参数 markdown"}
        self.received.append(("dingtalk", data))
        return {"errcode": 0, "errmsg": "ok"}

    def feishu(self, data):
        stamp, sign = str(data.get("timestamp", "")), data.get("sign", "")
        if not stamp.isdigit() or abs(int(stamp) - time.time()) > 3600:
            return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
        expected = base64.b64encode(hmac.new(f"{stamp}\n{FEISHU_SECRET}".encode(), b"",
                                             hashlib.sha256).digest()).decode()
        if sign != expected:
            return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
        kind = data.get("msg_type")
        if kind == "text" and data.get("content", {}).get("text"):
            pass
        elif kind == "interactive" and isinstance(data.get("card"), dict) and data["card"].get("elements"):
            pass
        elif kind == "post" and data.get("content", {}).get("post"):
            pass
        else:
            return {"code": 9499, "msg": "Bad Request"}
        self.received.append(("feishu", data))
        return {"code": 0, "msg": "success", "data": {}}

    def texts(self, platform=None) -> list[str]:
        """The readable text of every accepted message (title and body), for assertions."""
        out = []
        for name, data in self.received:
            if platform and name != platform:
                continue
            if name == "wecom":
                out.append(data["markdown"]["content"])
            elif name == "dingtalk":
                out.append(data["markdown"]["title"] + "\n" + data["markdown"]["text"])
            else:
                card = data["card"]
                out.append(card["header"]["title"]["content"] + "\n"
                           + "\n".join(e.get("content", "") for e in card["elements"]))
        return out

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
