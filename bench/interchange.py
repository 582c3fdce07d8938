"""Interchange benchmark: a signed 1 MB PDF sent to another agency (prints JSON lines).

    .venv/bin/python bench/interchange.py [--rounds N]

Starts the test PKI (certomancer, for the trust root and CRLs) on 127.0.0.1, signs a
~1 MB PDF with a PKCS#12 key (B-B), then measures:

- ``packet``: building and parsing the edXML packet of that document (zip + Base64);
- ``same_instance``: issuing-side delivery to an agency of the same instance until the
  document is in the receiver's queue with its signatures validated, its text indexed
  and status 01 recorded for the sender (inline jobs: all of it before the commit returns);
- ``same_instance_without_jobs``: the packet path alone (build, parse, store, queue entry),
  the background jobs dropped;
- ``instance_to_instance``: the same to a second instance (own SQLite database) served
  by werkzeug on 127.0.0.1, over HTTP with the HMAC authentication, status 01 included.

Latency per document (p50/p95, ms) and documents per second (sequential, one worker).
The issuing itself (numbering, sealing) is not included: documents are created issued.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import statistics
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


def _app(tmp: Path, name: str, pki) -> object:
    from docflow import create_app
    from docflow.cli import upgrade_database

    base = tmp / name
    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'db.sqlite'}",
            "STORAGE_PATH": str(base / "storage"),
            "SEARCH_INDEX_PATH": str(base / "index"),
            "TRUST_ROOTS": [str(pki.root_path)],
            "SESSION_COOKIE_SECURE": False,
        },
        instance_path=str(base / "instance"),
    )
    with app.app_context():
        upgrade_database()
    return app


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
            password_hash="x",
        )  # noqa: S106 - never signs in
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
    return doc, elapsed


class _NoJobs:
    def enqueue(self, name: str, *args: object, job_id: str | None = None) -> None:
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
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def bench(rounds: int) -> list[dict]:
    from werkzeug.serving import make_server

    from docflow.documents.models import IncomingDocument
    from docflow.extensions import db
    from docflow.interchange import edxml, services
    from docflow.interchange.models import Peer, RecipientStatus

    logging.basicConfig(level=logging.CRITICAL)
    os.environ[SECRET_ENV] = "bench-shared-secret-0123456789"
    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pki = pki_support.start_pki(tmp)
        server = None
        try:
            p12 = pki_support.make_pkcs12(pki, "leader-rsa", tmp / "k.p12", "bench")
            pdf = _signed_pdf(pki, p12)
            app_a, app_b = _app(tmp, "a", pki), _app(tmp, "b", pki)
            logging.disable(logging.INFO)  # alembic and werkzeug request lines
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
                    )
                )
                db.session.commit()
            with app_a.app_context():
                agency, users = _office("000.00.60.H56", "UBND tỉnh A", "province")
                local, _ = _office("000.00.61.H56", "UBND xã A1", "commune")
                remote, _ = _office("000.00.70.H56", "UBND xã B", "commune")
                db.session.add(
                    Peer(
                        agency_code=remote.code,
                        endpoint=f"http://127.0.0.1:{server.server_port}",
                        secret_env=SECRET_ENV,
                    )
                )
                db.session.commit()

                doc, _ms = _issue(agency, users, local, pdf, 1)
                packet = services.packet_for(doc, [local])
                samples = []
                for _ in range(rounds):
                    start = time.perf_counter()
                    edxml.parse_packet(edxml.build_document(packet))
                    samples.append((time.perf_counter() - start) * 1000)
                results.append(
                    _row("packet", samples, sum(samples) / 1000, pdf_bytes=len(pdf))
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
                    )
                )
                app_a.extensions["docflow.jobs"] = jobs

                for name, receiver in (
                    ("same_instance", local),
                    ("instance_to_instance", remote),
                ):
                    samples = []
                    begin = time.perf_counter()
                    for n in range(rounds):
                        doc, ms = _issue(
                            agency,
                            users,
                            receiver,
                            pdf,
                            100 + n + (0 if name == "same_instance" else 1000),
                        )
                        samples.append(ms)
                        codes = db.session.scalars(
                            db.select(RecipientStatus.code).where(
                                RecipientStatus.recipient_id == doc.recipients[0].id
                            )
                        ).all()
                        assert codes == ["01"], (name, codes)
                    total = time.perf_counter() - begin
                    results.append(_row(name, samples, total))
            with app_b.app_context():
                arrived = db.session.scalars(
                    db.select(IncomingDocument.signature_report)
                ).all()
                assert len(arrived) == rounds and all(
                    '"TOTAL-PASSED"' in (r or "") or "PASSED" in (r or "")
                    for r in arrived
                ), arrived[:1]
            server_a.shutdown()
        finally:
            if server is not None:
                server.shutdown()
            pki.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    bench(parser.parse_args().rounds)


if __name__ == "__main__":
    main()
