"""Operator commands, and a real HTTP round trip to a second instance served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from docflow.extensions import db
from docflow.interchange import services
from docflow.interchange.models import OutboxMessage, Peer
from tests.docflow.interchange.test_edxml import SAMPLE_FILES, SAMPLES


@pytest.mark.skipif(not SAMPLE_FILES, reason="official samples not available")
def test_parse_prints_json_and_fails_with_the_reason(app, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["edxml", "parse", "--json", str(SAMPLES / "status_rejection_02.edxml")]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status_code"] == "02"
    result = runner.invoke(
        args=["edxml", "parse", "--json", str(SAMPLES / "edoc_new.edxml")]
    )
    data = json.loads(result.output)
    assert data["kind"] == "document" and data["attachments"][0]["size"] == 388347
    result = runner.invoke(args=["edxml", "parse", str(SAMPLES / "edoc_new.edxml")])
    assert (
        "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" in result.output
        and "4 stray bytes" in result.output
    )
    hostile = tmp_path / "x.edxml"
    hostile.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'
    )
    result = runner.invoke(args=["edxml", "parse", str(hostile)])
    assert result.exit_code == 1 and "DOCTYPE" in result.output


def test_export_writes_the_packet_and_peer_edits_the_directory(
    app, make_office, issue_document, tmp_path
) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency])
    runner = app.test_cli_runner()
    out = tmp_path / "out.edxml"
    result = runner.invoke(
        args=["edxml", "export", str(doc.id), "--to", "000.00.61.H56", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["edxml", "export", str(doc.id)]).output.startswith(
        "<?xml"
    )
    result = runner.invoke(args=["edxml", "parse", "--json", str(out)])
    assert json.loads(result.output)["document_id"] == services.document_id_of(doc)
    result = runner.invoke(
        args=[
            "interchange",
            "peer",
            "000.00.99.H56",
            "https://docflow.xa.gov.vn",
            "PEER_SECRET",
        ]
    )
    assert result.exit_code == 0, result.output
    assert (
        db.session.scalar(
            select(Peer.endpoint).where(Peer.agency_code == "000.00.99.H56")
        )
        == "https://docflow.xa.gov.vn"
    )


def test_a_real_http_round_trip(pair, issue_document) -> None:
    """A posts over real HTTP (urllib) to B served by werkzeug on 127.0.0.1."""
    server = make_server("127.0.0.1", 0, pair.app_b, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        del pair.app_a.extensions[
            "docflow.interchange.transport"
        ]  # A uses the real HTTP transport
        peer = db.session.scalar(
            select(Peer).where(Peer.agency_code == "000.00.70.H56")
        )
        peer.endpoint = f"http://127.0.0.1:{server.server_port}"
        db.session.commit()
        remote_b = db.session.scalar(
            select(services.Agency).where(services.Agency.code == "000.00.70.H56")
        )
        doc = issue_document(pair.office_a, [remote_b])
        msg = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.recipient_id == doc.recipients[0].id
            )
        )
        assert msg.state == "sent", msg.last_error
        db.session.expire_all()
        assert [s.code for s in services.delivery_of(doc.recipients[0]).statuses] == [
            "01"
        ]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
