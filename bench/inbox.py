"""Inbox benchmark: 100,000 incoming documents, the inbox page and API list under load.

    python bench/inbox.py                            # SQLite, wrk, 32 connections
    python bench/inbox.py --db postgresql://...      # an empty PostgreSQL database
    python bench/inbox.py --tool both                # wrk and a Python thread pool
    python bench/inbox.py --explain                  # query plans, in-process timings

Documents are recombined from the ALQAC 2022 law articles in ../shared/corpora/vn-legal:
60% belong to one agency (30 users: records officer, 3 leaders, 6 department heads,
20 specialists), the rest to 9 other agencies. The app runs under gunicorn
(config/gunicorn.conf.py, bound to 127.0.0.1) and each scenario is one signed-in user
loading one page. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpora" / "vn-legal" / "alqac2022"
PASSWORD = "Bench@Passw0rd!"  # noqa: S105 - throw-away bench accounts
USER_AGENT = "docflow-bench"  # the session is bound to it (session_protection = strong)
SECRET_KEY = "bench-secret-key-0123456789abcdef"  # noqa: S105
DOC_TYPES = [
    ("Quyết định", "QĐ"),
    ("Công văn", ""),
    ("Tờ trình", "TTr"),
    ("Kế hoạch", "KH"),
    ("Thông báo", "TB"),
    ("Báo cáo", "BC"),
    ("Chỉ thị", "CT"),
    ("Giấy mời", "GM"),
]
ISSUERS = [
    ("UBND", "Ủy ban nhân dân tỉnh Nghệ An"),
    ("STC", "Sở Tài chính"),
    ("SNV", "Sở Nội vụ"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("SYT", "Sở Y tế"),
    ("BNV", "Bộ Nội vụ"),
    ("SGDĐT", "Sở Giáo dục và Đào tạo"),
    ("VPCP", "Văn phòng Chính phủ"),
]
NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Hoàng Cường",
    "Phạm Đức Dũng",
    "Đặng Thu Hà",
    "Võ Minh Khoa",
    "Bùi Thị Lan",
    "Đỗ Quang Minh",
    "Hoàng Thị Ngọc",
    "Vũ Đình Phúc",
]
DEPARTMENTS = [
    "Phòng Kinh tế",
    "Phòng Nội vụ",
    "Phòng Văn hóa - Xã hội",
    "Phòng Tài chính",
    "Phòng Tư pháp",
    "Văn phòng",
]


def emit(**record) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


# ---------------------------------------------------------------- data
def subjects(rng: random.Random) -> list[str]:
    laws = json.loads((CORPUS / "law.json").read_text(encoding="utf-8"))
    titles = [
        a["text"].split("\n", 1)[0].strip() for law in laws for a in law["articles"]
    ]
    return [t for t in titles if 8 < len(t) < 200]


def app_config(workdir: Path, db_url: str) -> dict:
    return {
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "STORAGE_PATH": str(workdir / "storage"),
        "SEARCH_INDEX_PATH": str(workdir / "index"),
        "SESSION_COOKIE_SECURE": False,
    }


def seed(app, docs: int, seed_value: int = 5) -> dict:  # noqa: PLR0915 - one linear script
    """Bulk-insert agencies, users, registers, documents and their assignments."""
    from sqlalchemy import func, insert, select, text

    from docflow.agencies.models import Agency, AgencyLevel, Department
    from docflow.auth.models import Role, User
    from docflow.auth.passwords import hash_password
    from docflow.documents.models import (
        Assignment,
        AssignmentRole,
        IncomingDocument,
        IncomingRegister,
        IncomingStatus,
        RegisterCounter,
        Source,
    )
    from docflow.documents.vocab import Secrecy, Urgency
    from docflow.extensions import db

    rng = random.Random(seed_value)  # noqa: S311 - reproducible test data
    titles = subjects(rng)
    started = time.perf_counter()
    pw = hash_password(
        PASSWORD
    )  # one argon2 hash for everybody: hashing is the slow part
    agencies, people = [], {}
    for a in range(10):
        agency = Agency(
            code=f"000.00.{a + 10:02d}.H56",
            name="Ủy ban nhân dân tỉnh Thanh Hóa"
            if a == 0
            else f"Ủy ban nhân dân huyện số {a}",
            short_name="UBND",
            level=AgencyLevel.PROVINCE,
        )
        db.session.add(agency)
        db.session.flush()
        depts = [
            Department(agency_id=agency.id, name=n)
            for n in DEPARTMENTS[: 6 if a == 0 else 3]
        ]
        db.session.add_all(depts)
        db.session.flush()
        counts = {
            Role.RECORDS_OFFICER: 1,
            Role.LEADER: 3 if a == 0 else 1,
            Role.DEPARTMENT_HEAD: len(depts),
            Role.SPECIALIST: 20 if a == 0 else 2,
        }
        users: dict[Role, list] = defaultdict(list)
        for role, n in counts.items():
            for i in range(n):
                dept = (
                    depts[i % len(depts)].id
                    if role in (Role.DEPARTMENT_HEAD, Role.SPECIALIST)
                    else None
                )
                user = User(
                    username=f"a{a}_{role.value}_{i}",
                    full_name=rng.choice(NAMES),
                    agency_id=agency.id,
                    role=role,
                    password_hash=pw,
                    department_id=dept,
                )
                db.session.add(user)
                users[role].append(user)
        regs = [
            IncomingRegister(agency_id=agency.id, name="Sổ văn bản đến"),
            IncomingRegister(
                agency_id=agency.id, name="Sổ văn bản đến mật", is_secret=True
            ),
        ]
        db.session.add_all(regs)
        db.session.flush()
        agencies.append((agency.id, depts, users, regs))
        people[a] = {r.value: [u.username for u in us] for r, us in users.items()}
    db.session.commit()

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    today = (now + dt.timedelta(hours=7)).date()
    statuses = [
        (IncomingStatus.PENDING, 5),
        (IncomingStatus.REGISTERED, 8),
        (IncomingStatus.IN_PROGRESS, 32),
        (IncomingStatus.COMPLETED, 50),
        (IncomingStatus.RETURNED, 5),
    ]
    status_pop, status_w = zip(*statuses, strict=True)
    received = sorted(
        now - dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        for _ in range(docs)
    )
    counters: dict[tuple[int, int], int] = defaultdict(int)
    rows, assignments = [], []
    doc_id = assignment_id = 0
    for at in received:
        doc_id += 1
        a = 0 if rng.random() < 0.6 else rng.randrange(1, 10)
        agency_id, depts, users, regs = agencies[a]
        status = rng.choices(status_pop, status_w)[0]
        dtype, abbr = rng.choice(DOC_TYPES)
        issuer_code, issuer = rng.choice(ISSUERS)
        secret = rng.random() < 0.02
        registered = status not in (IncomingStatus.PENDING, IncomingStatus.RETURNED)
        reg = regs[1 if secret else 0]
        if registered:
            counters[(reg.id, at.year)] += 1
        due = None
        if status == IncomingStatus.IN_PROGRESS:
            due = today + dt.timedelta(days=rng.randint(-20, 40))
        elif status == IncomingStatus.COMPLETED:
            due = (at + dt.timedelta(days=rng.randint(5, 30))).date()
        rows.append(
            {
                "id": doc_id,
                "agency_id": agency_id,
                "status": status,
                "source": Source.UPLOAD,
                "received_at": at,
                "register_id": reg.id if registered else None,
                "arrival_year": at.year if registered else None,
                "arrival_number": counters[(reg.id, at.year)] if registered else None,
                "arrival_date": at + dt.timedelta(hours=1) if registered else None,
                "registered_by_id": users[Role.RECORDS_OFFICER][0].id
                if registered
                else None,
                "presented_to_id": rng.choice(users[Role.LEADER]).id
                if registered
                else None,
                "issuer_name": issuer,
                "issuer_code": None,
                "code_number": str(rng.randint(1, 3000)),
                "code_notation": f"{abbr}-{issuer_code}" if abbr else issuer_code,
                "issued_date": (at - dt.timedelta(days=rng.randint(1, 10))).date(),
                "doc_type": dtype,
                "subject": f"{dtype} về {rng.choice(titles).lower()}"
                if status != IncomingStatus.PENDING or rng.random() < 0.5
                else "",
                "urgency": Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL,
                "secrecy": Secrecy.CONFIDENTIAL if secret else Secrecy.NONE,
                "due_date": due,
                "created_by_id": users[Role.RECORDS_OFFICER][0].id,
                "updated_at": at,
                "completed_at": at + dt.timedelta(days=3)
                if status == IncomingStatus.COMPLETED
                else None,
            }
        )
        if status in (IncomingStatus.IN_PROGRESS, IncomingStatus.COMPLETED):
            leader = rng.choice(users[Role.LEADER]).id
            targets = [
                (AssignmentRole.LEAD, rng.choice(users[Role.SPECIALIST]).id, None)
            ]
            if rng.random() < 0.5:
                targets.append((AssignmentRole.COORDINATE, None, rng.choice(depts).id))
            if rng.random() < 0.3:
                targets.append(
                    (
                        AssignmentRole.INFORM,
                        rng.choice(users[Role.DEPARTMENT_HEAD]).id,
                        None,
                    )
                )
            reassigned = rng.random() < 0.05
            if reassigned:  # an older, replaced assignment stays in the history
                targets.insert(
                    0,
                    (AssignmentRole.LEAD, rng.choice(users[Role.SPECIALIST]).id, None),
                )
            for n, (role, user_id, dept_id) in enumerate(targets):
                assignment_id += 1
                assignments.append(
                    {
                        "id": assignment_id,
                        "document_id": doc_id,
                        "role": role,
                        "user_id": user_id,
                        "department_id": dept_id,
                        "deadline": due if role != AssignmentRole.INFORM else None,
                        "assigned_by_id": leader,
                        "created_at": at + dt.timedelta(hours=5),
                        "active": not (reassigned and n == 0),
                        "completed_at": None,
                    }
                )
    batch = 5000
    for table, data in (
        (IncomingDocument.__table__, rows),
        (Assignment.__table__, assignments),
    ):
        for i in range(0, len(data), batch):
            db.session.execute(insert(table), data[i : i + batch])
    db.session.execute(
        insert(RegisterCounter.__table__),
        [
            {"register_id": r, "year": y, "last_number": n}
            for (r, y), n in counters.items()
        ],
    )
    if db.engine.dialect.name == "postgresql":
        for table in ("incoming_document", "assignment"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    total = db.session.scalar(select(func.count()).select_from(IncomingDocument))
    emit(
        event="seeded",
        documents=total,
        assignments=len(assignments),
        agencies=len(agencies),
        users_main_agency=sum(len(v) for v in people[0].values()),
        seconds=round(time.perf_counter() - started, 1),
    )
    return people[0]


# ---------------------------------------------------------------- server and clients
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    workdir: Path, db_url: str, port: int, workers: int
) -> subprocess.Popen:
    env = dict(
        os.environ,
        DOCFLOW_INSTANCE_PATH=str(workdir / "instance"),
        DOCFLOW_SECRET_KEY=SECRET_KEY,
        DOCFLOW_SQLALCHEMY_DATABASE_URI=db_url,
        DOCFLOW_STORAGE_PATH=str(workdir / "storage"),
        DOCFLOW_SEARCH_INDEX_PATH=str(workdir / "index"),
        DOCFLOW_SESSION_COOKIE_SECURE="false",
        DOCFLOW_API_RATE_LIMIT="1000000 per minute",
    )
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "config" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        str(workdir / "gunicorn.log"),
        "wsgi:app",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("gunicorn did not start; see gunicorn.log")


def login_cookie(base: str, username: str) -> str:
    """Sign in like a browser; return the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    html = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrf_token": token}
    )
    opener.open(f"{base}/login", data=body.encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def check(url: str, headers: dict) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback http only
        url, headers=dict(headers, **{"User-Agent": USER_AGENT})
    )  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback
        body = response.read()
        if (
            response.geturl().rstrip("/").endswith("/login")
            or b'name="password"' in body
        ):
            raise RuntimeError(f"not signed in for {url}")
        return len(body)


WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"duration_us":%d,"p50_us":%d,' ..
    '"p95_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"errors":%d,"non_200":%d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, b))
end
"""


def run_wrk(
    url: str, headers: dict, connections: int, seconds: int, workdir: Path
) -> dict:
    script = workdir / "bench.lua"
    lines = [
        f'wrk.headers["{k}"] = "{v}"'
        for k, v in dict(headers, **{"User-Agent": USER_AGENT}).items()
    ]
    script.write_text("\n".join(lines) + WRK_SCRIPT)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - wrk from PATH
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",  # noqa: S603,S607
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    data = json.loads(out.split("WRK ", 1)[1].splitlines()[0])
    return {
        "requests": data["requests"],
        "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "max_ms": data["max_us"] / 1000,
        "errors": data["errors"],
        "non_200": data["non_200"],
        "client_cpu_s": round(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2
        ),
    }


def run_python(url: str, headers: dict, connections: int, seconds: int) -> dict:
    """A thread pool with one urllib3 connection per thread (the alternative to wrk)."""
    import urllib3

    pool = urllib3.PoolManager(maxsize=connections, retries=False, timeout=10)
    headers = dict(headers, **{"User-Agent": USER_AGENT})
    latencies: list[float] = []
    errors = non_200 = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors, non_200
        mine, bad, failed = [], 0, 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                r = pool.request("GET", url, headers=headers, redirect=False)
                bad += r.status != 200
            except urllib3.exceptions.HTTPError:
                failed += 1
                continue
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors += failed
            non_200 += bad

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "errors": errors,
        "non_200": non_200,
        "client_cpu_s": round(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2
        ),
    }


# ---------------------------------------------------------------- query plans
def explain(app, people: dict) -> None:
    """Plans and in-process timings of the queries one inbox page runs, per scenario."""
    from sqlalchemy import event

    from docflow.auth.models import User
    from docflow.documents.queries import counts, page_of
    from docflow.extensions import db

    for username, tab in SCENARIO_USERS:
        name = people[username][0]
        user = db.session.scalar(db.select(User).where(User.username == name))
        statements: list[tuple[str, object]] = []

        def capture(
            conn, cursor, statement, parameters, context, executemany, out=statements
        ):
            out.append((statement, parameters))

        with app.test_request_context():
            import flask_login

            flask_login.login_user(user)
            event.listen(db.engine, "before_cursor_execute", capture)
            counts(user)
            page_of(user, tab, "received", 1, app.config["PAGE_SIZE"])
            event.remove(db.engine, "before_cursor_execute", capture)
            for statement, params in statements:
                if "incoming_document" not in statement:
                    continue
                timings = []
                conn = db.session.connection()
                for _ in range(5):
                    t0 = time.perf_counter()
                    conn.exec_driver_sql(statement, params).fetchall()
                    timings.append(time.perf_counter() - t0)
                prefix = (
                    "EXPLAIN QUERY PLAN "
                    if db.engine.dialect.name == "sqlite"
                    else "EXPLAIN (ANALYZE, COSTS OFF) "
                )
                plan = [
                    " ".join(str(c) for c in row)
                    for row in conn.exec_driver_sql(prefix + statement, params)
                ]
                emit(
                    event="query",
                    user=username,
                    tab=tab,
                    ms=round(statistics.median(timings) * 1000, 2),
                    sql=" ".join(statement.split())[:300],
                    plan=plan[:25],
                )


# ---------------------------------------------------------------- main
#: (role in the main agency, inbox tab).
SCENARIO_USERS = [
    ("records_officer", "all"),
    ("records_officer", "pending"),
    ("leader", "to_assign"),
    ("specialist", "in_progress"),
    ("department_head", "due_soon"),
]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument(
        "--db", default="", help="PostgreSQL URL (an empty database); SQLite if omitted"
    )
    parser.add_argument(
        "--workdir", default="", help="keep the data here and reuse it next time"
    )
    parser.add_argument("--tool", choices=["wrk", "python", "both"], default="wrk")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        help="gunicorn workers (config/gunicorn.conf.py: 4)",
    )
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="docflow-bench-inbox-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_url = args.db or f"sqlite:///{workdir / 'docflow.db'}"
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"

    from sqlalchemy import func, select

    from docflow import create_app
    from docflow.cli import upgrade_database
    from docflow.documents.models import IncomingDocument
    from docflow.extensions import db

    app = create_app(
        app_config(workdir, db_url), instance_path=str(workdir / "instance")
    )
    with app.app_context():
        upgrade_database()
        people_file = workdir / f"people-{backend}.json"
        if (
            db.session.scalar(select(func.count()).select_from(IncomingDocument))
            and people_file.exists()
        ):
            people = json.loads(people_file.read_text())
        else:
            people = seed(app, args.docs)
            people_file.write_text(json.dumps(people))
        if args.explain:
            explain(app, people)
            return 0
        api = any(rule.rule == "/api/v1/incoming" for rule in app.url_map.iter_rules())
        tokens = {}
        if api:
            from docflow.api.tokens import create_token
            from docflow.auth.models import User

            for role, _tab in SCENARIO_USERS:
                user = db.session.scalar(
                    select(User).where(User.username == people[role][0])
                )
                tokens[role] = create_token(user, "bench")[1]
    emit(
        event="setup",
        db=backend,
        docs=args.docs,
        api_present=api,
        workers=args.workers,
        connections=args.connections,
        seconds=args.seconds,
        cores=os.cpu_count(),
    )
    if not api:
        emit(
            event="skip",
            what="/api/v1/incoming",
            reason="no such route in this checkout",
        )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(workdir, db_url, port, args.workers)
    try:
        scenarios = []
        for role, tab in SCENARIO_USERS:
            cookie = {"Cookie": login_cookie(base, people[role][0])}
            scenarios.append(
                (f"inbox:{role}:{tab}", f"{base}/incoming/?tab={tab}", cookie)
            )
            if api:
                scenarios.append(
                    (
                        f"api:{role}:{tab}",
                        f"{base}/api/v1/incoming?tab={tab}",
                        {"Authorization": f"Bearer {tokens[role]}"},
                    )
                )
        only = set(filter(None, args.only.split(",")))
        tools = ["wrk", "python"] if args.tool == "both" else [args.tool]
        if "wrk" in tools and shutil.which("wrk") is None:
            emit(event="skip", what="wrk", reason="not installed (apt-get install wrk)")
            tools = ["python"]
        for name, url, headers in scenarios:
            if only and name not in only:
                continue
            size = check(url, headers)
            for _ in range(3):  # warm every worker's caches
                check(url, headers)
            for tool in tools:
                result = (
                    run_wrk(url, headers, args.connections, args.seconds, workdir)
                    if tool == "wrk"
                    else run_python(url, headers, args.connections, args.seconds)
                )
                emit(
                    event="load",
                    db=backend,
                    scenario=name,
                    tool=tool,
                    bytes=size,
                    load_avg_1m=round(os.getloadavg()[0], 1),
                    goal_met=result["p95_ms"] <= 150
                    and not (result["errors"] or result["non_200"]),
                    **result,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
