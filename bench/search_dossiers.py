"""Cost of dossier entries in the search index (the documents' titles are checked against
every user who may see the dossier).

    python bench/search_dossiers.py [--docs 5000] [--dossiers 500] [--items 10]

Seeds the inbox benchmark's agencies and incoming documents (bench/inbox.py: the main
agency has 30 users), then opens dossiers in the main agency, each kept by a specialist
and holding ``--items`` documents of the agency, and times building their entries, a
full rebuild of the dossier entries and ``docflow search check``. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--dossiers", type=int, default=500)
    parser.add_argument("--items", type=int, default=10)
    args = parser.parse_args()

    from sqlalchemy import insert, select

    from bench import inbox
    from docflow import create_app
    from docflow.auth.models import Role, User
    from docflow.cli import upgrade_database
    from docflow.documents.models import IncomingDocument
    from docflow.dossiers.models import Dossier, DossierCatalog, DossierItem
    from docflow.extensions import db
    from docflow.searching import get_index
    from docflow.searching.services import check
    from docflow.searching.sources import SOURCES

    if not inbox.CORPUS.is_dir():  # a worktree under /work/wt/
        inbox.CORPUS = ROOT.parents[1] / "shared" / "corpora" / "vn-legal" / "alqac2022"
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        app = create_app(
            inbox.app_config(work, f"sqlite:///{work / 'bench.db'}"),
            instance_path=str(work / "instance"),
        )
        with app.app_context():
            upgrade_database()
            inbox.seed(app, args.docs)
            agency_id = db.session.scalar(
                select(User.agency_id).where(User.username == "a0_records_officer_0")
            )
            keepers = list(
                db.session.scalars(
                    select(User).where(
                        User.agency_id == agency_id, User.role == Role.SPECIALIST
                    )
                )
            )
            doc_ids = list(
                db.session.scalars(
                    select(IncomingDocument.id).where(
                        IncomingDocument.agency_id == agency_id
                    )
                )
            )
            year = dt.date.today().year
            catalog = DossierCatalog(agency_id=agency_id, year=year, title="Danh mục")
            db.session.add(catalog)
            db.session.flush()
            rows = []
            for n in range(args.dossiers):
                keeper = rng.choice(keepers)
                rows.append(
                    {
                        "agency_id": agency_id,
                        "catalog_id": catalog.id,
                        "year": year,
                        "notation": f"{n + 1:03d}.HS",
                        "title": f"Hồ sơ công việc số {n + 1}",
                        "creator_id": keeper.id,
                        "department_id": keeper.department_id,
                        "start_date": dt.date.today(),
                    }
                )
            db.session.execute(insert(Dossier.__table__), rows)
            ids = list(db.session.scalars(select(Dossier.id)))
            creator = {d.id: d.creator_id for d in db.session.scalars(select(Dossier))}
            db.session.execute(
                insert(DossierItem.__table__),
                [
                    {
                        "dossier_id": d,
                        "kind": "incoming",
                        "document_id": doc,
                        "added_by_id": creator[d],
                        "added_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    }
                    for d in ids
                    for doc in rng.sample(doc_ids, args.items)
                ],
            )
            db.session.commit()

            source = SOURCES["dossier"]
            started = time.perf_counter()
            entries = [e for rows in source.batches() for e in source.entries(rows)]
            built = time.perf_counter() - started
            with_titles = sum(1 for e in entries if e.extra_text.count("\n") > 1)
            started = time.perf_counter()
            get_index().upsert(entries)
            written = time.perf_counter() - started
            inbox.emit(
                event="dossier_entries",
                dossiers=len(entries),
                items_each=args.items,
                users_in_agency=len(
                    list(
                        db.session.scalars(
                            select(User.id).where(User.agency_id == agency_id)
                        )
                    )
                ),
                build_seconds=round(built, 2),
                build_ms_per_dossier=round(1000 * built / len(entries), 1),
                index_write_seconds=round(written, 2),
                dossiers_with_shared_titles=with_titles,
            )
            started = time.perf_counter()
            drift = check()
            inbox.emit(
                event="check",
                seconds=round(time.perf_counter() - started, 1),
                missing=len(drift.missing),
                stale=len(drift.stale),
                orphaned=len(drift.orphaned),
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
