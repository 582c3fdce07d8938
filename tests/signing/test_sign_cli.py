"""The click commands docflow mounts as ``docflow sign`` / ``docflow signing``."""

import io

from click.testing import CliRunner
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from signing.cli import sign_command, signing_group


def token_args(token, pki, key_label="leader-rsa"):
    return [
        "--pkcs11-module", token.module, "--token-label", token.token_label,
        "--key-label", key_label, "--pin-env", "TEST_PIN",
        "--chain", str(pki.cert_path("interm")), "--chain", str(pki.cert_path("root")),
    ]  # fmt: skip


def validate(path, pki):
    with open(path, "rb") as fh:
        sigs = PdfFileReader(io.BytesIO(fh.read())).embedded_signatures
    return [
        validate_pdf_signature(s, pki.validation_context()).bottom_line for s in sigs
    ]


def test_sign_with_token_and_anchor(softhsm_token, pki, sample_pdf, tmp_path):
    src, dst = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(sample_pdf())
    result = CliRunner().invoke(
        sign_command,
        [str(src), str(dst), *token_args(softhsm_token, pki),
         "--level", "B-T", "--tsa", pki.tsa_url, "--appearance", "approval",
         "--anchor", "PHÓ CHỦ TỊCH", "--size", "160x90"],
        env={"TEST_PIN": softhsm_token.pin},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert validate(dst, pki) == [True]


def test_sign_with_pkcs12_attachment_and_prompted_passphrase(
    pkcs12_file, pki, sample_pdf, tmp_path
):
    src, dst = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(sample_pdf())
    result = CliRunner().invoke(
        signing_group,
        ["sign", str(src), str(dst), "--pkcs12", str(pkcs12_file.path),
         "--appearance", "attachment", "--number", "15/QĐ-UBND"],
        input=pkcs12_file.passphrase + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert validate(dst, pki) == [True]


def test_errors_are_one_line_exit_2(softhsm_token, pki, sample_pdf, tmp_path):
    src, dst = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(sample_pdf())
    runner = CliRunner()
    wrong_pin = runner.invoke(
        sign_command, [str(src), str(dst), *token_args(softhsm_token, pki)],
        env={"TEST_PIN": "999999"},
    )  # fmt: skip
    assert wrong_pin.exit_code == 2
    assert "Wrong PIN" in wrong_pin.output
    assert "Traceback" not in wrong_pin.output and "999999" not in wrong_pin.output
    assert not dst.exists()

    args = token_args(softhsm_token, pki)
    args[1] = str(tmp_path / "nope.so")
    bad_module = runner.invoke(sign_command, [str(src), str(dst), *args],
                               env={"TEST_PIN": softhsm_token.pin})  # fmt: skip
    assert bad_module.exit_code == 2 and "PKCS#11 module not found" in bad_module.output

    no_key = runner.invoke(sign_command, [str(src), str(dst)])
    assert no_key.exit_code == 2 and "Give a key" in no_key.output

    not_pdf = tmp_path / "x.pdf"
    not_pdf.write_text("hello")
    bad_pdf = runner.invoke(
        sign_command, [str(not_pdf), str(dst), *token_args(softhsm_token, pki)],
        env={"TEST_PIN": softhsm_token.pin},
    )  # fmt: skip
    assert bad_pdf.exit_code == 2 and "not a PDF" in bad_pdf.output
    missing = runner.invoke(sign_command, [str(tmp_path / "none.pdf"), str(dst)])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_full_flow_through_the_cli(softhsm_token, pki, sample_pdf, pdfsig, tmp_path):
    runner = CliRunner()
    env = {"TEST_PIN": softhsm_token.pin}
    steps = [
        ["prepare-fields", "0.pdf", "1.pdf", "--date-anchor", "Thử nghiệm,"],
        ["sign", "1.pdf", "2.pdf", *token_args(softhsm_token, pki, "leader-ec"),
         "--appearance", "approval", "--anchor", "PHÓ CHỦ TỊCH",
         "--field-name", "ky_duyet"],
        ["fill-issue", "2.pdf", "3.pdf", "--number", "15/QĐ-UBND",
         "--date", "2026-03-05"],
        ["sign", "3.pdf", "4.pdf", *token_args(softhsm_token, pki, "seal"),
         "--appearance", "seal", "--seal-over", "ky_duyet"],
    ]  # fmt: skip
    (tmp_path / "0.pdf").write_bytes(sample_pdf())
    with runner.isolated_filesystem(temp_dir=tmp_path) as cwd:
        (tmp_path / "0.pdf").rename(f"{cwd}/0.pdf")
        for step in steps:
            result = runner.invoke(signing_group, step, env=env)
            assert result.exit_code == 0, (step[0], result.output)
        assert validate(f"{cwd}/4.pdf", pki) == [True, True]
        assert [r["validation"] for r in pdfsig(f"{cwd}/4.pdf")] == [
            "Signature is Valid."
        ] * 2
