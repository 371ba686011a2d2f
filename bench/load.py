"""Load test: simulated users on a real server over HTTP, then a check that no acknowledged write was lost.

    .venv/bin/python bench/load.py                         # 50 users for 60 s
    .venv/bin/python bench/load.py --users 20 --seconds 20

By default it creates the PostgreSQL database pitwall_load (if missing), fills it with bench/generate.py at
the LOAD scale below, and starts gunicorn as `make serve` does: 2 workers, rate-limit counters in Redis, on a
free port of 127.0.0.1, with LOGIN_RATE_LIMIT raised (every simulated user logs in from 127.0.0.1). The
server's log goes to --server-log; every traceback in it is printed at the end. With --url it uses a server
that is already running on --database-url's data (filled by this script before) instead.

The users log in through the login form and send what the pages send (CSRF tokens and versions read from
the HTML, htmx requests with HX-Request), with think times between actions:
- managers (two sessions per store: the same login on a laptop and a tablet) autosave the minutes of
  their open meeting, each save carrying the version it was based on, and record dispositions in its review;
- staff post progress notes on their action items (every note text is unique);
- general managers read the dashboard, the action board and the meetings.
Traffic goes only to 127.0.0.1 and every loop stops by the clock.

Afterwards the database must hold every write the server acknowledged (2xx): each note once, each
disposition, and for the minutes no two acknowledged saves of one item with the same version (that would
be a silent overwrite) and the final text the one of the highest acknowledged version. Conflicts the server
refused (409) are counted, not errors. Errors are 5xx responses and connection failures. The figures go to
bench/LOAD.md; the exit status is 1 when there were errors or lost writes.
"""
import argparse
import html
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from generate import PASSWORD, Scale, bench_config, fill  # noqa: E402
from run import percentile  # noqa: E402
from sqlalchemy import create_engine, func, make_url, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.actions.models import ACTIVE_STATUSES, ActionItem, ActionItemUpdate  # noqa: E402
from app.auth.models import Store, User  # noqa: E402
from app.extensions import db  # noqa: E402
from app.meetings.models import AgendaItem, Meeting, ReviewEntry  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/pitwall_load"
# Five stores with a quarter of history: enough open items and review rows for every simulated user.
LOAD = Scale(stores=5, staff=12, weeks=13, kpi_months=12, items_per_meeting=(3, 5), talks=8)
MINUTES_KINDS = ("opening", "theme", "summary")  # the agenda items the managers write in
REQUEST_TIMEOUT = 30  # seconds; gunicorn's own worker timeout is 30 s too
SHARE = {"gm": 0.1, "manager": 0.2}  # the rest are staff


# --- what happened -------------------------------------------------------------------------------

@dataclass
class Results:
    """Filled by every user thread: timings and statuses per request kind, and the acknowledged writes."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict = field(default_factory=lambda: defaultdict(list))  # kind -> [ms]
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))  # kind -> status -> n
    errors: list = field(default_factory=list)  # (kind, method, path, status or exception)
    notes: list = field(default_factory=list)  # (item id, version after, note) acknowledged
    minutes: list = field(default_factory=list)  # (agenda item id, version after, text) acknowledged
    dispositions: list = field(default_factory=list)  # (meeting id, item id, disposition) acknowledged

    def record(self, kind, method, path, status, ms):
        with self.lock:
            self.times[kind].append(ms)
            self.statuses[kind][status] += 1
            if not isinstance(status, int) or status >= 500:
                self.errors.append((kind, method, path, status))


class Session:
    """One browser: its own cookies, CSRF token from the last page read, timed requests."""

    def __init__(self, base: str, results: Results):
        self.client = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, follow_redirects=False)
        self.results = results
        self.csrf = None

    def request(self, kind, method, path, htmx=False, **kwargs) -> httpx.Response | None:
        headers = {"HX-Request": "true"} if htmx else {}
        started = time.perf_counter()
        try:
            response = self.client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as e:
            self.results.record(kind, method, path, type(e).__name__, (time.perf_counter() - started) * 1000)
            return None
        self.results.record(kind, method, path, response.status_code, (time.perf_counter() - started) * 1000)
        if token := csrf_token(response.text):
            self.csrf = token
        return response

    def get(self, kind, path, **kwargs):
        return self.request(kind, "GET", path, **kwargs)

    def post(self, kind, path, data, htmx=True):
        return self.request(kind, "POST", path, htmx=htmx, data={"csrf_token": self.csrf, **data})

    def log_in(self, username: str) -> bool:
        if self.get("login page", "/login") is None:
            return False
        response = self.post("log in", "/login", {"username": username, "password": PASSWORD, "next": ""},
                             htmx=False)
        return response is not None and response.status_code == 302

    def close(self):
        self.client.close()


def csrf_token(page: str) -> str | None:
    for tag in re.findall(r'<input[^>]*name="csrf_token"[^>]*>', page):
        if found := re.search(r'value="([^"]+)"', tag):
            return found.group(1)
    return None


# --- the simulated users -----------------------------------------------------------------------------

class SimulatedUser:
    """A loop of actions with think times until the deadline; subclasses say what one action is."""

    think = (1.0, 3.0)  # seconds between two actions

    def __init__(self, n, username, base, results, deadline, think_factor, rng):
        self.n, self.username, self.deadline, self.rng = n, username, deadline, rng
        self.session = Session(base, results)
        self.results = results
        self.think_factor = think_factor
        self.count = 0

    def run(self, start_after: float):
        self.pause(start_after)
        try:
            if time.monotonic() < self.deadline and self.session.log_in(self.username):
                self.start()
                while time.monotonic() < self.deadline:
                    self.act()
                    self.count += 1
                    self.pause(self.rng.uniform(*self.think) * self.think_factor)
        except Exception as e:  # a page this script could not read: count it, never hide it
            self.results.record("load script", "-", self.username, f"{type(e).__name__}: {e}", 0)
        finally:
            self.session.close()

    def pause(self, seconds):
        time.sleep(max(0.0, min(seconds, self.deadline - time.monotonic())))

    def start(self):
        pass

    def act(self):
        raise NotImplementedError


class Manager(SimulatedUser):
    """Writes the minutes of the store's open meeting as they are typed, and works through its review."""

    def __init__(self, *args, meeting_id, minutes_items, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_id = meeting_id
        self.minutes_items = minutes_items  # the agenda items this manager writes in
        self.items = {}  # agenda item id -> [version, text] as this session knows them
        self.review = []  # [(action item id, [dispositions offered])] still open in the review

    def start(self):
        self.read_meeting()

    def read_meeting(self):
        response = self.session.get("meeting page", f"/meetings/{self.meeting_id}")
        if response is None or response.status_code != 200:
            return
        page = response.text
        self.items = {}
        for item_id in self.minutes_items:
            version = re.search(rf'id="minutes-version-{item_id}" value="(\d+)"', page)
            typed = re.search(rf'<textarea id="minutes-text-{item_id}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
            if version and typed:
                self.items[item_id] = [int(version.group(1)), html.unescape(typed.group(1))]
        self.review = [(int(item_id), re.findall(r'<option value="(\w+)"', options))
                       for item_id, options in re.findall(
                           r'<select id="disp-(\d+)" name="disposition">(.*?)</select>', page, re.DOTALL)]

    def act(self):
        if self.review and self.rng.random() < 0.2:
            self.dispose()
        elif self.items:
            self.type_minutes()
        else:
            self.read_meeting()

    def type_minutes(self):
        item_id = self.rng.choice(sorted(self.items))
        version, typed = self.items[item_id]
        words = f" [{self.username}#{self.n}.{self.count}]"
        typed = (typed if len(typed) < 3000 else "") + words
        response = self.session.post("save minutes", f"/meetings/{self.meeting_id}/agenda/{item_id}/minutes",
                                     {"minutes": typed, "version": str(version)})
        if response is None:
            return
        if response.status_code == 200:
            new = re.search(rf'id="minutes-version-{item_id}" value="(\d+)"', response.text)
            if new:
                self.items[item_id] = [int(new.group(1)), typed]
                with self.results.lock:
                    self.results.minutes.append((item_id, int(new.group(1)), typed))
        elif response.status_code == 409:
            self.read_meeting()  # "Discard mine and load theirs", then go on typing

    def dispose(self):
        item_id, offered = self.review.pop(self.rng.randrange(len(self.review)))
        choice = next((d for d in ("verified", "on_schedule") if d in offered), "extended")
        data = {"disposition": choice, "reason": "", "new_deadline": ""}
        if choice == "extended":
            data.update(reason=f"load {self.username} {self.count}: waiting for parts",
                        new_deadline=(date.today() + timedelta(days=14)).isoformat())
        response = self.session.post("disposition", f"/meetings/{self.meeting_id}/review/{item_id}", data)
        if response is not None and response.status_code == 200:
            with self.results.lock:
                self.results.dispositions.append((self.meeting_id, item_id, choice))


class Staff(SimulatedUser):
    """Posts progress notes on their own open action items, as the item cards on "My action items" do."""

    think = (2.0, 6.0)

    def __init__(self, *args, run_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.run_id = run_id
        self.cards = {}  # action item id -> [version, status]

    def start(self):
        self.read_items()

    def read_items(self):
        response = self.session.get("my items", "/actions/mine")
        if response is not None and response.status_code == 200:
            self.cards = dict(self.parse_card(card) for card in re.findall(
                r'<article class="item-card.*?</article>', response.text, re.DOTALL) if 'name="version"' in card)

    @staticmethod
    def parse_card(card: str):
        item_id = int(re.search(r'id="item-(\d+)"', card).group(1))
        version = int(re.search(r'name="version" value="(\d+)"', card).group(1))
        status = re.search(r'<option selected value="(\w+)"|<option value="(\w+)" selected', card)
        return item_id, [version, next(s for s in status.groups() if s) if status else "open"]

    def act(self):
        if not self.cards:
            self.read_items()
            return
        item_id = self.rng.choice(sorted(self.cards))
        version, status = self.cards[item_id]
        if status == "open" and self.rng.random() < 0.3:
            status = "in_progress"
        note = f"load {self.run_id} {self.username} #{self.n}.{self.count}: checked the parts order"
        response = self.session.post("progress note", f"/actions/{item_id}/progress",
                                     {"status": status, "note": note, "version": str(version), "next": ""})
        if response is None:
            return
        if response.status_code in (200, 409):  # both send the card as it stands now
            if 'name="version"' in response.text:
                self.cards[item_id] = self.parse_card(response.text)[1]
            else:
                self.cards.pop(item_id)  # closed by a review meanwhile
            if response.status_code == 200:
                with self.results.lock:
                    self.results.notes.append((item_id, self.cards.get(item_id, [None])[0], note))
                self.session.get("open count", "/actions/mine/count", htmx=True)  # the badge (HX-Trigger)
        else:
            self.cards.pop(item_id, None)  # refused (closed in a review): leave it


class GeneralManager(SimulatedUser):
    """Reads: mostly the dashboard, now and then the action board, the meetings and a meeting."""

    think = (2.0, 5.0)

    def __init__(self, *args, meeting_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_id = meeting_id

    def act(self):
        kind, path = self.rng.choices(
            [("dashboard", "/dashboard/"), ("action board", "/actions/board"), ("meetings list", "/meetings/"),
             ("meeting page", f"/meetings/{self.meeting_id}")], [5, 2, 1, 2])[0]
        self.session.get(kind, path)


# --- the run ------------------------------------------------------------------------------------

def cast(database_url: str, users: int) -> list[tuple[type, str, dict]]:
    """Who the simulated users are in the generated data: (class, username, extra arguments)."""
    app = create_app(bench_config(database_url))
    with app.app_context():
        stores = db.session.scalars(select(Store).order_by(Store.id)).all()
        open_meeting = {m.store_id: m.id for m in db.session.scalars(select(Meeting).where(Meeting.status != "closed"))}
        owners = defaultdict(list)  # store id -> staff usernames, those with most open items first
        rows = db.session.execute(
            select(User.store_id, User.username, func.count(ActionItem.id))
            .join(ActionItem, ActionItem.owner_id == User.id)
            .where(User.role == "staff", ActionItem.status.in_(ACTIVE_STATUSES))
            .group_by(User.store_id, User.username).order_by(func.count(ActionItem.id).desc(), User.username))
        for store_id, username, _ in rows:
            owners[store_id].append(username)
        managers = {u.store_id: u.username for u in db.session.scalars(select(User).where(User.role == "manager"))}
        gms = {u.store_id: u.username for u in db.session.scalars(select(User).where(User.role == "gm"))}
        minutes_items = defaultdict(list)  # meeting id -> the agenda items its managers write in
        for item in db.session.scalars(select(AgendaItem).where(
                AgendaItem.meeting_id.in_(open_meeting.values()), AgendaItem.kind.in_(MINUTES_KINDS))):
            minutes_items[item.meeting_id].append(item.id)
    n_gm = max(1, round(users * SHARE["gm"]))
    n_manager = max(1, round(users * SHARE["manager"]))
    n_staff = max(users - n_gm - n_manager, 0)
    cast_list = []
    for i in range(n_gm):  # gm01 sees the whole group; the others their own store
        store = stores[i % len(stores)]
        cast_list.append((GeneralManager, gms[store.id], {"meeting_id": open_meeting[store.id]}))
    for i in range(n_manager):  # two sessions of one manager: they can overwrite each other's minutes
        store = stores[(i // 2) % len(stores)]
        meeting_id = open_meeting[store.id]
        cast_list.append((Manager, managers[store.id],
                          {"meeting_id": meeting_id, "minutes_items": minutes_items[meeting_id]}))
    for i in range(n_staff):
        store = stores[i % len(stores)]
        names = owners[store.id]
        cast_list.append((Staff, names[(i // len(stores)) % len(names)], {}))
    return cast_list[:users]


def run_users(base: str, database_url: str, users: int, seconds: float, think: float, seed: int) -> Results:
    results = Results()
    run_id = secrets.token_hex(3)
    deadline = time.monotonic() + seconds
    ramp = min(5.0, seconds / 4)  # logins spread over the first seconds, as people arrive
    threads = []
    for n, (kind, username, extra) in enumerate(cast(database_url, users)):
        if kind is Staff:
            extra = {**extra, "run_id": run_id}
        user = kind(n, username, base, results, deadline, think, random.Random(seed + n), **extra)
        thread = threading.Thread(target=user.run, args=(ramp * n / users,), name=f"{kind.__name__}-{n}", daemon=True)
        threads.append(thread)
        thread.start()
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0) + REQUEST_TIMEOUT + 5)
    return results


def check(database_url: str, results: Results) -> list[str]:
    """Every acknowledged write, looked up in the database; returns the ones lost."""
    lost = []
    app = create_app(bench_config(database_url))
    with app.app_context():
        notes = Counter(db.session.scalars(select(ActionItemUpdate.note).where(
            ActionItemUpdate.note.in_([note for _, _, note in results.notes]))))
        for item_id, _, note in results.notes:
            if notes[note] != 1:
                lost.append(f"progress note on item {item_id} stored {notes[note]} times: {note!r}")
        by_item = defaultdict(list)
        for item_id, version, typed in results.minutes:
            by_item[item_id].append((version, typed))
        for item_id, saves in by_item.items():
            versions = Counter(v for v, _ in saves)
            for version, n in versions.items():
                if n > 1:
                    lost.append(f"minutes of agenda item {item_id}: {n} saves acknowledged as version {version}")
            item = db.session.get(AgendaItem, item_id)
            version, typed = max(saves)
            if (item.minutes_version, item.minutes) != (version, typed):
                lost.append(f"minutes of agenda item {item_id}: version {item.minutes_version} in the database, "
                            f"{version} acknowledged last, texts {'differ' if item.minutes != typed else 'agree'}")
        entries = {(e.meeting_id, e.action_item_id): e.disposition for e in db.session.scalars(select(ReviewEntry))}
        for meeting_id, item_id, disposition in results.dispositions:
            if entries.get((meeting_id, item_id)) != disposition:
                lost.append(f"disposition {disposition} of item {item_id} in meeting {meeting_id}: "
                            f"{entries.get((meeting_id, item_id))} in the database")
    return lost


# --- the server -------------------------------------------------------------------------------------

def create_database(url: str) -> None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}):
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, redis_url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
           "RATELIMIT_STORAGE_URI": redis_url, "LOGIN_RATE_LIMIT": "100000 per minute"}
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--no-control-socket", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    return server, wait_until_up(server, base, "/health", log_path)


def wait_until_up(server: subprocess.Popen, base: str, path: str, log_path: Path) -> str:
    """`base` once gunicorn answers `path` with 200 (30 s at most; stopped and refused otherwise)."""
    for _ in range(60):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}); see {log_path}")
        try:
            if httpx.get(f"{base}{path}", timeout=2).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer {path} in 30 s; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)  # its own process group: the master and its two workers
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def worker_cpu(server: subprocess.Popen) -> float:
    """CPU seconds the gunicorn workers have used so far (Linux /proc): a figure that, unlike wall
    time, does not depend on what else the machine is doing."""
    total = 0
    for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that has just been replaced
            continue
        total += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of stat
    return total / os.sysconf("SC_CLK_TCK")


def tracebacks(log_path: Path) -> list[str]:
    """Flask's "Exception on PATH [METHOD]" with the traceback's last line, per occurrence."""
    if not log_path.exists():
        return []
    found = []
    lines = log_path.read_text(errors="replace").splitlines()
    for i, line in enumerate(lines):
        if "Exception on " in line:
            end = next((j for j in range(i + 1, len(lines)) if lines[j] and not lines[j].startswith((" ", "Traceback"))
                        and not lines[j].startswith("During handling")), i)
            found.append(f"{line.split('ERROR in app: ')[-1]} -> {lines[end].strip()}")
    return found


# --- the report ----------------------------------------------------------------------------------------

def cpu_line(cpu: float, requests: int) -> str:
    per_request = cpu * 1000 / max(requests, 1)
    return f"- CPU of the two gunicorn workers: {cpu:.1f} s, {per_request:.0f} ms per request (PostgreSQL's not counted)"


def summary(results: Results, users: int, seconds: float, lost: list[str], problems: list[str],
            load: tuple[float, float], cpu: float | None) -> list[str]:
    kinds = sorted(results.times, key=lambda k: -len(results.times[k]))
    total = sum(len(v) for v in results.times.values())
    conflicts = sum(s[409] for s in results.statuses.values())
    rows = [["request", "count", "p50 ms", "p95 ms", "max ms", "statuses"]]
    for kind in kinds:
        ms = results.times[kind]
        statuses = ", ".join(f"{s} × {n}" for s, n in sorted(results.statuses[kind].items(), key=lambda x: str(x[0])))
        rows.append([kind, str(len(ms)), f"{statistics.median(ms):.0f}", f"{percentile(ms, 95):.0f}",
                     f"{max(ms):.0f}", statuses])
    lines = [
        f"- {users} users for {seconds:.0f} s: {total:,} requests ({total / seconds:.1f} per second)",
        f"- Machine load average (1 min) before and after: {load[0]:.1f}, {load[1]:.1f} (2 cores)",
        *([cpu_line(cpu, total)] if cpu is not None else []),
        f"- Errors (5xx, connection failures, pages the script could not read): {len(results.errors)}",
        f"- Conflicts refused (409): {conflicts}",
        (f"- Acknowledged writes: {len(results.minutes)} minutes saves, {len(results.dispositions)} dispositions, "
         f"{len(results.notes)} progress notes; lost: {len(lost)}"),
        "",
        "| " + " | ".join(rows[0]) + " |",
        "|---|---:|---:|---:|---:|---|",
        *["| " + " | ".join(row) + " |" for row in rows[1:]],
    ]
    if results.errors:
        lines += ["", "Errors:", *[f"- {kind}: {method} {path} -> {status}" for kind, method, path, status in
                                   sorted(Counter(results.errors))]]
    if problems:
        lines += ["", "Tracebacks in the server log:", *[f"- {p}" for p in sorted(Counter(problems))]]
    if lost:
        lines += ["", "Lost writes:", *[f"- {x}" for x in lost]]
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="scales every think time (0.5: twice as busy)")
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8", help="rate-limit storage of the server")
    parser.add_argument("--url", help="a server already running on --database-url (this script fills nothing)")
    parser.add_argument("--server-log", type=Path, default=Path("/tmp/pitwall-load-gunicorn.log"))
    parser.add_argument("--report", type=Path, default=HERE / "LOAD.md")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.url and urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load goes to this machine only (127.0.0.1)")

    server = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        started = time.perf_counter()
        create_database(args.database_url)
        counts = fill(args.database_url, LOAD)
        print(f"filled {make_url(args.database_url).render_as_string(hide_password=True)} in "
              f"{time.perf_counter() - started:.0f} s: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        server, base = start_server(args.database_url, args.redis_url, args.server_log)
        print(f"gunicorn (2 workers) on {base}, log {args.server_log}")
    try:
        print(f"{args.users} users for {args.seconds:.0f} s ...", flush=True)
        load_before = os.getloadavg()[0]
        cpu_before = worker_cpu(server) if server else None
        results = run_users(base, args.database_url, args.users, args.seconds, args.think, args.seed)
        cpu = worker_cpu(server) - cpu_before if server else None
    finally:
        if server is not None:
            stop_server(server)
    lost = check(args.database_url, results)
    problems = tracebacks(args.server_log) if server is not None else []
    lines = summary(results, args.users, args.seconds, lost, problems, (load_before, os.getloadavg()[0]), cpu)
    print("\n".join(lines))
    args.report.write_text("\n".join([
        "# Pitwall load test", "",
        (f"`bench/load.py --users {args.users} --seconds {args.seconds:.0f}` on {date.today().isoformat()}: "
         f"gunicorn with 2 sync workers on PostgreSQL ({make_url(args.database_url).database}), Redis rate-limit "
         "storage, the load generator on the same 2-core machine. Times are wall times seen by the client, "
         "queueing included."), "", *lines, ""]))
    print(f"report: {args.report}")
    if results.errors or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
