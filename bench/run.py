"""Time the main pages on a generated database and count their SQL statements; write bench/REPORT.md.

    .venv/bin/python bench/generate.py --scale large && .venv/bin/python bench/run.py --scale large

Logs in as a service manager, a general manager over every store and a staff member (Flask test
client, no server) and requests each page --repeat times. Per page: the median and 95th percentile
wall time and the SQL statements one request runs. Results are kept in bench/results-<scale>.json;
when the other scale has results too, any page whose statement count differs between the scales is
flagged: its queries grow with the data (an N+1, or a list that is not paginated).

Then the minutes PDF (`measure_pdf`): a closed meeting whose review has 40 rows, rendered to PDF
--repeat times as its first download does (HTML and WeasyPrint); it must stay under one second.
`--pdf-only` measures only that (any migrated database will do: the meeting is made in a
transaction that is rolled back).
"""
import argparse
import io
import json
import math
import os
import re
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from generate import PASSWORD, SCALES, bench_config, default_url  # noqa: E402
from sqlalchemy import event, func, make_url, select  # noqa: E402

from app import create_app  # noqa: E402
from app.actions.models import ActionItem, ActionItemUpdate  # noqa: E402
from app.auth.models import Store, User  # noqa: E402
from app.coaching.models import CoachingSession  # noqa: E402
from app.extensions import db  # noqa: E402
from app.goals.models import Goal, PlanStep  # noqa: E402
from app.kpis.models import KpiValue  # noqa: E402
from app.meetings.models import AgendaItem, Attendance, Decision, Meeting, ReviewEntry  # noqa: E402
from app.reviews.models import ManagerReview  # noqa: E402
from app.timeutils import local_today  # noqa: E402

HERE = Path(__file__).resolve().parent
REPORT = HERE / "REPORT.md"
SLOW_MS = 300  # the report marks pages whose median is above this
PDF_REVIEW_ROWS = 40  # the minutes PDF is measured for a meeting whose review has this many rows
PDF_LIMIT_MS = 1000  # and its median must stay below this
TARGET_P95_MS = 50  # issue 14: every page at the group scale, p95 through the test client
REPEATED = 5  # the report lists a statement one request runs this often or more: an N+1 suspect

COUNTED_TABLES = [Store, User, Meeting, AgendaItem, Attendance, Decision, ReviewEntry, ActionItem, ActionItemUpdate,
                  KpiValue, Goal, PlanStep, CoachingSession, ManagerReview]


def pages(ids: dict) -> dict[str, list[tuple[str, str]]]:
    """(page, URL) per user; the ids come from the generated data (store S01)."""
    shared = [
        ("dashboard", "/dashboard/"),
        ("meetings list", "/meetings/"),
        ("meeting + review", f"/meetings/{ids['meeting']}"),
        ("my action items", "/actions/mine"),
        ("notifications", "/notifications/"),
    ]
    store_side = [
        ("action board", "/actions/board"),
        ("KPI grid", "/kpis/grid"),
        ("goals list", "/goals/"),
        ("goal page", f"/goals/{ids['goal']}"),
        ("coaching index", "/coaching/"),
        ("coaching person", f"/coaching/people/{ids['staff']}"),
        ("coaching session", f"/coaching/sessions/{ids['session']}"),
        ("problems register", "/problems/"),
        ("cases archive", "/cases/"),
        ("reports archive", "/reports/"),
    ]
    return {
        "manager": shared + store_side + [
            ("reviews (own history)", f"/reviews/manager/{ids['manager']}"),
            ("decisions register", "/meetings/decisions"),
        ],
        "gm": [("group overview", "/dashboard/group"), *shared, *store_side,
            ("reviews index", "/reviews/"),
            ("decisions register", "/meetings/decisions"),
        ],
        "staff": shared + [
            ("my problems", "/problems/mine"),
            ("KPI grid (own)", "/kpis/grid"),
            ("goals list", "/goals/"),
            ("goal page", f"/goals/{ids['goal']}"),
            ("coaching person (own)", f"/coaching/people/{ids['staff']}"),
            ("coaching session (own)", f"/coaching/sessions/{ids['staff_session']}"),
            ("decisions register", "/meetings/decisions"),
        ],
    }


USERS = {"manager": "manager01", "gm": "gm01", "staff": "s01-staff01"}


def find_ids(today: date) -> dict:
    """The pages' subjects in store S01: the coming meeting (its review lists every open item), the
    year's satisfaction goal (broken down to the advisors), a finished talk whose effect is due."""
    user = {role: db.session.scalar(select(User).where(User.username == name)) for role, name in USERS.items()}
    store_id = user["manager"].store_id
    staff_id = user["staff"].id
    finished = select(CoachingSession.id).where(
        CoachingSession.steps_done == 5, CoachingSession.follow_up_on <= today).order_by(CoachingSession.id)
    return {
        "manager": user["manager"].id,
        "staff": staff_id,
        "meeting": db.session.scalar(select(Meeting.id).where(
            Meeting.store_id == store_id, Meeting.status == "planned").order_by(Meeting.meeting_date)),
        "goal": db.session.scalar(select(Goal.id).where(
            Goal.store_id == store_id, Goal.person_id.is_(None), Goal.period_kind == "year",
            Goal.period_start <= today, Goal.period_end >= today)),
        "session": db.session.scalar(finished.where(CoachingSession.store_id == store_id)),
        "staff_session": db.session.scalar(finished.where(CoachingSession.person_id == staff_id))
        or db.session.scalar(select(CoachingSession.id).where(CoachingSession.person_id == staff_id)),
    }


class StatementCounter:
    """Records every SQL statement the engine sends (before_cursor_execute), per request."""

    def __init__(self, engine):
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def reset(self):
        self.statements = []


def normalise(statement: str) -> str:
    """One line, parameters as ?, IN lists folded: the same query for 3 or 30 ids, on SQLite or
    PostgreSQL, reads the same."""
    sql = " ".join(statement.split()).replace('"', "")
    sql = re.sub(r"%\(\w+\)s(::\w+)?", "?", sql)  # psycopg's named parameters and their casts
    return re.sub(r"IN \([^()]*\)", "IN (…)", sql)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: with 20 runs, p95 is the second slowest."""
    ordered = sorted(values)
    return ordered[max(math.ceil(pct / 100 * len(ordered)) - 1, 0)]


def measure(app, counter: StatementCounter, role: str, urls: list[tuple[str, str]], repeat: int) -> list[dict]:
    client = app.test_client()
    # Each request runs in an app context of its own (a fresh session), as in production.
    response = client.post("/login", data={"username": USERS[role], "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login as {USERS[role]} failed: {response.status_code}")
    results = []
    for page, url in urls:
        client.get(url)  # warm-up: compiles the templates, fills SQLAlchemy's statement cache
        times, cpu, counts, statuses = [], [], [], set()
        for _ in range(repeat):
            counter.reset()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            counts.append(len(counter.statements))
            statuses.add(response.status_code)
        kinds = Counter(normalise(sql) for sql in counter.statements)  # the last request's statements
        results.append({
            "role": role, "page": page, "url": url, "status": "/".join(map(str, sorted(statuses))),
            "median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1),
            "cpu_median_ms": round(statistics.median(cpu), 1), "cpu_p95_ms": round(percentile(cpu, 95), 1),
            "statements": max(counts), "by_statement": dict(kinds.most_common()),
        })
        print(f"  {role:8} {page:26} {results[-1]['median_ms']:8.1f} ms  {max(counts):4} statements", flush=True)
    return results


def measure_pdf(app, repeat: int, out: str | None = None) -> dict:
    """The minutes PDF of a closed meeting with PDF_REVIEW_ROWS review rows (every disposition, with
    reasons and new deadlines), 8 attendees, minutes under each agenda item, 5 decisions and 6 new
    action items, in Chinese: median and p95 of `documents.render_minutes` (the first download of
    the archived copy; later ones read the stored bytes). The data is rolled back afterwards."""
    from datetime import time as clock
    from datetime import timedelta

    from pypdf import PdfReader

    from app.actions.services import create_action_item
    from app.auth.models import MANAGER, STAFF
    from app.auth.services import create_user
    from app.meetings import documents
    from app.meetings import services as meetings

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        try:
            today = local_today()
            store = Store(code="PDFBENCH", name="北京一店（基准测试）")
            db.session.add(store)
            db.session.flush()
            manager = create_user(username="pdfbench-manager", password=PASSWORD, display_name="李经理", role=MANAGER,
                                  store=store)
            staff = [create_user(username=f"pdfbench-staff{i}", password=PASSWORD, display_name=f"服务顾问{i:02d}",
                                 role=STAFF, store=store, position="service_advisor") for i in range(7)]
            for i in range(PDF_REVIEW_ROWS):
                create_action_item(store_id=store.id, title=f"第 {i + 1} 项：回访上周返修车辆的客户并记录满意度，整理投诉原因",
                                   owner_id=staff[i % len(staff)].id, deadline=today + timedelta(days=i % 9 - 4),
                                   created_by_id=manager.id)
            meeting = meetings.create_meeting(
                store_id=store.id, created_by_id=manager.id, attendee_ids=[manager.id] + [u.id for u in staff],
                kind="weekly", theme="售后服务周例会：客户投诉率上升", objective="找出投诉上升的原因并落实整改措施",
                meeting_date=today - timedelta(days=1), start_time=clock(8, 30), place="二楼会议室",
                chair_id=manager.id, minute_taker_id=staff[0].id)
            for item in meeting.agenda_items:
                meetings.save_minutes(item, "本周进厂台次 312，投诉 5 起，较上周增加 2 起。\n主要原因：交车说明不充分。", 0,
                                      manager.id)
            for i in range(5):
                meetings.add_decision(meeting, f"决议 {i + 1}：交车前由服务顾问逐项说明维修内容和费用", None, manager.id)
            for i in range(6):
                meetings.add_action_item(meeting, manager.id, title=f"新行动项 {i + 1}：制定交车说明清单",
                                         description="按车型分类，周五前完成", owner_id=staff[i % len(staff)].id,
                                         deadline=today + timedelta(days=7), priority="normal",
                                         agenda_item_id=meeting.agenda_item("action_plan").id)
            meetings.mark_everyone_present(meeting)
            rows = meetings.review_items_for(meeting)
            assert len(rows) == PDF_REVIEW_ROWS, len(rows)
            rotation = ["on_schedule", "extended", "escalated", "cancelled"]
            for n, (item, _entry) in enumerate(rows):
                allowed = meetings.allowed_dispositions(item, meeting)
                choice = next(c for c in rotation[n % 4:] + rotation if c in allowed)
                meetings.record_disposition(meeting, item, manager.id, choice, reason="配件未到，与客户约定下周处理",
                                            new_deadline=today + timedelta(days=14) if choice == "extended" else None)
            meetings.close_meeting(meeting, manager.id)
            db.session.flush()
            data = documents.render_minutes(meeting)  # warm-up: fonts, templates
            times, cpu = [], []
            for _ in range(repeat):
                started, started_cpu = time.perf_counter(), time.process_time()
                data = documents.render_minutes(meeting)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            if out:
                Path(out).write_bytes(data)
        finally:
            db.session.rollback()
    result = {"review_rows": PDF_REVIEW_ROWS, "median_ms": round(statistics.median(times), 1),
              "p95_ms": round(percentile(times, 95), 1), "cpu_median_ms": round(statistics.median(cpu), 1),
              "bytes": len(data), "pages": pages, "repeat": repeat, "load": round(os.getloadavg()[0], 1),
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    print(f"  minutes PDF, {PDF_REVIEW_ROWS} review rows: {result['median_ms']:.1f} ms median, "
          f"{result['p95_ms']:.1f} ms p95, CPU {result['cpu_median_ms']:.1f} ms, {len(data):,} bytes, "
          f"load average {result['load']}", flush=True)
    return result


# The group scale and the gunicorn comparison (bench/serve_ratio.py) keep their own sections of the
# report, between markers: a run at another scale rewrites the rest and keeps them.
SECTION_NAMES = ("group", "group-postgresql", "serve", "notes")


def section(name: str, text: str | None = None) -> str:
    """Read (text None) or replace the report's section `name`; returns the section's text."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    report = REPORT.read_text() if REPORT.exists() else "# Pitwall benchmark\n"
    if text is None:
        if start in report and end in report:
            return report[report.index(start):report.index(end) + len(end)]
        return ""
    block = f"{start}\n{text.rstrip()}\n{end}"
    if start in report and end in report:
        report = report[:report.index(start)] + block + report[report.index(end) + len(end):]
    else:
        report = report.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(report)
    return block


def kept_sections() -> str:
    return "\n\n".join(filter(None, (section(name) for name in SECTION_NAMES)))


def pdf_lines(pdf: dict) -> list[str]:
    verdict = "under" if pdf["p95_ms"] < PDF_LIMIT_MS else "**OVER**"
    return [
        "## Minutes PDF",
        "",
        f"Measured {pdf.get('date', '')}.",
        "",
        f"A closed meeting whose review has {pdf['review_rows']} rows (8 attendees, minutes under every agenda item, "
        "5 decisions, 6 action items), in Chinese, rendered to PDF (`app/meetings/documents.py` `render_minutes`: "
        "the template, then WeasyPrint) as its first download does; later downloads read the archived bytes.",
        "",
        "| review rows | runs | median ms | p95 ms | CPU ms (median) | pages | PDF bytes | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {pdf['review_rows']} | {pdf['repeat']} | {pdf['median_ms']:.1f} | {pdf['p95_ms']:.1f} | "
        f"{pdf['cpu_median_ms']:.1f} | {pdf['pages']} | {pdf['bytes']:,} | {pdf['load']} |",
        "",
        f"p95 {verdict} the limit of {PDF_LIMIT_MS} ms. CPU ms is the process's own CPU time per rendering: "
        "the wall time a machine with a free core would see; the wall time includes waiting for a core "
        "(see the load average: the machine's 1-minute load when measured).",
        "",
    ]


def table(results: list[dict], other: dict | None, other_scale: str | None, before: dict | None = None) -> list[list[str]]:
    head = ["user", "page", "status", "median ms", "p95 ms", "CPU median", "CPU p95", "statements"]
    if other is not None:
        head.append(f"at {other_scale}")
    if before is not None:
        head += ["before: median ms", "p95 ms", "statements"]
    rows = [head]
    for r in results:
        row = [r["role"], r["page"], r["status"], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}",
               f"{r.get('cpu_median_ms', 0):.1f}", f"{r.get('cpu_p95_ms', 0):.1f}", str(r["statements"])]
        if other is not None:
            row.append(str(other.get(key(r), {}).get("statements", "–")))
        if before is not None:
            old = before.get(key(r))
            row += ([f"{old['median_ms']:.1f}", f"{old['p95_ms']:.1f}", str(old["statements"])] if old
                    else ["–", "–", "–"])
        rows.append(row)
    return rows


def key(r: dict) -> str:
    return f"{r['role']} / {r['page']}"


def plain_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" if i < 3 else "---:" for i in range(len(rows[0]))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def warnings(results: list[dict], other: dict | None, scale: str, other_scale: str | None) -> list[str]:
    found = []
    for r in results:
        if r["status"] != "200":
            found.append(f"WARNING: {key(r)}: HTTP {r['status']} ({r['url']})")
        theirs = (other or {}).get(key(r))
        if theirs and theirs["statements"] != r["statements"]:
            found.append(f"WARNING: {key(r)}: {theirs['statements']} statements at {other_scale}, "
                         f"{r['statements']} at {scale}: the page's queries grow with the data")
            # Which statements make the difference, biggest first: the N+1 is usually the top one.
            mine, before = r["by_statement"], theirs.get("by_statement", {})
            diff = {sql: mine.get(sql, 0) - before.get(sql, 0) for sql in set(mine) | set(before)}
            for sql in sorted((q for q in diff if diff[q]), key=lambda q: -abs(diff[q]))[:5]:
                found.append(f"    {before.get(sql, 0)} at {other_scale}, {mine.get(sql, 0)} at {scale}: {sql[:150]}")
    return found


def write_report(meta: dict, rows, problems: list[str], results: list[dict], pdf: dict | None = None) -> None:
    slow = [r for r in results if r["median_ms"] > SLOW_MS]
    group = meta["scale"] == "group"
    over = [r for r in results if r["p95_ms"] > TARGET_P95_MS]
    lines = [
        f"## The group scale on {meta['database'].split(':')[0].split('+')[0]}" if group else "# Pitwall benchmark",
        "",
        f"- Date: {meta['date']}",
        f"- Scale: {meta['scale']}",
        f"- Database: {meta['database']}",
        f"- Runs per page: {meta['repeat']} (after one warm-up request); whole run {meta['seconds']:.0f} s",
        "- Rows: " + ", ".join(f"{name} {n:,}" for name, n in meta["rows"].items()),
        "",
        "Wall time is one request through the Flask test client (no network), rendering included; CPU is the "
        "process's CPU time for it (what a free core would take: on a machine busy with other work, wall time "
        f"includes waiting for a core; load average {os.getloadavg()[0]:.1f} at the end of this run). "
        "Statements are the SQL statements that request sent to the database; "
        f"`at {meta.get('other_scale') or 'other scale'}` is the same page on the other scale's data.",
        "",
        markdown_table(rows),
        "",
        "## Warnings",
        "",
        *([f"- {p}" if p.startswith("WARNING") else f"    - `{p.strip()}`" for p in problems] or ["- None: every page answered 200 and runs as many statements at both scales."]),
        "",
        f"## Slow pages (median over {SLOW_MS} ms)",
        "",
        *([f"- {key(r)}: {r['median_ms']:.0f} ms" for r in slow] or ["- None."]),
        "",
        *([f"## Pages over the target (p95 over {TARGET_P95_MS} ms)", "",
           *([f"- {key(r)}: p95 {r['p95_ms']:.0f} ms" for r in over] or ["- None."]), ""] if group else []),
        f"## Statements one request runs {REPEATED} times or more (N+1 suspects)",
        "",
    ]
    if group:  # a section of its own: one heading level down
        lines = lines[:1] + [line.replace("## ", "### ", 1) if line.startswith("## ") else line for line in lines[1:]]
    repeated = [(r, n, sql) for r in results for sql, n in r["by_statement"].items() if n >= REPEATED]
    for r, n, sql in repeated:
        lines.append(f"- {key(r)}: {n} × `{sql[:160]}`")
    if not repeated:
        lines.append("- None.")
    if group:  # one section per database
        postgres = meta["database"].startswith("postgresql")
        section("group-postgresql" if postgres else "group", "\n".join(lines))
        return
    if pdf:
        lines += ["", *pdf_lines(pdf)]
    kept = kept_sections()
    REPORT.write_text("\n".join(lines) + "\n" + (f"\n{kept}\n" if kept else ""))


def selected(wanted: str, role: str, page: str) -> bool:
    """--pages: does "a, gm/b" name this page (by its name, or role/name)?"""
    names = {w.strip().lower() for w in wanted.split(",") if w.strip()}
    return page.lower() in names or f"{role}/{page}".lower() in names


def partial_report(results: list[dict], scale: str, url: str) -> None:
    """Print the measured pages beside the last full run's figures and the other scale's counts."""
    other_scale = "large" if scale == "small" else "small"
    suffix = "" if url.startswith("sqlite") else "-" + make_url(url).get_backend_name()
    files = {"other": HERE / f"results-{other_scale}.json", "last": HERE / f"results-{scale}{suffix}.json"}
    found = {name: json.loads(f.read_text())["pages"] for name, f in files.items() if f.exists()}
    rows = table(results, found.get("other"), other_scale, found.get("last"))
    if "last" in found:
        rows[0] = [cell if i < len(rows[0]) - 3 else f"last full run: {cell}" if i == len(rows[0]) - 3 else cell
                   for i, cell in enumerate(rows[0])]
    print()
    print(plain_table(rows))
    for line in warnings(results, found.get("other"), scale, other_scale):
        print(line)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="small", help="which generated database (and results file)")
    parser.add_argument("--database-url", help="default: the scale's SQLite file under /tmp, as generate.py makes it")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--pdf-only", action="store_true",
                        help="only the minutes PDF: replaces the report's \"Minutes PDF\" section, leaves the rest")
    parser.add_argument("--pdf-out", help="also write the measured minutes PDF to this file, to look at")
    parser.add_argument("--no-pdf", action="store_true", help="leave the minutes PDF out (the group scale does)")
    parser.add_argument("--pages", help="only these pages: comma-separated, each a page name (\"goal page\") or role/page "
                        "(\"gm/KPI grid\"), case-insensitive; prints the table and writes no results file or report")
    parser.add_argument("--save-before", action="store_true",
                        help="also keep the results as bench/results-<scale>-before.json: later runs show them beside theirs")
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.scale)
    started = time.perf_counter()
    app = create_app(bench_config(url))
    if args.pdf_only:
        pdf = measure_pdf(app, args.repeat, args.pdf_out)
        print("\n".join(pdf_lines(pdf)))
        old = REPORT.read_text() if REPORT.exists() else "# Pitwall benchmark"
        kept = old.split("## Minutes PDF")[0].rstrip()
        sections = kept_sections()
        REPORT.write_text(kept + "\n\n" + "\n".join(pdf_lines(pdf)) + (f"\n{sections}\n" if sections else ""))
        raise SystemExit(0 if pdf["p95_ms"] < PDF_LIMIT_MS else 1)
    with app.app_context():
        today = local_today()
        ids = find_ids(today)
        counter = StatementCounter(db.engine)
        rows_count = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED_TABLES}
    print(f"{args.scale}: {url}, {args.repeat} runs per page")
    results = []
    for role, urls in pages(ids).items():
        if args.pages:
            urls = [(page, u) for page, u in urls if selected(args.pages, role, page)]
        if urls:
            results += measure(app, counter, role, urls, args.repeat)
    if args.pages:  # a partial run: compared with the full runs' files, which it leaves as they are
        partial_report(results, args.scale, url)
        return
    pdf = None if args.no_pdf or args.scale == "group" else measure_pdf(app, args.repeat, args.pdf_out)

    # Statement counts are compared with the small scale (small: with large).
    other_scale = "large" if args.scale == "small" else "small"
    other_file = HERE / f"results-{other_scale}.json"
    other = json.loads(other_file.read_text())["pages"] if other_file.exists() else None
    meta = {"date": today.isoformat(), "scale": args.scale, "database": make_url(url).render_as_string(hide_password=True),
            "repeat": args.repeat, "rows": rows_count, "seconds": time.perf_counter() - started,
            "other_scale": other_scale if other else None}
    suffix = "" if url.startswith("sqlite") else "-" + make_url(url).get_backend_name()
    (HERE / f"results-{args.scale}{suffix}.json").write_text(
        json.dumps({"meta": meta, "pages": {key(r): r for r in results}, "pdf": pdf}, ensure_ascii=False, indent=1))

    before_file = HERE / f"results-{args.scale}{suffix}-before.json"
    if args.save_before:
        before_file.write_text(json.dumps({"meta": meta, "pages": {key(r): r for r in results}}, ensure_ascii=False, indent=1))
    before = json.loads(before_file.read_text())["pages"] if before_file.exists() and not args.save_before else None
    rows = table(results, other, other_scale, before)
    problems = warnings(results, other, args.scale, other_scale)
    print()
    print(plain_table(rows))
    print()
    for line in problems:
        print(line)
    if other is None:
        print(f"(no {other_file.name} yet: run the {other_scale} scale too to compare statement counts)")
    if pdf and pdf["p95_ms"] >= PDF_LIMIT_MS:
        print(f"WARNING: the minutes PDF took {pdf['p95_ms']:.0f} ms (p95), over {PDF_LIMIT_MS} ms")
    write_report(meta, rows, problems, results, pdf)
    print(f"report: {REPORT.relative_to(HERE.parent)}; {meta['seconds']:.0f} s")


if __name__ == "__main__":
    main()
