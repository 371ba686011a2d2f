"""Requests per second under gunicorn, each page against a bare 50-row table page in the same run.

    .venv/bin/python bench/serve_ratio.py --scale group

Starts gunicorn as `make serve` does (2 sync workers, rate-limit counters in Redis, a free port on
127.0.0.1) on the scale's generated database (bench/generate.py), with bench/serve_app.py: the app plus
`/bench/table`, 50 rows read with Flask-SQLAlchemy and rendered by Jinja, no login. wrk (8 connections,
--seconds each) measures the table first, then each page logged in as its user (the session cookie of a
real login), then the table again; a page's ratio is its requests per second over the mean of the two
table runs. Writes the section "serve" of bench/REPORT.md. Issue 14's target: the GM group overview and
the dashboards at 25 % or more of the table.
"""
import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import PASSWORD, SCALES, default_url  # noqa: E402
from load import free_port, wait_until_up  # noqa: E402
from load import stop_server as stop  # noqa: E402
from run import section  # noqa: E402

TARGET = 0.25
PAGES = [  # (user, page, path); the group overview and the dashboards carry the target
    ("gm01", "GM group overview", "/dashboard/group"),
    ("gm01", "GM dashboard", "/dashboard/"),
    ("manager01", "manager dashboard", "/dashboard/"),
    ("s01-staff01", "staff dashboard", "/dashboard/"),
    ("manager01", "meetings list", "/meetings/"),
    ("manager01", "action board", "/actions/board"),
    ("manager01", "my action items", "/actions/mine"),
    ("manager01", "KPI grid", "/kpis/grid"),
    ("manager01", "coaching index", "/coaching/"),
]
TARGETED = {"GM group overview", "GM dashboard", "manager dashboard", "staff dashboard"}


def start(database_url: str, redis_url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
           "RATELIMIT_STORAGE_URI": redis_url, "LOGIN_RATE_LIMIT": "100000 per minute"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", str(HERE.parent / "gunicorn.conf.py"),
         "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--chdir", str(HERE),
         "serve_app:app"],
        cwd=HERE.parent, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    return server, wait_until_up(server, f"http://127.0.0.1:{port}", "/bench/table", log_path)


def cookie_for(base: str, username: str) -> str:
    """Log in through the login form (CSRF token included): the Cookie header of that session."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page)
        answer = client.post("/login", data={"csrf_token": token.group(1) if token else "", "username": username,
                                             "password": PASSWORD})
        if answer.status_code != 302:
            raise SystemExit(f"login as {username} failed: {answer.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def wrk(url: str, seconds: int, connections: int, cookie: str | None = None) -> dict:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {"rate": rate, "p50_ms": float(p50.group(1)) * scale[p50.group(2)] if p50 else None,
            "errors": int(non2xx.group(1)) if non2xx else 0}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="group")
    parser.add_argument("--database-url", help="default: the scale's SQLite file, as generate.py makes it")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    parser.add_argument("--seconds", type=int, default=5, help="per page and per table run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--server-log", type=Path, default=Path("/tmp/pitwall-serve-ratio.log"))
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    url = args.database_url or default_url(args.scale)
    server, base = start(url, args.redis_url, args.server_log)
    try:
        cookies = {user: cookie_for(base, user) for user in {u for u, _, _ in PAGES}}
        for user, _, path in PAGES:  # warm both workers: templates compiled, figures computed once
            for _ in range(4):
                httpx.get(base + path, headers={"Cookie": cookies[user]}, timeout=60)
        # The table before and after every page: on a shared machine the load changes within a minute,
        # so each page is compared with the table runs on either side of it.
        tables = [wrk(f"{base}/bench/table", args.seconds, args.connections)]
        print(f"  bare 50-row table        {tables[0]['rate']:8.1f} req/s", flush=True)
        results = []
        for user, page, path in PAGES:
            r = wrk(base + path, args.seconds, args.connections, cookies[user])
            tables.append(wrk(f"{base}/bench/table", args.seconds, args.connections))
            r["table"] = statistics.mean(t["rate"] for t in tables[-2:])
            results.append((user, page, path, r))
            print(f"  {page:24} {r['rate']:8.1f} req/s  p50 {r['p50_ms'] or 0:.1f} ms  non-2xx {r['errors']}  "
                  f"table around it {r['table']:.1f} req/s", flush=True)
    finally:
        stop(server)
    table_rate = statistics.mean(t["rate"] for t in tables)
    lines = [
        "## Under gunicorn: pages against a bare table",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `bench/serve_ratio.py` on {args.scale} data "
        f"({url.split('://')[0]}); gunicorn with 2 sync workers, wrk with {args.connections} connections, "
        f"{args.seconds} s per page; the machine's load average {os.getloadavg()[0]:.1f}. The yardstick is a bare "
        "page reading 50 rows with Flask-SQLAlchemy and rendering them with Jinja (`bench/serve_app.py`), measured "
        f"before and after every page ({min(t['rate'] for t in tables):.0f}–{max(t['rate'] for t in tables):.0f}, "
        f"mean {table_rate:.0f} requests/s); a page's share is against the two table runs around it. "
        f"Target (issue 14): the group overview and the dashboards at {TARGET:.0%} of it or more.",
        "",
        "| user | page | requests/s | p50 ms | non-2xx | table around it, requests/s | share of the table | target |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for user, page, _path, r in results:
        share = r["rate"] / r["table"]
        target = ("met" if share >= TARGET else "**missed**") if page in TARGETED else ""
        lines.append(f"| {user} | {page} | {r['rate']:.1f} | {r['p50_ms'] or 0:.1f} | {r['errors']} | {r['table']:.0f} | "
                     f"{share:.0%} | {target} |")
    section("serve", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
