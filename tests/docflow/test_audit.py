from __future__ import annotations

import pytest
from sqlalchemy import text

from docflow.audit.models import AuditEntry
from docflow.audit.services import AuditTamperError, record, verify_chain
from docflow.extensions import db


def _entries(n: int) -> None:
    for i in range(n):
        record("test.event", object_type="thing", object_id=i, note=f"sự kiện {i}")
    db.session.commit()


def _drop_triggers() -> None:
    """What an attacker with direct database access could do first."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text("DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_entry")
        )
    for name in ("audit_entry_no_update", "audit_entry_no_delete"):
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    db.session.commit()


def test_chain_verifies(app) -> None:
    _entries(5)
    result = verify_chain()
    assert result.ok and result.checked == 5
    seqs = db.session.scalars(db.select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    assert seqs == [1, 2, 3, 4, 5]


def test_edited_row_is_reported(app) -> None:
    _entries(5)
    _drop_triggers()
    db.session.execute(
        text('UPDATE audit_entry SET details = \'{"note": "sửa"}\' WHERE seq = 3')
    )
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 3 and "altered" in result.reason


def test_deleted_row_is_reported(app) -> None:
    _entries(5)
    _drop_triggers()
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 2 and "removed" in result.reason


def test_deleted_last_rows_and_rehashed_rows_are_caught(app) -> None:
    """Recomputing one row's own hash does not help: the next link breaks."""
    from docflow.audit.services import compute_hash

    _entries(4)
    _drop_triggers()
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.seq == 2))
    forged = compute_hash(
        AuditEntry(
            **{
                c: getattr(entry, c)
                for c in (
                    "seq",
                    "at",
                    "actor_id",
                    "agency_id",
                    "action",
                    "object_type",
                    "object_id",
                    "ip",
                    "prev_hash",
                )
            },
            details='{"note": "giả"}',
        )
    )
    db.session.execute(
        text(
            'UPDATE audit_entry SET details = \'{"note": "giả"}\', hash = :h WHERE seq = 2'
        ),
        {"h": forged},
    )
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 3


def test_database_refuses_update_and_delete(app) -> None:
    _entries(2)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_entry SET action = 'x' WHERE seq = 1"))
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_entry"))
    db.session.rollback()


def test_orm_refuses_changes(app) -> None:
    _entries(1)
    entry = db.session.scalar(db.select(AuditEntry))
    entry.action = "changed"
    with pytest.raises(AuditTamperError):
        db.session.commit()
    db.session.rollback()


def test_cli_verify(app) -> None:
    _entries(3)
    ok = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "3 entries verified" in ok.output
    _drop_triggers()
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 1"))
    db.session.commit()
    broken = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "#1" in broken.output
