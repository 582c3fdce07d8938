"""The packet's other files (sealed attachments, appendices) on the incoming document page."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from docflow.extensions import db
from docflow.interchange import edxml, services
from docflow.interchange.models import Receipt
from signing.keys import Pkcs12Key
from signing.sign import sign_pdf
from tests.docflow.office import make_pdf
from tests.helpers import login


@pytest.fixture
def app(make_app, pki):
    app = make_app(TRUST_ROOTS=[str(pki.root_path)], REVOCATION_FETCHING=False)
    with app.app_context():
        yield app


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def _sealed(pdf: bytes, pkcs12_factory, pki) -> bytes:
    p12 = pkcs12_factory("seal")
    out = io.BytesIO()
    sign_pdf(pdf, out, Pkcs12Key(p12.path, p12.passphrase, chain=(pki.cert("interm"),)))
    return out.getvalue()


def test_the_packets_other_files_are_listed_and_downloadable(
    app, make_office, issue_document, pkcs12_factory, pki
) -> None:
    sender = make_office(code="000.00.60.H56")
    receiver = make_office(code="000.00.61.H56")
    doc = issue_document(sender, [])  # sent below, with an appendix in the packet
    packet = services.packet_for(doc, [receiver.agency])
    appendix = _sealed(make_pdf("Phụ lục: danh sách đại biểu"), pkcs12_factory, pki)
    packet.attachments.append(
        edxml.Attachment(content_id="phu-luc", name="Phụ lục 01.pdf", data=appendix)
    )
    packet.attachments.append(
        edxml.Attachment(content_id="so-do", name="sơ đồ.png", data=_png())
    )
    parsed = edxml.parse_packet(edxml.build_document(packet))
    [incoming] = services.accept_document(parsed, via="http")
    db.session.commit()  # the jobs (inline) validate the files
    receipt = db.session.scalar(
        select(Receipt).where(Receipt.incoming_id == incoming.id)
    )
    assert receipt.extra_files and receipt.extra_reports
    [pdf_file, png_file] = [f for f, _r in services.packet_files(incoming)]

    clerk = app.test_client()
    login(clerk, receiver.clerk.username)
    html = clerk.get(f"/incoming/{incoming.id}").get_data(as_text=True)
    assert "Phụ lục 01.pdf" in html and "sơ đồ.png" in html
    assert f'data-packet-file="{pdf_file.id}"' in html
    # The appendix's seal is reported (signer and indication), the image unchecked.
    section = html.split(f'data-packet-file="{pdf_file.id}"')[1].split("</li>")[0:3]
    assert "data-indication=" in "".join(section)
    assert pki.cert("seal").subject.native["common_name"] in "".join(section)
    assert 'data-signatures="unchecked"' in html
    url = f"/incoming/{incoming.id}/packet-files/{pdf_file.id}"
    resp = clerk.get(url + "?download=1")
    assert resp.status_code == 200 and resp.get_data() == appendix
    png = clerk.get(f"/incoming/{incoming.id}/packet-files/{png_file.id}")
    assert png.status_code == 200 and png.get_data() == _png()
    # Not a file of this packet (the main file, or an id that does not exist): 404.
    main_id = incoming.main_file_id
    assert (
        clerk.get(f"/incoming/{incoming.id}/packet-files/{main_id}").status_code == 404
    )
    assert clerk.get(f"/incoming/{incoming.id}/packet-files/99999").status_code == 404

    # Another agency's user, and a user of the agency who may not see the document: 404.
    for username in (sender.clerk.username, receiver.specialist.username):
        other = app.test_client()
        login(other, username)
        assert other.get(url).status_code == 404, username
        assert "Phụ lục 01.pdf" not in other.get(f"/incoming/{incoming.id}").get_data(
            as_text=True
        )
