"""The ``docflow`` command: Flask's click integration plus operator commands."""

from __future__ import annotations

import getpass
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def _create_app() -> Flask:
    from .app import create_app
    from .settings import ConfigError

    try:
        return create_app()
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def register_cli(app: Flask) -> None:
    """Commands that need the app (database, storage ...)."""
    from .audit.cli import audit
    from .demo import demo
    from .dossiers.cli import dossiers_cli
    from .files.cli import storage_cli
    from .outgoing.cli import keys_cli
    from .searching.cli import import_cli, search_cli

    app.cli.add_command(init)
    app.cli.add_command(demo)
    app.cli.add_command(worker)
    app.cli.add_command(reminders)
    app.cli.add_command(audit)
    app.cli.add_command(storage_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(dossiers_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(import_cli)


def upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


@click.command("init")
@click.option("--admin-username", default="admin", show_default=True)
@click.option(
    "--admin-password-env",
    metavar="VARNAME",
    help="Read the first admin's password from this variable.",
)
@click.option(
    "--agency-code",
    default=None,
    help="QCVN 102 code of the first agency (asked if missing).",
)
@click.option("--agency-name", default=None)
@click.option("--agency-short-name", default=None)
@with_appcontext
def init(
    admin_username: str,
    admin_password_env: str | None,
    agency_code: str | None,
    agency_name: str | None,
    agency_short_name: str | None,
) -> None:
    """Create or upgrade the database and create the first system administrator."""
    from sqlalchemy import select

    from .agencies.codes import qcvn102_error
    from .agencies.models import Agency, AgencyLevel
    from .audit.services import record
    from .auth.models import Role, User
    from .auth.passwords import MIN_LENGTH, hash_password, password_problem
    from .extensions import db

    upgrade_database()
    click.echo("Database schema is up to date.")
    if db.session.scalar(select(User).where(User.is_superadmin.is_(True))):
        click.echo("A system administrator already exists; nothing else to do.")
        return
    code = agency_code or click.prompt(
        "QCVN 102 code of your agency (e.g. 000.00.00.H56)"
    )
    if problem := qcvn102_error(code.strip().upper()):
        raise click.ClickException(f"Invalid agency code {code!r}: {problem}.")
    name = agency_name or click.prompt("Agency name")
    short = agency_short_name or click.prompt("Short name in notations (e.g. UBND)")
    password = os.environ.get(admin_password_env) if admin_password_env else None
    if not password:
        password = getpass.getpass("Password for the first administrator: ")
    if problem := password_problem(password, admin_username):
        raise click.ClickException(problem % {"n": MIN_LENGTH})
    agency = db.session.scalar(
        select(Agency).where(Agency.code == code.strip().upper())
    )
    if agency is None:
        agency = Agency(
            code=code.strip().upper(),
            name=name,
            short_name=short,
            level=AgencyLevel.PROVINCE,
        )
        db.session.add(agency)
        db.session.flush()
    admin = User(
        username=admin_username.lower(),
        full_name="Quản trị hệ thống",
        agency_id=agency.id,
        role=Role.ADMIN,
        is_superadmin=True,
        password_hash=hash_password(password),
    )
    db.session.add(admin)
    db.session.flush()
    record("system.init", actor=admin, obj=admin, agency_id=agency.id)
    db.session.commit()
    click.echo(f"System administrator {admin.username!r} created for {agency.name}.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option(
    "--fork/--no-fork",
    default=False,
    show_default=True,
    help="Fork a work horse per job. Off by default: PKCS#11 sessions do not survive a fork.",
)
@with_appcontext
def worker(burst: bool, fork: bool) -> None:
    """Run an RQ worker for background jobs (JOB_QUEUE=rq)."""
    from rq import SimpleWorker, Worker

    from .jobs import RQQueue
    from .jobs.runner import set_app

    queue = current_app.extensions["docflow.jobs"]
    if not isinstance(queue, RQQueue):
        raise click.ClickException(
            "JOB_QUEUE is 'inline': jobs run inside the web process, no worker needed."
        )
    set_app(current_app._get_current_object())  # type: ignore[attr-defined]
    worker_class = Worker if fork else SimpleWorker
    w = worker_class([queue.queue], connection=queue.connection)
    w.work(burst=burst, with_scheduler=True)


#: Daily jobs: run ``docflow reminders`` from cron (or a systemd timer) once a day.
DAILY_JOBS = ("incoming.remind_deadlines", "dossiers.remind_archive_due")


@click.command("reminders")
@with_appcontext
def reminders() -> None:
    """Queue the daily reminders: processing deadlines and dossiers due for the archive."""
    from datetime import date

    queue = current_app.extensions["docflow.jobs"]
    for name in DAILY_JOBS:
        # One run per job and day even if cron fires twice (the jobs are also idempotent).
        queue.enqueue(name, job_id=f"{name}:{date.today().isoformat()}")
        click.echo(f"queued {name}")


def _library_commands(group: click.Group) -> None:
    """Commands of the framework-free signing library: they run with no app and no database.

    ``docflow sign`` and ``docflow verify`` for operators and interoperability checks;
    ``docflow signing ...`` for the rest (normalise, prepare-fields, fill-issue,
    renew-timestamps).
    """
    from signing.cli import sign_command, signing_group
    from signing.validate_cli import renew_timestamps, verify

    signing_group.add_command(renew_timestamps, "renew-timestamps")
    group.add_command(sign_command, "sign")
    group.add_command(verify, "verify")
    group.add_command(signing_group, "signing")


def main() -> None:
    group = FlaskGroup(
        create_app=_create_app,
        add_version_option=False,
        load_dotenv=False,
        help="docflow: document management and digital signatures.",
    )
    _library_commands(group)
    group.main(prog_name="docflow")
