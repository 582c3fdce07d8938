from __future__ import annotations

from pathlib import Path

import pytest

from docflow import create_app
from docflow.settings import ConfigError, load_settings


def test_defaults_are_the_embedded_backends(tmp_path: Path) -> None:
    s = load_settings(str(tmp_path), None, {})
    assert s["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'docflow.db'}"
    assert s["STORAGE_BACKEND"] == "local" and s["STORAGE_PATH"] == str(
        tmp_path / "storage"
    )
    assert s["SEARCH_INDEX_PATH"] == str(tmp_path / "index")
    assert s["JOB_QUEUE"] == "inline"
    assert s["SESSION_COOKIE_SECURE"] is True
    # A secret is generated once and kept.
    assert len(s["SECRET_KEY"]) == 64
    assert load_settings(str(tmp_path), None, {})["SECRET_KEY"] == s["SECRET_KEY"]


def test_cfg_file_then_environment(tmp_path: Path) -> None:
    (tmp_path / "docflow.cfg").write_text('JOB_QUEUE = "rq"\nMAX_UPLOAD_MB = 50\n')
    s = load_settings(
        str(tmp_path), None, {"DOCFLOW_MAX_UPLOAD_MB": "75", "DOCFLOW_S3_SECURE": "yes"}
    )
    assert s["JOB_QUEUE"] == "rq"
    assert s["MAX_UPLOAD_MB"] == 75  # the environment wins over the file
    assert s["S3_SECURE"] is True


def test_postgresql_url_uses_psycopg3(tmp_path: Path) -> None:
    s = load_settings(
        str(tmp_path), None, {"DOCFLOW_SQLALCHEMY_DATABASE_URI": "postgresql://u@h/db"}
    )
    assert s["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DOCFLOW_STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND: must be local or s3"),
        (
            {"DOCFLOW_STORAGE_BACKEND": "s3"},
            "S3_ENDPOINT: required when STORAGE_BACKEND is s3",
        ),
        ({"DOCFLOW_JOB_QUEUE": "celery"}, "JOB_QUEUE: must be inline or rq"),
        ({"DOCFLOW_MAX_UPLOAD_MB": "lots"}, "MAX_UPLOAD_MB: expected a whole number"),
        ({"DOCFLOW_MAX_UPLOAD_MB": "0"}, "MAX_UPLOAD_MB: must be greater than 0"),
        ({"DOCFLOW_S3_SECURE": "maybe"}, "S3_SECURE: expected true/false"),
        (
            {"DOCFLOW_SQLALCHEMY_DATABASE_URI": "mysql://x"},
            "only sqlite:// and postgresql://",
        ),
        ({"DOCFLOW_SECRET_KEY": "short"}, "SECRET_KEY: too short"),
        ({"DOCFLOW_DEFAULT_LOCALE": "fr"}, "DEFAULT_LOCALE: must be vi or en"),
        (
            {"DOCFLOW_SIGNING_AGENT_URL": "wss://agent.example.org:8987"},
            "SIGNING_AGENT_URL: expected ws:// or wss:// on 127.0.0.1",
        ),
        (
            {"DOCFLOW_SIGNING_AGENT_URL": "https://127.0.0.1:8987"},
            "SIGNING_AGENT_URL: expected ws:// or wss://",
        ),
        (
            {"DOCFLOW_SIGNING_AGENT_URL": "wss://127.0.0.1:notaport"},
            "SIGNING_AGENT_URL: expected",
        ),
    ],
)
def test_invalid_settings_give_a_clear_message(
    tmp_path: Path, env: dict, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(str(tmp_path), None, env)
    assert message in str(info.value)


def _crl_file(path: Path) -> Path:
    """An empty CRL (PEM), self-issued by a throw-away key: syntax is all settings check."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA")]))
        .last_update(now)
        .next_update(now + timedelta(days=1))
        .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
    )
    path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    return path


def test_revocation_files_must_exist_and_be_crls(tmp_path: Path) -> None:
    good = _crl_file(tmp_path / "ca.crl")
    s = load_settings(
        str(tmp_path), None, {"DOCFLOW_REVOCATION_FILES": f"{good}:{good}"}
    )
    assert s["REVOCATION_FILES"] == [str(good), str(good)]
    assert load_settings(str(tmp_path), None, {})["REVOCATION_FILES"] == []
    junk = tmp_path / "junk.crl"
    junk.write_bytes(b"not a CRL")
    missing = tmp_path / "missing.crl"
    with pytest.raises(ConfigError) as info:
        load_settings(
            str(tmp_path),
            None,
            {"DOCFLOW_REVOCATION_FILES": f"{good}:{junk}:{missing}"},
        )
    message = str(info.value)
    assert f"REVOCATION_FILES: {junk}: not a valid CRL" in message
    assert f"REVOCATION_FILES: no such file {missing}" in message
    assert str(good) + ":" not in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    env = {"DOCFLOW_STORAGE_BACKEND": "ftp", "DOCFLOW_JOB_QUEUE": "x"}
    with pytest.raises(ConfigError) as info:
        load_settings(str(tmp_path), None, env)
    assert "STORAGE_BACKEND" in str(info.value) and "JOB_QUEUE" in str(info.value)


def test_unknown_key_in_cfg_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "docflow.cfg").write_text('STORAGE_BAKEND = "s3"\n')
    with pytest.raises(ConfigError, match="STORAGE_BAKEND: unknown setting"):
        load_settings(str(tmp_path), None, {})


def test_broken_cfg_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "docflow.cfg").write_text("JOB_QUEUE = \n")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings(str(tmp_path), None, {})


def test_test_config_ignores_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCFLOW_JOB_QUEUE", "nonsense")
    app = create_app({"SECRET_KEY": "x" * 32}, instance_path=str(tmp_path))
    assert app.config["JOB_QUEUE"] == "inline"


def test_cli_reports_config_errors_without_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = dict(
        os.environ, DOCFLOW_INSTANCE_PATH=str(tmp_path), DOCFLOW_JOB_QUEUE="celery"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from docflow.cli import main; main()",
            "audit",
            "verify",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "JOB_QUEUE: must be inline or rq" in result.stderr
    assert "Traceback" not in result.stderr
