"""``docflow keys ...``: register where leaders' keys and the agency seal key live.

PINs and passphrases are never stored: the credential names the environment variable of
the server process that holds them.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from ..agencies.models import Agency
from ..audit.services import record
from ..auth.models import Role, User
from ..extensions import db
from .models import SigningCredential


@click.group("keys")
def keys_cli() -> None:
    """Signing keys of leaders and agencies (PKCS#11 tokens/HSMs, PKCS#12 files)."""


@keys_cli.command("add")
@click.option(
    "--agency", "agency_code", required=True, help="QCVN 102 code of the agency."
)
@click.option(
    "--user",
    "username",
    help="The leader whose approval key this is (omit for the agency seal).",
)
@click.option("--pkcs11-module", type=click.Path(exists=True, dir_okay=False))
@click.option("--token-label")
@click.option("--key-label")
@click.option("--pkcs12", "pkcs12_path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--secret-env",
    required=True,
    metavar="VARNAME",
    help="Environment variable that holds the PIN or passphrase.",
)
@with_appcontext
def add(
    agency_code: str,
    username: str | None,
    pkcs11_module: str | None,
    token_label: str | None,
    key_label: str | None,
    pkcs12_path: str | None,
    secret_env: str,
) -> None:
    """Register a key: a leader's approval key (--user) or the agency's seal key."""
    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code.upper()))
    if agency is None:
        raise click.ClickException(f"no agency with code {agency_code}")
    user = None
    if username:
        user = db.session.scalar(
            select(User).where(func.lower(User.username) == username.lower())
        )
        if user is None or user.agency_id != agency.id or user.role != Role.LEADER:
            raise click.ClickException(f"{username} is not a leader of {agency.name}")
    if bool(pkcs11_module) == bool(pkcs12_path):
        raise click.ClickException(
            "give either --pkcs11-module (with --token-label, --key-label) or --pkcs12"
        )
    if pkcs11_module and not (token_label and key_label):
        raise click.ClickException(
            "--token-label and --key-label are required with --pkcs11-module"
        )
    row = SigningCredential(
        agency_id=agency.id,
        user_id=user.id if user else None,
        purpose="approval" if user else "seal",
        kind="pkcs11" if pkcs11_module else "pkcs12",
        module_path=pkcs11_module,
        token_label=token_label,
        key_label=key_label,
        pkcs12_path=pkcs12_path,
        secret_env=secret_env,
    )
    db.session.add(row)
    db.session.flush()
    record(
        "keys.add",
        agency_id=agency.id,
        obj=row,
        purpose=row.purpose,
        kind=row.kind,
        user=user.username if user else None,
    )
    db.session.commit()
    click.echo(
        f"Registered {row.purpose} key #{row.id} ({row.kind}) for {user.full_name if user else agency.name}."
    )


@keys_cli.command("list")
@with_appcontext
def list_() -> None:
    """List the registered keys."""
    for row in db.session.scalars(
        select(SigningCredential).order_by(SigningCredential.id)
    ):
        where = (
            f"{row.module_path} token={row.token_label} key={row.key_label}"
            if row.kind == "pkcs11"
            else row.pkcs12_path
        )
        click.echo(
            f"#{row.id} {row.purpose:<8} agency={row.agency_id} user={row.user_id} {row.kind} {where} "
            f"secret=${row.secret_env} {'active' if row.active else 'disabled'}"
        )
