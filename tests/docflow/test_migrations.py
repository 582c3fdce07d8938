"""The schema built from the migrations is the schema the models describe, on both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from docflow.extensions import db


def _diff(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_migrations_match_models(make_app) -> None:
    assert _diff(make_app()) == []


@pytest.mark.postgres
def test_postgresql_migrations_match_models_and_downgrade(
    make_app, postgres_url
) -> None:
    from flask_migrate import downgrade, upgrade

    app = make_app(SQLALCHEMY_DATABASE_URI=postgres_url)
    assert _diff(app) == []
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        downgrade(directory=app.extensions["migrate"].directory, revision="base")
        assert db.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade(directory=app.extensions["migrate"].directory)
        assert "audit_entry" in db.inspect(db.engine).get_table_names()


def test_downgrade_to_base(make_app) -> None:
    from flask_migrate import downgrade

    app = make_app()
    with app.app_context():
        downgrade(directory=app.extensions["migrate"].directory, revision="base")
        assert db.inspect(db.engine).get_table_names() == ["alembic_version"]


@pytest.mark.postgres
def test_audit_chain_and_login_on_postgresql(make_app, postgres_url) -> None:
    from sqlalchemy import text

    from docflow.agencies.models import Agency, AgencyLevel
    from docflow.audit.services import record, verify_chain
    from docflow.auth.models import Role, User
    from docflow.auth.passwords import hash_password
    from tests.helpers import PASSWORD, login

    app = make_app(SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        agency = Agency(
            code="000.00.00.H56",
            name="Ủy ban nhân dân tỉnh Thanh Hóa",
            short_name="UBND",
            level=AgencyLevel.PROVINCE,
        )
        db.session.add(agency)
        db.session.flush()
        db.session.add(
            User(
                username="pg",
                full_name="Người dùng",
                agency_id=agency.id,
                role=Role.LEADER,
                password_hash=hash_password(PASSWORD),
            )
        )
        db.session.commit()
        assert login(app.test_client(), "pg").status_code == 302
        for i in range(3):
            record("test.event", object_id=i)
        db.session.commit()
        assert verify_chain().ok
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("DELETE FROM audit_entry"))
        db.session.rollback()
        db.session.execute(text("DROP TRIGGER audit_entry_no_change ON audit_entry"))
        db.session.execute(text("UPDATE audit_entry SET action = 'x' WHERE seq = 2"))
        db.session.commit()
        result = verify_chain()
        assert not result.ok and result.first_bad_seq == 2
