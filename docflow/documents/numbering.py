"""Register numbers (số đến, số văn bản đi): per register and year, from 1 on 1 January, never repeated.

One atomic ``UPDATE ... RETURNING`` on a counter row hands out the next number. On
PostgreSQL the row lock makes a concurrent registration wait for the first to commit;
on SQLite the write lock does the same (with the busy timeout set in app.py). A rolled
back registration leaves no gap because the counter update rolls back with it.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from .models import RegisterCounter


def next_number(register_id: int, year: int, counter: type = RegisterCounter) -> int:
    """Take the next number of ``register_id`` for ``year`` inside the current transaction.

    ``counter`` is the counter model (register_id, year, last_number): incoming by
    default, ``OutgoingCounter`` for outgoing documents.
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(counter)
        .values(register_id=register_id, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["register_id", "year"])
    )
    return db.session.execute(
        update(counter)
        .where(counter.register_id == register_id, counter.year == year)
        .values(last_number=counter.last_number + 1)
        .returning(counter.last_number)
    ).scalar_one()


def get_or_create_register(
    model: type, agency_id: int, name: str, secret: bool
) -> object:
    """The agency's register called ``name``, created if missing; safe when two clerks race.

    INSERT ... ON CONFLICT DO NOTHING on (agency_id, name), then read it back: the loser
    of a race reads the winner's row instead of failing on the unique constraint.
    """
    from sqlalchemy import select

    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(model)
        .values(agency_id=agency_id, name=name, is_secret=secret)
        .on_conflict_do_nothing(index_elements=["agency_id", "name"])
    )
    return db.session.scalar(
        select(model).where(model.agency_id == agency_id, model.name == name)
    )
