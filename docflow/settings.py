"""Settings: one declaration per key, loaded as defaults -> instance/docflow.cfg -> DOCFLOW_* env.

Every key has a default and a one-line comment. ``validate()`` runs at start-up and turns
bad values into one clear message listing every problem.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(Exception):
    """Raised at start-up when the configuration is invalid."""


@dataclass(frozen=True)
class Setting:
    default: Any
    help: str
    type: type = str


#: name -> declaration. Paths default to folders inside the instance folder.
SETTINGS: dict[str, Setting] = {
    "SECRET_KEY": Setting(
        "", "Key signing sessions and CSRF tokens; generated per instance if empty."
    ),
    "SQLALCHEMY_DATABASE_URI": Setting(
        "", "Database URL; empty = SQLite file instance/docflow.db."
    ),
    "STORAGE_BACKEND": Setting("local", "Where file bytes live: local or s3."),
    "STORAGE_PATH": Setting(
        "", "Folder for the local backend; empty = instance/storage."
    ),
    "S3_ENDPOINT": Setting("", "host:port of the S3 server (s3 backend)."),
    "S3_ACCESS_KEY": Setting("", "S3 access key (s3 backend)."),
    "S3_SECRET_KEY": Setting("", "S3 secret key (s3 backend)."),
    "S3_BUCKET": Setting("docflow", "S3 bucket, created if missing (s3 backend)."),
    "S3_SECURE": Setting(False, "Use HTTPS to reach the S3 server.", bool),
    "SEARCH_INDEX_PATH": Setting(
        "", "Folder of the Whoosh index; empty = instance/index."
    ),
    "SEARCH_BACKEND": Setting(
        "whoosh-per-agency",
        "Search index: whoosh-per-agency (one index per agency) or whoosh.",
    ),
    "SEARCH_LOCK_TIMEOUT": Setting(
        10,
        "Seconds an index writer waits for another writer before retrying later.",
        int,
    ),
    "SEARCH_OCR": Setting(
        "auto",
        "OCR of pages without text: on, off, or auto (on only with JOB_QUEUE=rq).",
    ),
    "JOB_QUEUE": Setting(
        "inline", "Background jobs: inline (in-process) or rq (Redis workers)."
    ),
    "REDIS_URL": Setting(
        "redis://127.0.0.1:6379/0", "Redis for the rq queue and shared rate limits."
    ),
    "RQ_QUEUE": Setting(
        "docflow",
        "Name of the rq queue; one per instance when instances share a Redis.",
    ),
    "RATELIMIT_STORAGE_URI": Setting(
        "memory://", "Flask-Limiter storage; use redis://... with several processes."
    ),
    "LOGIN_RATE_LIMIT": Setting(
        "10 per minute", "Login attempts allowed per client address."
    ),
    "API_RATE_LIMIT": Setting(
        "600 per minute", "REST API calls allowed per token (Flask-Limiter syntax)."
    ),
    "LOGIN_MAX_FAILURES": Setting(
        5, "Failed logins in a row before an account is locked.", int
    ),
    "LOGIN_LOCK_MINUTES": Setting(15, "How long a locked account stays locked.", int),
    "SESSION_COOKIE_SECURE": Setting(
        True, "Send the session cookie over HTTPS only.", bool
    ),
    "SESSION_LIFETIME_MINUTES": Setting(
        480, "Idle session lifetime (one working day).", int
    ),
    "DEFAULT_LOCALE": Setting("vi", "Interface language by default: vi or en."),
    "TIMEZONE": Setting("Asia/Ho_Chi_Minh", "Time zone for displayed dates."),
    "MAX_UPLOAD_MB": Setting(200, "Largest accepted upload, in megabytes.", int),
    "TRUST_ROOTS": Setting(
        "",
        "PEM files of trusted root certificates for signature checks, separated by ':'.",
    ),
    "REVOCATION_FETCHING": Setting(
        True, "Fetch OCSP/CRL over the network when validating signatures.", bool
    ),
    "REVOCATION_FILES": Setting(
        "",
        "CRL files (DER or PEM) used when validating signatures, separated by ':'.",
    ),
    "SIGNING_CHAIN": Setting(
        "",
        "PEM files of intermediate certificates embedded in signatures, separated by ':'.",
    ),
    "SIGNING_TSA_URL": Setting(
        "",
        "RFC 3161 time-stamping service; empty = signatures without timestamp (B-B).",
    ),
    "SIGNING_AGENT_URL": Setting(
        "wss://127.0.0.1:8987",
        "Address of docflow-agent on the leaders' PCs (ws:// or wss:// on the loopback).",
    ),
    "SIGNING_LEVEL": Setting(
        "B-T", "PAdES level when a TSA is set: B-T, B-LT or B-LTA."
    ),
    "DUE_SOON_DAYS": Setting(
        2, "A deadline this many days away or closer counts as due soon.", int
    ),
    "PAGE_SIZE": Setting(25, "Rows per page in document lists.", int),
}

_BOOL_TRUE = {"1", "true", "yes", "on"}
_BOOL_FALSE = {"0", "false", "no", "off"}


def _coerce(name: str, value: Any, kind: type, problems: list[str]) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _BOOL_TRUE:
            return True
        if text in _BOOL_FALSE:
            return False
        problems.append(f"{name}: expected true/false, got {value!r}")
        return None
    if kind is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            problems.append(f"{name}: expected a whole number, got {value!r}")
            return None
    if isinstance(value, list | tuple):  # e.g. TRUST_ROOTS given as a list by tests
        return ":".join(str(v) for v in value)
    return value if value is None else str(value)


def load_settings(
    instance_path: str, overrides: dict[str, Any] | None, environ: dict[str, str]
) -> dict[str, Any]:
    """Return the validated settings dict.

    Order: defaults, then ``instance/docflow.cfg`` (Python syntax, like Flask's
    from_pyfile), then ``DOCFLOW_<KEY>`` variables, then ``overrides`` (tests).
    """
    raw: dict[str, Any] = {name: s.default for name, s in SETTINGS.items()}
    cfg_file = Path(instance_path) / "docflow.cfg"
    problems: list[str] = []
    if overrides is None and cfg_file.exists():
        scope: dict[str, Any] = {}
        try:
            exec(compile(cfg_file.read_text("utf-8"), str(cfg_file), "exec"), scope)  # noqa: S102 - operator-owned file
        except (
            Exception
        ) as exc:  # a broken file must produce a message, not a traceback
            raise ConfigError(f"{cfg_file}: cannot be read: {exc}") from exc
        raw.update({k: v for k, v in scope.items() if k.isupper()})
    if overrides is None:
        for name in SETTINGS:
            env_value = environ.get(f"DOCFLOW_{name}")
            if env_value is not None:
                raw[name] = env_value
    else:
        raw.update(overrides)

    settings = dict(raw)
    for name, decl in SETTINGS.items():
        settings[name] = _coerce(name, raw.get(name), decl.type, problems)
    unknown = sorted(k for k in raw if k not in SETTINGS and not _is_flask_key(k))
    problems.extend(f"{k}: unknown setting" for k in unknown)
    problems.extend(_validate(settings))
    if problems:
        raise ConfigError("Invalid configuration:\n  - " + "\n  - ".join(problems))
    _fill_paths(settings, instance_path)
    return settings


def _is_flask_key(name: str) -> bool:
    # Tests and operators may pass Flask's own keys (TESTING, WTF_CSRF_ENABLED, ...).
    return name in {
        "TESTING",
        "DEBUG",
        "WTF_CSRF_ENABLED",
        "RATELIMIT_ENABLED",
        "SERVER_NAME",
        "PREFERRED_URL_SCHEME",
        "SQLALCHEMY_ECHO",
        "SQLALCHEMY_ENGINE_OPTIONS",
    }


def _validate(s: dict[str, Any]) -> list[str]:
    problems = []
    if s["STORAGE_BACKEND"] not in {"local", "s3"}:
        problems.append(
            f"STORAGE_BACKEND: must be local or s3, got {s['STORAGE_BACKEND']!r}"
        )
    if s["STORAGE_BACKEND"] == "s3":
        for key in ("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET"):
            if not s[key]:
                problems.append(f"{key}: required when STORAGE_BACKEND is s3")
    if s["JOB_QUEUE"] not in {"inline", "rq"}:
        problems.append(f"JOB_QUEUE: must be inline or rq, got {s['JOB_QUEUE']!r}")
    if s["JOB_QUEUE"] == "rq" and not str(s["REDIS_URL"] or "").startswith(
        ("redis://", "rediss://", "unix://")
    ):
        problems.append("REDIS_URL: must be a redis:// URL when JOB_QUEUE is rq")
    if not str(s["RQ_QUEUE"] or "").strip():
        problems.append("RQ_QUEUE: must not be empty")
    if s["SEARCH_BACKEND"] not in {"whoosh-per-agency", "whoosh"}:
        problems.append(
            f"SEARCH_BACKEND: must be whoosh-per-agency or whoosh, got {s['SEARCH_BACKEND']!r}"
        )
    if s["SEARCH_OCR"] not in {"auto", "on", "off"}:
        problems.append(f"SEARCH_OCR: must be auto, on or off, got {s['SEARCH_OCR']!r}")
    if s["DEFAULT_LOCALE"] not in {"vi", "en"}:
        problems.append(
            f"DEFAULT_LOCALE: must be vi or en, got {s['DEFAULT_LOCALE']!r}"
        )
    uri = s["SQLALCHEMY_DATABASE_URI"] or ""
    if uri and not uri.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
        problems.append(
            "SQLALCHEMY_DATABASE_URI: only sqlite:// and postgresql:// are supported"
        )
    if uri.startswith("postgresql:"):
        s["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg:" + uri[len("postgresql:") :]
    for key in ("TRUST_ROOTS", "SIGNING_CHAIN"):
        paths = [p for p in str(s[key] or "").split(":") if p]
        problems.extend(
            f"{key}: no such file {p}" for p in paths if not Path(p).is_file()
        )
        s[key] = paths
    crl_paths = [p for p in str(s["REVOCATION_FILES"] or "").split(":") if p]
    if crl_paths:
        from signing.validate import load_crls  # pyHanko: only when configured
    for p in crl_paths:
        if not Path(p).is_file():
            problems.append(f"REVOCATION_FILES: no such file {p}")
            continue
        try:
            load_crls([p])
        except ValueError as exc:
            problems.append(f"REVOCATION_FILES: {p}: {exc}")
    s["REVOCATION_FILES"] = crl_paths
    agent = urlsplit(str(s["SIGNING_AGENT_URL"]))
    try:
        agent_port = agent.port
    except ValueError:
        agent_port = -1
    if (
        agent.scheme not in ("ws", "wss")
        or agent.hostname not in ("127.0.0.1", "localhost", "::1")
        or agent_port == -1
        or agent.path not in ("", "/")
    ):
        problems.append(
            "SIGNING_AGENT_URL: expected ws:// or wss:// on 127.0.0.1 or localhost "
            f"(e.g. wss://127.0.0.1:8987), got {s['SIGNING_AGENT_URL']!r}"
        )
    if s["SIGNING_LEVEL"] not in {"B-T", "B-LT", "B-LTA"}:
        problems.append(
            f"SIGNING_LEVEL: must be B-T, B-LT or B-LTA, got {s['SIGNING_LEVEL']!r}"
        )
    for key in (
        "LOGIN_MAX_FAILURES",
        "LOGIN_LOCK_MINUTES",
        "MAX_UPLOAD_MB",
        "SESSION_LIFETIME_MINUTES",
        "DUE_SOON_DAYS",
        "PAGE_SIZE",
        "SEARCH_LOCK_TIMEOUT",
    ):
        if isinstance(s[key], int) and s[key] <= 0:
            problems.append(f"{key}: must be greater than 0")
    try:
        from limits import parse_many

        parse_many(str(s["API_RATE_LIMIT"]))
    except ValueError:
        problems.append(
            f"API_RATE_LIMIT: expected e.g. '600 per minute', got {s['API_RATE_LIMIT']!r}"
        )
    secret = s["SECRET_KEY"]
    if secret and len(secret) < 16:
        problems.append("SECRET_KEY: too short (at least 16 characters)")
    return problems


def _fill_paths(s: dict[str, Any], instance_path: str) -> None:
    inst = Path(instance_path)
    if not s["SQLALCHEMY_DATABASE_URI"]:
        s["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{inst / 'docflow.db'}"
    s["STORAGE_PATH"] = s["STORAGE_PATH"] or str(inst / "storage")
    s["SEARCH_INDEX_PATH"] = s["SEARCH_INDEX_PATH"] or str(inst / "index")
    if not s["SECRET_KEY"]:
        s["SECRET_KEY"] = _instance_secret(inst)


def _instance_secret(inst: Path) -> str:
    """A random key kept in instance/secret_key so sessions survive restarts."""
    inst.mkdir(parents=True, exist_ok=True)
    path = inst / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()
