"""Docflow instances run as real OS processes for the two-process interchange tests.

Each ``Instance`` has its own folder, database (a SQLite file, or a fresh PostgreSQL
database when DOCFLOW_TEST_DB=postgres), storage, port and ``DOCFLOW_*`` environment.
Its web server is ``python -m gunicorn wsgi:app`` and, with ``JOB_QUEUE=rq``, its
worker is ``docflow worker``; both run this worktree's code (PYTHONPATH, cwd). The test
process reads and seeds the same database through its own app (``inst.context()``).
Every process gets its own process group so that a SIGKILL takes its children too.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
PEER_SECRET_ENV = "DOCFLOW_TEST_PEER_SECRET"  # noqa: S105 - a variable name
PEER_SECRET = "two-processes-shared-secret-0123456789"  # noqa: S105 - test value
CLI = ("-c", "from docflow.cli import main; main()")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Instance:
    """One docflow installation: settings, database, the test process's app on it, processes."""

    name: str
    root: Path
    database_url: str
    settings: dict[str, Any]
    port: int = field(default_factory=free_port)
    app: Any = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------ configuration
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DOCFLOW_TEST_DB", None)
        for key, value in self.settings.items():
            if isinstance(value, list | tuple):
                value = ":".join(str(v) for v in value)
            env[f"DOCFLOW_{key}"] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
        env.update(
            DOCFLOW_INSTANCE_PATH=str(self.root / "instance"),
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
        )
        env[PEER_SECRET_ENV] = PEER_SECRET
        return env

    def build_app(self) -> None:
        """The test process's app on the same database and folders, schema migrated."""
        from docflow import create_app
        from docflow.cli import upgrade_database
        from tests.conftest import base_config

        self.app = create_app(
            base_config(self.root, **self.settings),
            instance_path=str(self.root / "instance"),
        )
        with self.app.app_context():
            upgrade_database()

    @contextlib.contextmanager
    def context(self) -> Iterator[Any]:
        """An app context of this instance (a fresh session: it sees the processes' commits)."""
        with self.app.app_context():
            yield self.app

    # ------------------------------------------------------------ processes
    def _spawn(self, role: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.root / f"{role}.log", "ab")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, this interpreter
            argv,
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches the children
        )
        proc.log = log  # type: ignore[attr-defined]
        self.processes[role] = proc
        return proc

    def start_web(self, timeout: float = 60) -> None:
        self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "120",
                "--graceful-timeout",
                "3",
                "wsgi:app",
            ],
        )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        proc = self.processes["web"]

        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError(
                    f"{self.name} web exited with {proc.returncode}:\n{self.log_tail('web')}"
                )
            try:
                with urllib.request.urlopen(  # noqa: S310 - loopback http
                    f"{self.base_url}/api/v1/openapi.json", timeout=5
                ) as resp:
                    return resp.status == 200
            except (urllib.error.URLError, OSError):
                return False

        wait_for(ready, timeout, f"{self.name} to answer on {self.base_url}", 0.2)

    def start_worker(self) -> None:
        self._spawn("worker", [sys.executable, *CLI, "worker"])

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 - fixed argv, this interpreter
            [sys.executable, *CLI, *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"docflow {' '.join(args)}: {result.stderr}"
        return result

    def kill(self, role: str) -> None:
        """SIGKILL the process and its children at once: no clean-up, no goodbye."""
        proc = self.processes.pop(role)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        proc.log.close()  # type: ignore[attr-defined]

    def stop(self, role: str) -> None:
        proc = self.processes.pop(role)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        proc.log.close()  # type: ignore[attr-defined]

    def stop_all(self) -> None:
        for role in list(self.processes):
            self.stop(role)

    def log_tail(self, role: str, lines: int = 40) -> str:
        path = self.root / f"{role}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------- databases
@contextlib.contextmanager
def databases(root: Path, names: list[str]) -> Iterator[dict[str, str]]:
    """One database per name: SQLite files, or fresh PostgreSQL databases dropped afterwards."""
    if os.environ.get("DOCFLOW_TEST_DB") != "postgres":
        yield {name: f"sqlite:///{root / name / 'docflow.db'}" for name in names}
        return
    import psycopg

    from tests.conftest import _server_url

    server = _server_url("DOCFLOW_TEST_POSTGRES_URL", "PostgreSQL")
    made = {name: f"docflow_test_{uuid.uuid4().hex[:10]}" for name in names}
    with psycopg.connect(server, autocommit=True) as conn:
        for db_name in made.values():
            conn.execute(f'CREATE DATABASE "{db_name}"')
    base = server.rsplit("/", 1)[0]
    try:
        yield {name: f"{base}/{db_name}" for name, db_name in made.items()}
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            for db_name in made.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


# ---------------------------------------------------------------- seeding (inside inst.context())
@dataclass
class OfficeIds:
    """Ids of one agency's people in one instance (objects do not outlive an app context)."""

    agency_id: int
    code: str
    unit_id: int
    clerk_id: int
    leader_id: int
    specialist_id: int
    tokens: dict[str, str] = field(default_factory=dict)


def seed_office(code: str, name: str, suffix: str) -> OfficeIds:
    """An agency with a records officer, a leader and a specialist, each with an API token."""
    from docflow.agencies.models import Agency, AgencyLevel, Department
    from docflow.api.tokens import create_token
    from docflow.auth.models import Role, User
    from docflow.auth.passwords import hash_password
    from docflow.extensions import db
    from tests.helpers import PASSWORD

    agency = Agency(code=code, name=name, short_name="UBND", level=AgencyLevel.PROVINCE)
    db.session.add(agency)
    db.session.flush()
    unit = Department(agency_id=agency.id, name="Văn phòng", short_name="VP")
    db.session.add(unit)
    db.session.flush()
    users = {}
    password_hash = hash_password(PASSWORD)
    for role, username, full_name, position in (
        (Role.RECORDS_OFFICER, "vanthu", "Lê Thị Thư", None),
        (Role.LEADER, "lanhdao", "Trần Đức Hùng", "Phó Chủ tịch"),
        (Role.SPECIALIST, "chuyenvien", "Đỗ Minh Tuấn", None),
    ):
        users[role] = User(
            agency_id=agency.id,
            username=f"{username}_{suffix}",
            role=role,
            full_name=full_name,
            position=position,
            password_hash=password_hash,
            department_id=unit.id,
        )
        db.session.add(users[role])
    db.session.commit()
    ids = OfficeIds(
        agency_id=agency.id,
        code=code,
        unit_id=unit.id,
        clerk_id=users[Role.RECORDS_OFFICER].id,
        leader_id=users[Role.LEADER].id,
        specialist_id=users[Role.SPECIALIST].id,
    )
    for key, role in (("clerk", Role.RECORDS_OFFICER), ("leader", Role.LEADER)):
        ids.tokens[key] = create_token(users[role], "two-process test")[1]
    return ids


def seed_peer(code: str, name: str, endpoint: str) -> int:
    """An agency served by the other instance, and where to post its packets."""
    from docflow.agencies.models import Agency, AgencyLevel
    from docflow.extensions import db
    from docflow.interchange.models import Peer

    agency = Agency(code=code, name=name, short_name="UBND", level=AgencyLevel.COMMUNE)
    db.session.add_all(
        [agency, Peer(agency_code=code, endpoint=endpoint, secret_env=PEER_SECRET_ENV)]
    )
    db.session.commit()
    return agency.id


def seed_seal(agency_id: int, pkcs12_path: str, secret_env: str) -> None:
    """The agency's seal key (a PKCS#12 file): its packets to other instances are sealed."""
    from docflow.extensions import db
    from docflow.outgoing.models import SigningCredential

    db.session.add(
        SigningCredential(
            agency_id=agency_id,
            user_id=None,
            purpose="seal",
            kind="pkcs12",
            pkcs12_path=pkcs12_path,
            secret_env=secret_env,
        )
    )
    db.session.commit()


def issue_outgoing(
    office: OfficeIds,
    receiver_agency_id: int,
    number: int,
    pdf: bytes,
    subject: str,
    deliver: bool = True,
) -> int:
    """An issued outgoing document with ``pdf`` as its issued file, to one agency (commits).

    ``deliver`` runs the issuing office's delivery (the packet goes to the outbox, its
    ``interchange.deliver`` job is queued after commit); without it nothing is sent.
    """
    from docflow.agencies.models import Agency
    from docflow.auth.models import User
    from docflow.extensions import db
    from docflow.files.services import store_file
    from docflow.outgoing import services as outgoing
    from docflow.outgoing.models import (
        OutgoingDocument,
        OutgoingStatus,
        Recipient,
        RecipientKind,
    )
    from docflow.timeutil import to_local, utcnow

    stored = store_file(
        io.BytesIO(pdf),
        original_name=f"cv-{number}.pdf",
        agency_id=office.agency_id,
        uploaded_by_id=office.clerk_id,
    )
    doc = OutgoingDocument(
        agency_id=office.agency_id,
        doc_type="Công văn",
        subject=subject,
        drafted_by_id=office.specialist_id,
        signer_id=office.leader_id,
        status=OutgoingStatus.ISSUED,
        number=number,
        notation="UBND-VP",
        year=to_local(utcnow()).year,
        issued_at=utcnow(),
        issued_by_id=office.clerk_id,
        issued_file_id=stored.id,
    )
    db.session.add(doc)
    db.session.flush()
    receiver = db.session.get(Agency, receiver_agency_id)
    db.session.add(
        Recipient(
            document_id=doc.id,
            kind=RecipientKind.AGENCY,
            agency_id=receiver.id,
            name=receiver.name,
        )
    )
    db.session.flush()
    db.session.refresh(doc)
    if deliver:
        outgoing._deliver(db.session.get(User, office.clerk_id), doc)
    db.session.commit()
    return doc.id
