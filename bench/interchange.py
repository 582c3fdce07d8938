"""Interchange benchmark: a signed 1 MB PDF sent to another agency (prints JSON lines).

    .venv/bin/python bench/interchange.py [--rounds N] [--queue inline|rq --workers N]
        [--burst N] [--redis-url URL]

Starts the test PKI (certomancer, for the trust root and CRLs) on 127.0.0.1, signs a
~1 MB PDF with a PKCS#12 key (B-B), then measures:

- ``raw_validation``, ``raw_whoosh_commit``: the baselines of this run: pyHanko
  validation of that PDF in-process (``validate_bytes``, online CRL fetching as the
  app does it) and one ``WhooshIndex.upsert`` (one document, one commit) of its text;
- ``packet``: building and parsing the edXML packet of that document (zip + Base64);
- ``same_instance_without_jobs``: the packet path alone (build, parse, store, queue
  entry), the background jobs dropped;
- ``same_instance``: issuing-side delivery to an agency of the same instance until the
  document is in the receiver's queue with its signatures validated, its text indexed
  and status 01 recorded for the sender. Inline jobs: all of it before the commit
  returns. ``--queue rq``: the jobs run in ``--workers`` ``docflow worker`` processes
  (SimpleWorker) and the benchmark polls until everything is there;
- ``same_instance_burst`` (rq only): ``--burst`` documents delivered back to back, then
  waited for: throughput with the workers busy;
- ``instance_to_instance`` (inline only): the same to a second instance (own SQLite
  database) served by werkzeug on 127.0.0.1, over HTTP with the HMAC authentication,
  status 01 included; the packet carries no XML-DSig seal (the receiver's peer row
  does not require one), so sealing and checking the seal are not included.

Latency per document (p50/p95, ms) and documents per second. Every row carries the load
average at its end: on a shared machine, compare rows with the baselines of the same run.
The issuing itself (numbering, sealing) is not included: documents are created issued.
With ``--queue rq`` and no ``--redis-url`` a private ``redis-server`` is started on
127.0.0.1 (never a shared database: test fixtures flush theirs).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.signing import pki_support  # noqa: E402

SECRET_ENV = "DOCFLOW_BENCH_INTERCHANGE_SECRET"  # noqa: S105 - a variable name


def _signed_pdf(pki, p12: Path) -> bytes:
    import pikepdf

    from signing.keys import Pkcs12Key
    from signing.sign import sign_pdf

    pdf = pikepdf.open(io.BytesIO(pki_support.make_sample_pdf(pages=3)))
    # ~1 MB of incompressible content, as a scanned annex would bring.
    pdf.Root.BenchPayload = pikepdf.Stream(pdf, os.urandom(1024 * 1024))
    draft = io.BytesIO()
    pdf.save(draft)
    out = io.BytesIO()
    sign_pdf(
        draft.getvalue(),
        out,
        Pkcs12Key(p12, "bench"),
        level="B-B",
        field_name="lanh_dao",
    )
    return out.getvalue()


def _settings(tmp: Path, name: str, pki, extra: dict) -> dict:
    base = tmp / name
    return {
        "SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'db.sqlite'}",
        "STORAGE_PATH": str(base / "storage"),
        "SEARCH_INDEX_PATH": str(base / "index"),
        "TRUST_ROOTS": [str(pki.root_path)],
        "SESSION_COOKIE_SECURE": False,
        **extra,
    }


def _app(tmp: Path, name: str, pki, **extra) -> object:
    from docflow import create_app
    from docflow.cli import upgrade_database

    app = create_app(
        _settings(tmp, name, pki, extra),
        instance_path=str(tmp / name / "instance"),
    )
    with app.app_context():
        upgrade_database()
    return app


def _start_redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    """A private redis-server on a free loopback port (no persistence)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            shutil.which("redis-server") or "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def _start_workers(n: int, tmp: Path, pki, extra: dict) -> list[subprocess.Popen]:
    """``docflow worker`` processes (SimpleWorker) configured like app "a"."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCFLOW_")}
    for key, value in _settings(tmp, "a", pki, extra).items():
        env[f"DOCFLOW_{key}"] = (
            ":".join(value) if isinstance(value, list) else str(value)
        )
    env["DOCFLOW_INSTANCE_PATH"] = str(tmp / "a" / "instance")
    env["PYTHONPATH"] = str(REPO)
    workers = []
    for i in range(n):
        log = open(tmp / f"worker{i}.log", "wb")  # noqa: SIM115 - closed with the process
        workers.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-c",
                    "from docflow.cli import main; main()",
                    "worker",
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    return workers


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _incoming_of(doc) -> int:  # noqa: ANN001
    """The id of the incoming document the delivery of ``doc`` created."""
    from docflow.extensions import db
    from docflow.interchange.models import Receipt
    from docflow.interchange.services import document_id_of

    return db.session.scalar(
        db.select(Receipt.incoming_id).where(
            Receipt.edxml_document_id == document_id_of(doc)
        )
    )


def _done(incoming_id: int, recipient_id: int) -> bool:
    """In the receiver's queue, signatures validated, text indexed, 01 at the sender."""
    from docflow.documents.indexing import to_index_document
    from docflow.documents.models import IncomingDocument
    from docflow.extensions import db
    from docflow.interchange.models import RecipientStatus
    from docflow.searching import get_index
    from docflow.searching.jobs import current_text
    from docflow.searching.models import DocumentText

    db.session.expire_all()
    doc = db.session.get(IncomingDocument, incoming_id)
    text = db.session.get(DocumentText, incoming_id)
    if doc is None or doc.signature_report is None or text is None:
        return False
    if '"TOTAL-PASSED"' not in doc.signature_report:
        raise RuntimeError(f"incoming {incoming_id}: {doc.signature_report[:300]}")
    if not db.session.scalar(
        db.select(RecipientStatus.id).where(
            RecipientStatus.recipient_id == recipient_id, RecipientStatus.code == "01"
        )
    ):
        return False
    index = get_index()
    shard = index.shard(str(doc.agency_id)) if hasattr(index, "shard") else index
    with shard._ix.searcher() as searcher:  # the benchmark may peek inside
        stored = searcher.document(id=str(incoming_id))
    version = to_index_document(doc, current_text(doc, text)).version
    return stored is not None and stored["version"] == version


def _wait(pending: dict[int, tuple[int, float]], timeout: float = 120) -> list[float]:
    """Poll until every incoming id in ``pending`` (id -> recipient, start) is done."""
    from docflow.extensions import db

    latencies, deadline = [], time.monotonic() + timeout
    while pending:
        for incoming_id, (recipient_id, start) in list(pending.items()):
            if _done(incoming_id, recipient_id):
                latencies.append((time.perf_counter() - start) * 1000)
                del pending[incoming_id]
        db.session.rollback()  # no snapshot held between polls
        if pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"not done after {timeout:g} s: {sorted(pending)}")
            time.sleep(0.005)
    return latencies


def _office(code: str, name: str, level: str):  # noqa: ANN202
    from docflow.agencies.models import Agency, AgencyLevel
    from docflow.auth.models import Role, User
    from docflow.extensions import db

    agency = Agency(code=code, name=name, short_name="UBND", level=AgencyLevel(level))
    db.session.add(agency)
    db.session.flush()
    users = {}
    for role in (Role.RECORDS_OFFICER, Role.LEADER, Role.SPECIALIST):
        users[role] = User(
            agency_id=agency.id,
            username=f"{role.value}-{code}",
            role=role,
            full_name="Bench",
            password_hash="x",  # noqa: S106 - never signs in
        )
        db.session.add(users[role])
    db.session.commit()
    return agency, users


def _issue(agency, users, receiver, pdf: bytes, n: int):  # noqa: ANN202
    from docflow.auth.models import Role
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

    clerk = users[Role.RECORDS_OFFICER]
    stored = store_file(
        io.BytesIO(pdf),
        original_name="vb.pdf",
        agency_id=agency.id,
        uploaded_by_id=clerk.id,
    )
    doc = OutgoingDocument(
        agency_id=agency.id,
        doc_type="Công văn",
        subject=f"Văn bản thử nghiệm số {n}",
        drafted_by_id=users[Role.SPECIALIST].id,
        signer_id=users[Role.LEADER].id,
        status=OutgoingStatus.ISSUED,
        number=n,
        notation="UBND-VP",
        year=to_local(utcnow()).year,
        issued_at=utcnow(),
        issued_by_id=clerk.id,
        issued_file_id=stored.id,
    )
    db.session.add(doc)
    db.session.flush()
    db.session.add(
        Recipient(
            document_id=doc.id,
            kind=RecipientKind.AGENCY,
            agency_id=receiver.id,
            name=receiver.name,
        )
    )
    db.session.commit()  # the document exists; now time its delivery
    start = time.perf_counter()
    db.session.refresh(doc)
    outgoing._deliver(clerk, doc)
    db.session.commit()  # inline jobs: packet posted, arrival, validation, indexing, status 01
    elapsed = (time.perf_counter() - start) * 1000
    return doc, elapsed, start


class _NoJobs:
    def enqueue(self, name: str, *args: object, job_id: str | None = None) -> None:
        return None


def _loadavg() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _row(name: str, samples: list[float], total_s: float, **extra) -> dict:
    row = {
        "bench": "interchange",
        "scenario": name,
        "rounds": len(samples),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(statistics.quantiles(samples, n=20)[-1], 1)
        if len(samples) > 1
        else None,
        "docs_per_s": round(len(samples) / total_s, 1),
        **extra,
        "loadavg": _loadavg(),
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def _timed(func, rounds: int) -> tuple[list[float], float]:
    samples, begin = [], time.perf_counter()
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, time.perf_counter() - begin


def _baselines(tmp: Path, pki, pdf: bytes, rounds: int) -> list[dict]:
    """Raw pyHanko validation and a raw Whoosh commit, for comparison in this run."""
    from search.extract import extract_bytes
    from search.index import IndexDocument
    from search.whoosh_index import WhooshIndex
    from signing.validate import load_certificates
    from signing.validation.engine import ValidationOptions, validate_bytes

    options = ValidationOptions(trust_roots=load_certificates([pki.root_path]))
    assert validate_bytes(pdf, options).indication == "TOTAL-PASSED"  # noqa: S101
    samples, total = _timed(lambda: validate_bytes(pdf, options), rounds)
    rows = [_row("raw_validation", samples, total)]
    text = extract_bytes(pdf).text
    index = WhooshIndex(tmp / "raw-index")
    counter = iter(range(10**6))

    def commit_one() -> None:
        n = next(counter)
        index.upsert(
            [
                IndexDocument(
                    id=str(n),
                    version="1",
                    agency_id="1",
                    subject=f"Văn bản {n}",
                    content=text,
                )
            ]
        )

    samples, total = _timed(commit_one, rounds)
    rows.append(_row("raw_whoosh_commit", samples, total))
    return rows


def bench(
    rounds: int,
    queue: str = "inline",
    workers: int = 1,
    burst: int = 0,
    redis_url: str | None = None,
) -> list[dict]:
    from werkzeug.serving import make_server

    from docflow.documents.models import IncomingDocument
    from docflow.extensions import db
    from docflow.interchange import edxml, services
    from docflow.interchange.models import Peer, RecipientStatus
    from docflow.outgoing.models import OutgoingDocument

    logging.basicConfig(level=logging.CRITICAL)
    os.environ[SECRET_ENV] = "bench-shared-secret-0123456789"
    results = []
    procs: list[subprocess.Popen] = []
    tag = {"queue": queue, "workers": workers if queue == "rq" else 0}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pki = pki_support.start_pki(tmp)
        server = server_a = None
        try:
            p12 = pki_support.make_pkcs12(pki, "leader-rsa", tmp / "k.p12", "bench")
            pdf = _signed_pdf(pki, p12)
            extra: dict = {}
            if queue == "rq":
                if redis_url is None:
                    redis_proc, redis_url = _start_redis(tmp)
                    procs.append(redis_proc)
                extra = {"JOB_QUEUE": "rq", "REDIS_URL": redis_url}
            app_a = _app(tmp, "a", pki, **extra)
            logging.disable(logging.INFO)  # alembic and werkzeug request lines
            results += _baselines(tmp, pki, pdf, rounds)
            if queue == "rq":
                worker_procs = _start_workers(workers, tmp, pki, extra)
                procs[:0] = worker_procs
            else:
                app_b = _app(tmp, "b", pki)
                logging.disable(logging.INFO)
                server = make_server("127.0.0.1", 0, app_b, threaded=True)
                threading.Thread(target=server.serve_forever, daemon=True).start()
                server_a = make_server("127.0.0.1", 0, app_a, threaded=True)
                threading.Thread(target=server_a.serve_forever, daemon=True).start()
                with app_b.app_context():
                    _office("000.00.70.H56", "UBND xã B", "commune")
                    db.session.add(
                        Peer(
                            agency_code="000.00.60.H56",
                            endpoint=f"http://127.0.0.1:{server_a.server_port}",
                            secret_env=SECRET_ENV,
                            # Agency A has no seal key here: packets go unsealed.
                            seal_required=False,
                        )
                    )
                    db.session.commit()
            with app_a.app_context():
                agency, users = _office("000.00.60.H56", "UBND tỉnh A", "province")
                local, _ = _office("000.00.61.H56", "UBND xã A1", "commune")
                remote, _ = _office("000.00.70.H56", "UBND xã B", "commune")
                if server is not None:
                    db.session.add(
                        Peer(
                            agency_code=remote.code,
                            endpoint=f"http://127.0.0.1:{server.server_port}",
                            secret_env=SECRET_ENV,
                        )
                    )
                    db.session.commit()

                def deliver(n: int) -> tuple[int, int, float, float]:
                    doc, ms, start = _issue(agency, users, local, pdf, n)
                    return _incoming_of(doc), doc.recipients[0].id, ms, start

                # Warm-up (validator children, imports, first index segments).
                pending = {}
                for n in range(1, 2 + 2 * tag["workers"]):
                    incoming_id, recipient_id, _ms, start = deliver(n)
                    pending[incoming_id] = (recipient_id, start)
                _wait(pending)
                doc = db.session.scalars(db.select(OutgoingDocument).limit(1)).one()
                packet = services.packet_for(doc, [local])
                samples, _total = _timed(
                    lambda: edxml.parse_packet(edxml.build_document(packet)), rounds
                )
                results.append(
                    _row(
                        "packet",
                        samples,
                        sum(samples) / 1000,
                        pdf_bytes=len(pdf),
                        **tag,
                    )
                )

                # The interchange path alone: jobs (validation, indexing, statuses) dropped.
                jobs = app_a.extensions["docflow.jobs"]
                app_a.extensions["docflow.jobs"] = _NoJobs()
                samples, begin = [], time.perf_counter()
                for n in range(rounds):
                    samples.append(_issue(agency, users, local, pdf, 5000 + n)[1])
                results.append(
                    _row(
                        "same_instance_without_jobs",
                        samples,
                        time.perf_counter() - begin,
                        **tag,
                    )
                )
                app_a.extensions["docflow.jobs"] = jobs

                # One document at a time, until everything is there.
                samples, begin = [], time.perf_counter()
                for n in range(rounds):
                    incoming_id, recipient_id, ms, start = deliver(100 + n)
                    waited = _wait({incoming_id: (recipient_id, start)})
                    # Inline: done when the commit returned (checked, not timed).
                    samples.append(ms if queue == "inline" else waited[0])
                total = time.perf_counter() - begin
                if queue == "inline":
                    total = sum(samples) / 1000
                results.append(_row("same_instance", samples, total, **tag))

                if queue == "rq" and burst:
                    pending, begin = {}, time.perf_counter()
                    for n in range(burst):
                        incoming_id, recipient_id, ms, start = deliver(2000 + n)
                        pending[incoming_id] = (recipient_id, start)
                    samples = _wait(pending)
                    results.append(
                        _row(
                            "same_instance_burst",
                            samples,
                            time.perf_counter() - begin,
                            **tag,
                        )
                    )

                if server is not None:
                    samples, begin = [], time.perf_counter()
                    for n in range(rounds):
                        doc, ms, _start = _issue(agency, users, remote, pdf, 1100 + n)
                        samples.append(ms)
                        codes = db.session.scalars(
                            db.select(RecipientStatus.code).where(
                                RecipientStatus.recipient_id == doc.recipients[0].id
                            )
                        ).all()
                        assert codes == ["01"], codes  # noqa: S101
                    total = time.perf_counter() - begin
                    results.append(_row("instance_to_instance", samples, total, **tag))
            if server is not None:
                with app_b.app_context():
                    arrived = db.session.scalars(
                        db.select(IncomingDocument.signature_report)
                    ).all()
                    assert len(arrived) == rounds and all(  # noqa: S101
                        '"TOTAL-PASSED"' in (r or "") for r in arrived
                    ), arrived[:1]
        except BaseException:
            for log in sorted(tmp.glob("worker*.log")):
                tail = log.read_text(errors="replace")[-3000:]
                print(f"--- {log.name}\n{tail}", file=sys.stderr)
            raise
        finally:
            if server_a is not None:
                server_a.shutdown()
            if server is not None:
                server.shutdown()
            _stop(procs)
            pki.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--queue", choices=("inline", "rq"), default="inline")
    parser.add_argument(
        "--workers", type=int, default=1, help="docflow worker processes (rq)"
    )
    parser.add_argument(
        "--burst", type=int, default=0, help="documents sent back to back (rq)"
    )
    parser.add_argument(
        "--redis-url", help="an empty Redis database (default: a private server)"
    )
    args = parser.parse_args()
    bench(args.rounds, args.queue, args.workers, args.burst, args.redis_url)


if __name__ == "__main__":
    main()
