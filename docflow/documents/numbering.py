"""Arrival numbers (số đến): per register and year, from 1 on 1 January, never repeated.

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


def next_number(register_id: int, year: int) -> int:
    """Take the next number of ``register_id`` for ``year`` inside the current transaction."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(RegisterCounter)
        .values(register_id=register_id, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["register_id", "year"])
    )
    return db.session.execute(
        update(RegisterCounter)
        .where(RegisterCounter.register_id == register_id, RegisterCounter.year == year)
        .values(last_number=RegisterCounter.last_number + 1)
        .returning(RegisterCounter.last_number)
    ).scalar_one()
