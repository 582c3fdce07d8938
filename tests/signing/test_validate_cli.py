"""`verify` and `renew-timestamps` through click's CliRunner (sandboxed validation)."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from signing.keys import Pkcs12Key
from signing.sign import sign_pdf
from signing.validate import validate_pdf
from signing.validate_cli import renew_timestamps, verify


@pytest.fixture(scope="module")
def signed(pki, pkcs12_factory, tmp_path_factory):
    """{level: path} of documents signed at B-T and B-LTA, plus an unsigned one."""
    from tests.signing import pki_support

    folder = tmp_path_factory.mktemp("cli")
    p12 = pkcs12_factory("leader-rsa")
    draft = pki_support.make_sample_pdf()
    paths = {"unsigned": folder / "unsigned.pdf"}
    paths["unsigned"].write_bytes(draft)
    for level in ("B-T", "B-LTA"):
        out = io.BytesIO()
        sign_pdf(
            draft,
            out,
            Pkcs12Key(p12.path, p12.passphrase),
            level=level,
            tsa_url=pki.tsa_url,
        )
        paths[level] = folder / f"{level}.pdf"
        paths[level].write_bytes(out.getvalue())
    return paths


def _run(command, args, **kwargs):
    return CliRunner().invoke(command, [str(a) for a in args], **kwargs)


def test_verify_json_valid(signed, pki):
    result = _run(verify, [signed["B-LTA"], "--json", "--trust", pki.root_path])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["indication"] == "TOTAL-PASSED"
    assert data["summary"]["exit_code"] == 0
    assert [s["kind"] for s in data["signatures"]] == [
        "signature",
        "document_timestamp",
    ]
    assert data["signatures"][0]["signer"]["common_name"] == "Nguyễn Văn An"
    assert data["signatures"][0]["pades_level"] == "B-LTA"


def test_verify_human_output(signed, pki):
    result = _run(verify, [signed["B-T"], "--trust", pki.root_path])
    assert result.exit_code == 0, result.output
    assert "Chữ ký số hợp lệ." in result.output
    assert "The signature is valid." in result.output
    assert "(+07:00)" in result.output and "B-T" in result.output


def test_verify_trust_roots_from_environment(signed, pki):
    result = _run(
        verify, [signed["B-T"]], env={"DOCFLOW_TRUST_ROOTS": str(pki.root_path)}
    )
    assert result.exit_code == 0, result.output


def test_verify_tampered_exits_1(signed, pki, tmp_path):
    data = bytearray(signed["B-T"].read_bytes())
    ix = data.index(b"/MediaBox")
    ix = data.index(b"595", ix)
    data[ix : ix + 3] = b"596"
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(data))
    result = _run(verify, [path, "--json", "--trust", pki.root_path])
    assert result.exit_code == 1, result.output
    sig = json.loads(result.output)["signatures"][0]
    assert (sig["indication"], sig["sub_indication"]) == (
        "TOTAL-FAILED",
        "HASH_FAILURE",
    )


def test_verify_untrusted_exits_2(signed):
    result = _run(verify, [signed["B-T"], "--json", "--no-fetch"])
    assert result.exit_code == 2
    sig = json.loads(result.output)["signatures"][0]
    assert sig["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND"


def test_verify_unsigned_and_junk_exit_2(signed, pki, tmp_path):
    result = _run(verify, [signed["unsigned"], "--trust", pki.root_path])
    assert result.exit_code == 2
    assert "Tệp không có chữ ký số." in result.output
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n1 0 obj <<")
    result = _run(verify, [junk, "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output)["summary"]["reason"] == "MALFORMED"
    result = _run(verify, [tmp_path / "missing.pdf"])
    assert result.exit_code == 2


def test_renew_timestamps(signed, pki, tmp_path):
    original = signed["B-LTA"].read_bytes()
    common = ["--tsa-url", pki.tsa_url, "--trust", pki.root_path, "--json"]
    # the test TSA certificate is valid until 2060: not due within 30 days
    result = _run(renew_timestamps, [signed["B-LTA"], *common])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "not_due"

    out_dir = tmp_path / "renewed"
    args = [signed["B-LTA"], signed["B-T"], signed["unsigned"], *common]
    args += ["--days", "20000", "--output-dir", out_dir]
    result = _run(renew_timestamps, args)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [r["status"] for r in lines] == ["renewed", "renewed", "no_timestamp"]
    assert signed["B-LTA"].read_bytes() == original  # never rewritten in place

    lta = validate_pdf(out_dir / "B-LTA.pdf", trust_roots=[pki.root_path])
    assert lta.exit_code == 0, lta.to_dict()
    assert [s.kind for s in lta.signatures].count("document_timestamp") == 2
    upgraded = validate_pdf(out_dir / "B-T.pdf", trust_roots=[pki.root_path])
    assert upgraded.exit_code == 0, upgraded.to_dict()
    assert upgraded.signatures[0].pades_level == "B-LTA"

    # a second run does not overwrite what the first wrote
    result = _run(renew_timestamps, args)
    assert [json.loads(x)["status"] for x in result.output.splitlines()][:2] == [
        "exists",
        "exists",
    ]
