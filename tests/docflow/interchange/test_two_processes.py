"""Two docflow instances as separate processes on 127.0.0.1 exchange signed documents.

Instance A (province, 000.00.60.H56) runs gunicorn and a ``docflow worker`` on RQ;
instance B (commune, 000.00.70.H56) runs gunicorn with inline jobs. Each has its own
port, database and storage. Packets and statuses go over real HTTP with the shared
HMAC secret; B is driven through its REST API. The receiver, then the sender's worker,
is killed with SIGKILL in the middle of a burst: every document must arrive exactly
once, with its file, its signature report and its status 01 back at the sender.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from docflow.interchange.transport import Reply
from signing.validate import TOTAL_PASSED
from tests.docflow.interchange.instances import (
    PEER_SECRET,
    PEER_SECRET_ENV,
    Instance,
    OfficeIds,
    databases,
    issue_outgoing,
    seed_office,
    seed_peer,
    seed_seal,
    wait_for,
)
from tests.docflow.office import make_pdf

pytestmark = pytest.mark.redis

A_CODE, B_CODE = "000.00.60.H56", "000.00.70.H56"
A_NAME, B_NAME = "Ủy ban nhân dân tỉnh A", "Ủy ban nhân dân xã B"
BURST = 12
SEAL_PASSPHRASE_ENV = "DOCFLOW_TEST_TWO_PROCESSES_SEAL"  # noqa: S105 - a variable name


@dataclass
class Two:
    a: Instance
    b: Instance
    office_a: OfficeIds
    office_b: OfficeIds
    b_in_a: int  #: agency id of B in A's directory
    sign: Any  #: text -> signed PDF bytes
    numbers: Any  #: an iterator of fresh outgoing numbers


def _redis_url_for_this_module() -> str:
    """The test Redis on a database the suite's ``redis_url`` fixture never flushes."""
    from tests.conftest import _server_url

    url = _server_url("DOCFLOW_TEST_REDIS_URL", "Redis")
    base, _sep, _db = url.rpartition("/")
    return f"{base}/{7 + os.getpid() % 8}"


@pytest.fixture(scope="module")
def two(tmp_path_factory, pki, pkcs12_file, pkcs12_factory):
    from rq import Queue

    from signing.keys import Pkcs12Key
    from signing.sign import sign_pdf

    redis_url = _redis_url_for_this_module()
    queue_name = f"docflow-two-processes-{uuid.uuid4().hex[:8]}"
    root = tmp_path_factory.mktemp("two-processes")
    key = Pkcs12Key(pkcs12_file.path, pkcs12_file.passphrase)
    seal_p12 = pkcs12_factory("seal")

    def sign(text: str) -> bytes:
        out = io.BytesIO()
        sign_pdf(make_pdf(text), out, key)
        return out.getvalue()

    common = {
        "SECRET_KEY": "two-processes-secret-key-0123456789",
        "TRUST_ROOTS": [str(pki.root_path)],
        "SIGNING_CHAIN": [str(pki.cert_path("interm"))],
        "SEARCH_OCR": "off",
        "API_RATE_LIMIT": "100000 per minute",
    }
    with (
        databases(root, ["a", "b"]) as urls,
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.setenv(PEER_SECRET_ENV, PEER_SECRET)
        mp.setenv(SEAL_PASSPHRASE_ENV, seal_p12.passphrase)  # A seals in both processes
        instances = {}
        for name, extra in (
            ("a", {"JOB_QUEUE": "rq", "REDIS_URL": redis_url, "RQ_QUEUE": queue_name}),
            ("b", {"JOB_QUEUE": "inline"}),
        ):
            folder = root / name
            folder.mkdir(exist_ok=True)
            instances[name] = Instance(
                name,
                folder,
                urls[name],
                {
                    **common,
                    **extra,
                    "SQLALCHEMY_DATABASE_URI": urls[name],
                    "STORAGE_PATH": str(folder / "storage"),
                    "SEARCH_INDEX_PATH": str(folder / "index"),
                },
            )
        a, b = instances["a"], instances["b"]
        try:
            for inst in (a, b):
                inst.build_app()
            with a.context():
                office_a = seed_office(A_CODE, A_NAME, "a")
                seed_seal(office_a.agency_id, str(seal_p12.path), SEAL_PASSPHRASE_ENV)
                b_in_a = seed_peer(B_CODE, B_NAME, b.base_url)
            with b.context():
                office_b = seed_office(B_CODE, B_NAME, "b")
                seed_peer(A_CODE, A_NAME, a.base_url)
            a.start_web()
            b.start_web()
            a.start_worker()
            yield Two(a, b, office_a, office_b, b_in_a, sign, iter(range(1, 10_000)))
        except BaseException:
            for inst in (a, b):
                for role in ("web", "worker"):
                    print(f"---- {inst.name} {role}.log\n{inst.log_tail(role, 80)}")
            raise
        finally:
            for inst in (a, b):
                inst.stop_all()
                if inst.app is not None:
                    with inst.context():
                        from docflow.extensions import db

                        db.engine.dispose()
            queue = a.app.extensions["docflow.jobs"].queue if a.app else None
            if queue is not None:
                queue.empty()
                Queue(queue.name, connection=queue.connection).delete(delete_jobs=True)


# ---------------------------------------------------------------- helpers
def api(inst: Instance, token: str, method: str, path: str, body: Any = None):
    """A REST API call over HTTP; returns (status, JSON)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(  # noqa: S310 - loopback http
        inst.base_url + path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def post_raw(inst: Instance, path: str, body: bytes, headers: dict[str, str]):
    req = urllib.request.Request(  # noqa: S310 - loopback http
        inst.base_url + path,
        data=body,
        method="POST",
        headers={"Content-Type": "application/xml", **headers},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310
            reply = Reply(resp.status, resp.read(), dict(resp.headers))
    except urllib.error.HTTPError as exc:
        reply = Reply(exc.code, exc.read(), dict(exc.headers))
    return reply.status, json.loads(reply.body or b"{}"), reply


def issue_batch(two: Two, count: int, tag: str) -> dict[int, bytes]:
    """``count`` signed documents issued by A to B in a row; outgoing id -> PDF sent."""
    pdfs = {}
    with two.a.context():
        for i in range(count):
            pdf = two.sign(f"Công văn {tag} số {i}")
            doc_id = issue_outgoing(
                two.office_a,
                two.b_in_a,
                next(two.numbers),
                pdf,
                f"Về việc {tag} số {i}",
            )
            pdfs[doc_id] = pdf
    return pdfs


def document_ids(two: Two, outgoing_ids) -> dict[int, str]:
    from docflow.interchange.services import document_id_of
    from docflow.outgoing.models import OutgoingDocument

    with two.a.context():
        from docflow.extensions import db

        return {
            i: document_id_of(db.session.get(OutgoingDocument, i)) for i in outgoing_ids
        }


def arrivals(two: Two, doc_ids) -> dict[str, int]:
    """B: number of receipts per DocumentId among ``doc_ids``."""
    from docflow.extensions import db
    from docflow.interchange.models import Receipt

    with two.b.context():
        rows = db.session.execute(
            select(Receipt.edxml_document_id, func.count(Receipt.id))
            .where(Receipt.edxml_document_id.in_(list(doc_ids)))
            .group_by(Receipt.edxml_document_id)
        ).all()
    return dict(rows)


def outbox_states(two: Two, doc_ids) -> dict[str, str]:
    from docflow.extensions import db
    from docflow.interchange.models import OutboxMessage

    with two.a.context():
        rows = db.session.execute(
            select(OutboxMessage.edxml_document_id, OutboxMessage.state).where(
                OutboxMessage.kind == "document",
                OutboxMessage.edxml_document_id.in_(list(doc_ids)),
            )
        ).all()
    return dict(rows)


def statuses_in_a(two: Two, outgoing_ids) -> dict[int, list[str]]:
    """A: the status codes received per outgoing document, in order of arrival."""
    from docflow.extensions import db
    from docflow.interchange.models import RecipientStatus
    from docflow.outgoing.models import Recipient

    with two.a.context():
        rows = db.session.execute(
            select(Recipient.document_id, RecipientStatus.code)
            .join(Recipient, RecipientStatus.recipient_id == Recipient.id)
            .where(Recipient.document_id.in_(list(outgoing_ids)))
            .order_by(RecipientStatus.id)
        ).all()
    result: dict[int, list[str]] = {i: [] for i in outgoing_ids}
    for doc_id, code in rows:
        result[doc_id].append(code)
    return result


def flush_until_sent(two: Two, doc_ids, timeout: float = 90) -> None:
    """Run ``docflow interchange flush --now`` (A) until every document message is sent.

    A message whose attempt failed while B was down waits for its back-off (10 s and
    more); ``--now`` makes it due. One flush is usually enough; it is repeated when a
    message failed again meanwhile (e.g. B still starting).
    """
    deadline = time.monotonic() + timeout

    def all_sent() -> bool:
        states = outbox_states(two, doc_ids)
        return len(states) == len(doc_ids) and set(states.values()) == {"sent"}

    while not all_sent():
        assert time.monotonic() < deadline, (
            f"A's outbox is not all sent after {timeout:.0f} s: "
            f"{outbox_states(two, doc_ids)}"
        )
        two.a.cli("interchange", "flush", "--now")
        with contextlib.suppress(AssertionError):
            wait_for(all_sent, 10, "the flushed messages", 0.3)


def assert_exactly_once(two: Two, pdfs: dict[int, bytes]) -> None:
    """Each document once in B, whole (file bytes, signature report), acknowledged with 01."""
    from docflow.documents.models import IncomingDocument, Source
    from docflow.extensions import db
    from docflow.files.services import open_file
    from docflow.interchange.models import Receipt
    from docflow.outgoing.models import DeliveryState, OutgoingEvent, Recipient

    doc_ids = document_ids(two, pdfs)
    assert outbox_states(two, doc_ids.values()) == dict.fromkeys(
        doc_ids.values(), "sent"
    )
    assert arrivals(two, doc_ids.values()) == dict.fromkeys(doc_ids.values(), 1)
    with two.b.context():
        for outgoing_id, doc_id in doc_ids.items():
            receipt = db.session.scalar(
                select(Receipt).where(Receipt.edxml_document_id == doc_id)
            )
            incoming = db.session.get(IncomingDocument, receipt.incoming_id)
            assert incoming.source == Source.INTERCHANGE
            assert incoming.agency_id == two.office_b.agency_id
            same_number = db.session.scalar(
                select(func.count(IncomingDocument.id)).where(
                    IncomingDocument.agency_id == two.office_b.agency_id,
                    IncomingDocument.issuer_code == A_CODE,
                    IncomingDocument.code_number == incoming.code_number,
                    IncomingDocument.code_notation == incoming.code_notation,
                )
            )
            assert same_number == 1, f"{doc_id} is in B {same_number} times"
            with open_file(incoming.main_file) as stream:
                stored = stream.read()
            assert (
                hashlib.sha256(stored).digest()
                == hashlib.sha256(pdfs[outgoing_id]).digest()
            )
    with two.a.context():
        for outgoing_id in pdfs:
            recipient = db.session.scalar(
                select(Recipient).where(Recipient.document_id == outgoing_id)
            )
            assert recipient.delivery == DeliveryState.DELIVERED
            delivered = db.session.scalar(
                select(func.count(OutgoingEvent.id)).where(
                    OutgoingEvent.document_id == outgoing_id,
                    OutgoingEvent.kind == "delivered",
                )
            )
            assert delivered == 1

    # The work that follows an arrival is not lost with the process that did it.
    def reports() -> bool:
        with two.b.context():
            rows = db.session.scalars(
                select(IncomingDocument.signature_report)
                .join(Receipt, Receipt.incoming_id == IncomingDocument.id)
                .where(Receipt.edxml_document_id.in_(list(doc_ids.values())))
            ).all()
        return len(rows) == len(doc_ids) and all(rows)

    wait_for(reports, 60, "a signature report for every arrival in B", 0.5)
    wait_for(
        lambda: all(
            codes == ["01"] for codes in statuses_in_a(two, list(pdfs)).values()
        ),
        60,
        "exactly one status 01 per document back in A",
        0.5,
    )


# ---------------------------------------------------------------- tests
def test_a_signed_document_and_its_statuses_travel_between_processes(two) -> None:
    (outgoing_id,) = issue_batch(two, 1, "hội nghị")
    (doc_id,) = document_ids(two, [outgoing_id]).values()
    wait_for(
        lambda: outbox_states(two, [doc_id]) == {doc_id: "sent"},
        60,
        "A's worker to deliver the packet",
    )
    clerk, leader = two.office_b.tokens["clerk"], two.office_b.tokens["leader"]
    status, listing = api(two.b, clerk, "GET", "/api/v1/incoming?tab=pending")
    assert status == 200
    (item,) = [d for d in listing["items"] if "hội nghị" in d["subject"]]
    incoming_id = item["id"]

    def validated() -> dict | None:
        doc = api(two.b, clerk, "GET", f"/api/v1/incoming/{incoming_id}")[1]
        return doc if doc.get("signature_report") else None

    doc = wait_for(validated, 60, "B to validate the signature")
    assert doc["status"] == "pending" and doc["source"] == "interchange"
    received = doc["timeline"][0]
    assert received["kind"] == "received"
    assert "gói tin ký số bởi" in received["text"]  # B checked A's seal on the packet
    summary = doc["signature_report"]["summary"]
    assert summary["indication"] == TOTAL_PASSED, summary
    assert doc["signature_report"]["signatures"][0]["signer"]["common_name"] == (
        "Nguyễn Văn An"
    )
    wait_for(
        lambda: statuses_in_a(two, [outgoing_id])[outgoing_id] == ["01"],
        30,
        "status 01 in A",
    )

    status, body = api(
        two.b,
        clerk,
        "POST",
        f"/api/v1/incoming/{incoming_id}/register",
        {"presented_to_id": two.office_b.leader_id},
    )
    assert status == 200 and body["status"] == "registered", body
    wait_for(
        lambda: statuses_in_a(two, [outgoing_id])[outgoing_id] == ["01", "03"],
        30,
        "status 03 in A",
    )
    status, body = api(
        two.b,
        leader,
        "POST",
        f"/api/v1/incoming/{incoming_id}/assign",
        {"lead": {"user_id": two.office_b.specialist_id}, "instruction": "Xử lý"},
    )
    assert status == 200 and body["status"] == "in_progress", body
    wait_for(
        lambda: statuses_in_a(two, [outgoing_id])[outgoing_id] == ["01", "03", "04"],
        30,
        "status 04 in A",
    )
    # What A's records officer sees on the document page.
    from docflow.extensions import db
    from docflow.interchange.services import delivery_of
    from docflow.outgoing.models import Recipient

    with two.a.context():
        recipient = db.session.scalar(
            select(Recipient).where(Recipient.document_id == outgoing_id)
        )
        delivery = delivery_of(recipient)
        assert delivery.state == "sent" and delivery.last.code == "04"


def _kill_mid_burst(two: Two, tag: str, victim: str) -> None:
    pdfs = issue_batch(two, BURST, tag)
    doc_ids = list(document_ids(two, pdfs).values())
    first = wait_for(
        lambda: sum(arrivals(two, doc_ids).values()), 60, "the first arrival in B", 0.02
    )
    inst, role = (two.b, "web") if victim == "receiver" else (two.a, "worker")
    inst.kill(role)
    arrived = sum(arrivals(two, doc_ids).values())
    assert arrived < BURST, (
        f"the whole burst arrived before the kill ({first} at first sight): "
        "nothing was interrupted"
    )
    if victim == "receiver":
        # A keeps trying while B is down: its messages fail and wait for their next attempt.
        from docflow.extensions import db
        from docflow.interchange.models import OutboxMessage

        def refused() -> bool:
            with two.a.context():
                return bool(
                    db.session.scalar(
                        select(func.count(OutboxMessage.id)).where(
                            OutboxMessage.edxml_document_id.in_(doc_ids),
                            OutboxMessage.last_error.is_not(None),
                        )
                    )
                )

        wait_for(refused, 30, "A to find B down")
        time.sleep(0.5)
        two.b.start_web()
    else:
        two.a.start_worker()
    flush_until_sent(two, doc_ids)
    assert_exactly_once(two, pdfs)


def test_receiver_killed_mid_delivery_gets_every_document_once(two) -> None:
    _kill_mid_burst(two, "đợt một", "receiver")


def test_sender_worker_killed_mid_burst_delivers_every_document_once(two) -> None:
    _kill_mid_burst(two, "đợt hai", "worker")


def test_replayed_tampered_and_forged_packets_over_http(two) -> None:
    from docflow.extensions import db
    from docflow.interchange import edxml
    from docflow.interchange.services import (
        PACKETS_PATH,
        STATUS_PATH,
        _sealed,
        packet_for,
    )
    from docflow.interchange.transport import (
        HEADER_SIG,
        request_headers,
        verify_response,
    )
    from docflow.outgoing.models import OutgoingDocument

    with two.a.context():
        outgoing_id = issue_outgoing(
            two.office_a,
            two.b_in_a,
            next(two.numbers),
            two.sign("Công văn gửi tay"),
            "Về việc gửi lại gói tin",
            deliver=False,
        )
        doc = db.session.get(OutgoingDocument, outgoing_id)
        receiver = db.session.get(type(doc.agency), two.b_in_a)
        unsealed = edxml.build_document(packet_for(doc, [receiver]))
        body = _sealed(doc, unsealed)  # what A's outbox holds: sealed with A's key
    doc_id = edxml.parse_packet(body).document_id
    headers = request_headers(PEER_SECRET, A_CODE, PACKETS_PATH, body)

    status, answer, reply = post_raw(two.b, PACKETS_PATH, body, headers)
    assert status == 200 and answer["result"] == "accepted", answer
    assert verify_response(PEER_SECRET, headers[HEADER_SIG], reply)  # B answered
    assert "UBND tỉnh Thử nghiệm" in answer["sealed_by"]  # the seal certificate
    (incoming_id,) = answer["incoming"]

    # The same request again (a replay within the time window): the same document.
    status, again, _reply = post_raw(two.b, PACKETS_PATH, body, headers)
    assert status == 200 and again["incoming"] == [incoming_id]
    assert arrivals(two, [doc_id]) == {doc_id: 1}

    # The captured signature is bound to the path: it is no status packet.
    status, refused, _h = post_raw(two.b, STATUS_PATH, body, headers)
    assert status == 401 and refused["result"] == "unauthenticated"

    # One byte changed in the body (the subject): refused with the reason.
    position = body.index("gửi lại".encode())
    tampered = body[:position] + b"X" + body[position + 1 :]
    status, refused, _reply = post_raw(two.b, PACKETS_PATH, tampered, headers)
    assert status == 401, refused
    assert refused == {
        "result": "unauthenticated",
        "reason": "unknown sender or bad signature",
    }

    # The same change by someone holding the shared secret: the agency seal refuses it.
    resigned = request_headers(PEER_SECRET, A_CODE, PACKETS_PATH, tampered)
    status, refused, _reply = post_raw(two.b, PACKETS_PATH, tampered, resigned)
    assert status == 422 and refused["result"] == "rejected", refused
    assert "seal" in refused["reason"].lower() or "signature" in refused["reason"]
    # So is a packet without the seal B's directory requires from A.
    bare = request_headers(PEER_SECRET, A_CODE, PACKETS_PATH, unsealed)
    status, refused, _reply = post_raw(two.b, PACKETS_PATH, unsealed, bare)
    assert status == 422 and refused["result"] == "rejected", refused

    # A replay after the 5-minute window, and a request signed with another secret.
    stale = request_headers(
        PEER_SECRET, A_CODE, PACKETS_PATH, body, now=time.time() - 400
    )
    forged = request_headers(
        "not-the-shared-secret-0123456789", A_CODE, PACKETS_PATH, body
    )
    unknown = request_headers(PEER_SECRET, "000.00.99.H56", PACKETS_PATH, body)
    for bad in (stale, forged, unknown):
        status, refused, reply = post_raw(two.b, PACKETS_PATH, body, bad)
        assert status == 401 and refused["result"] == "unauthenticated"
        assert HEADER_SIG not in reply.headers  # nothing signed for strangers
    assert arrivals(two, [doc_id]) == {doc_id: 1}
