"""Command-line signing: ``sign IN.pdf OUT.pdf`` and the ``signing`` helpers.

docflow mounts these as ``docflow sign`` (``sign_command``) and ``docflow signing
...`` (``signing_group``: ``sign``, ``normalise``, ``prepare-fields``,
``fill-issue``). The PIN / passphrase comes from an environment variable named by
``--pin-env`` / ``--passphrase-env`` or from a hidden prompt; it is never an
option value (it would show in ``ps`` and shell history) and never printed.
Errors print one line and exit with code 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import tempfile
from pathlib import Path

import click

from .appearance import (
    ApprovalAppearance,
    AttachmentAppearance,
    SealAppearance,
    seal_placement,
)
from .documents import normalise_unsigned, open_reader, read_input
from .errors import SigningError
from .fields import DATE_FIELD, NUMBER_FIELD, fill_issue_fields, prepare_fields
from .keys import KeySource, Pkcs11Key, Pkcs12Key, load_certificates
from .placement import Placement
from .sign import Level, sign_pdf

__all__ = ["signing_group", "sign_command"]


class CliError(click.ClickException):
    exit_code = 2


def _fail_cleanly(func):
    """Turn library errors into one-line messages with exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except SigningError as exc:
            raise CliError(str(exc)) from exc
        except ValueError as exc:
            raise CliError(str(exc)) from exc
        except OSError as exc:
            raise CliError(
                f"{exc.filename or ''} {exc.strerror or exc}".strip()
            ) from exc

    return wrapper


def _secret(env_name: str | None, prompt: str) -> str:
    if env_name:
        value = os.environ.get(env_name)
        if value is not None:
            return value
    return click.prompt(prompt, hide_input=True, err=True)


def _parse_box(text: str | None):
    if text is None:
        return None
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4:
        raise click.BadParameter("expected x1,y1,x2,y2 in points", param_hint="--box")
    return parts


def _parse_size(text: str):
    try:
        w, h = (float(p) for p in text.lower().split("x"))
    except ValueError as exc:
        raise click.BadParameter("expected WIDTHxHEIGHT in points") from exc
    return (w, h)


def _write_atomically(path: str, data: bytes) -> None:
    """Write next to the target, then rename: no half-written signed files."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _key_from_options(opts) -> KeySource:
    chain = tuple(load_certificates(opts["chain"]))
    if opts["pkcs11_module"] and opts["pkcs12"]:
        raise click.UsageError("Use either --pkcs11-module or --pkcs12, not both")
    if opts["pkcs11_module"]:
        if not opts["token_label"] or not (opts["key_label"] or opts["key_id"]):
            raise click.UsageError(
                "--pkcs11-module needs --token-label and --key-label (or --key-id)"
            )
        key_id = None
        if opts["key_id"]:
            try:
                key_id = bytes.fromhex(opts["key_id"])
            except ValueError as exc:
                raise click.BadParameter(
                    "hexadecimal expected", param_hint="--key-id"
                ) from exc
        pin = _secret(opts["pin_env"], f"PIN for token '{opts['token_label']}'")
        return Pkcs11Key(
            module=opts["pkcs11_module"],
            token_label=opts["token_label"],
            pin=pin,
            key_label=opts["key_label"],
            key_id=key_id,
            chain=chain,
        )
    if opts["pkcs12"]:
        passphrase = _secret(opts["passphrase_env"], f"Passphrase for {opts['pkcs12']}")
        return Pkcs12Key(opts["pkcs12"], passphrase, chain=chain)
    raise click.UsageError("Give a key: --pkcs11-module ... or --pkcs12 FILE")


def _appearance_from_options(opts, data: bytes):
    kind = opts["appearance"]
    page = (
        None
        if opts["page"] is None
        else opts["page"] - 1
        if opts["page"] > 0
        else opts["page"]
    )
    box = _parse_box(opts["box"])
    if kind is None:
        if box or opts["anchor"]:
            raise click.UsageError("--box/--anchor need --appearance approval or seal")
        return None
    if kind == "attachment":
        if not opts["number"]:
            raise click.UsageError(
                "--appearance attachment needs --number (số/ký hiệu)"
            )
        return AttachmentAppearance(opts["number"], page=page or 0)
    if box is None and opts["anchor"] is None:
        if kind == "seal" and opts["seal_over"]:
            placement = seal_placement(open_reader(data), opts["seal_over"])
        else:
            raise click.UsageError(
                f"--appearance {kind} needs --box, --anchor or --seal-over"
            )
    else:
        size = _parse_size(opts["size"]) if opts["size"] else None
        kwargs = {"size": size} if size else {}
        if kind == "seal" and not size:
            kwargs["size"] = (105.0, 105.0)
        placement = Placement(
            page=page,
            box=box,
            anchor=opts["anchor"],
            mode=opts["anchor_mode"],
            **kwargs,
        )
    if kind == "seal":
        return SealAppearance(
            placement, **({"image": opts["image"]} if opts["image"] else {})
        )
    return ApprovalAppearance(
        placement,
        name=opts["name"],
        position=opts["position"].replace("\\n", "\n") if opts["position"] else None,
        **({"image": opts["image"]} if opts["image"] else {}),
    )


_sign_options = [
    click.argument("in_pdf", metavar="IN.pdf", type=click.Path(dir_okay=False)),
    click.argument("out_pdf", metavar="OUT.pdf", type=click.Path(dir_okay=False)),
    click.option("--pkcs11-module", metavar="PATH", help="PKCS#11 module (.so)"),
    click.option("--token-label", metavar="LABEL"),
    click.option("--key-label", metavar="LABEL"),
    click.option("--key-id", metavar="HEX", help="CKA_ID instead of a label"),
    click.option("--pin-env", metavar="VARNAME", help="read the PIN from $VARNAME"),
    click.option("--pkcs12", metavar="FILE", type=click.Path(dir_okay=False)),
    click.option("--passphrase-env", metavar="VARNAME"),
    click.option(
        "--chain", metavar="FILE", multiple=True, help="intermediate/root certificates"
    ),
    click.option(
        "--level",
        type=click.Choice([lvl.value for lvl in Level]),
        default="B-B",
        show_default=True,
    ),
    click.option("--tsa", metavar="URL", help="RFC 3161 TSA, needed from B-T up"),
    click.option(
        "--trust-root", metavar="FILE", multiple=True, help="roots for B-LT evidence"
    ),
    click.option(
        "--appearance",
        type=click.Choice(["approval", "seal", "attachment"]),
        default=None,
    ),
    click.option("--name", help="signer's full name (approval)"),
    click.option("--position", help=r"position lines, '\n' separated (approval)"),
    click.option("--image", type=click.Path(exists=True, dir_okay=False)),
    click.option("--page", type=int, help="1-based page; negative counts from the end"),
    click.option("--box", metavar="x1,y1,x2,y2", help="points, origin bottom-left"),
    click.option("--anchor", metavar="TEXT", help="place relative to this text"),
    click.option(
        "--anchor-mode", type=click.Choice(["below", "over", "right"]), default="below"
    ),
    click.option("--size", metavar="WxH", help="box size with --anchor, points"),
    click.option("--seal-over", metavar="FIELD", help="seal over this approval field"),
    click.option("--number", help="số/ký hiệu for --appearance attachment"),
    click.option("--field-name"),
    click.option("--reason"),
    click.option("--location"),
    click.option("--pss", is_flag=True, help="RSASSA-PSS instead of PKCS#1 v1.5"),
]


def _with_sign_options(func):
    for option in reversed(_sign_options):
        func = option(func)
    return func


@_with_sign_options
@_fail_cleanly
def _sign(in_pdf, out_pdf, **opts):
    """Sign IN.pdf into OUT.pdf (PAdES, incremental update)."""
    with open(in_pdf, "rb") as fh:
        data = read_input(fh)
    key = _key_from_options(opts)
    appearance = _appearance_from_options(opts, data)
    level = Level(opts["level"])
    if level.needs_tsa and not opts["tsa"]:
        raise click.UsageError(f"--level {level} needs --tsa URL")
    out = io.BytesIO()
    result = sign_pdf(
        data,
        out,
        key,
        level=level,
        tsa_url=opts["tsa"],
        appearance=appearance,
        field_name=opts["field_name"],
        reason=opts["reason"],
        location=opts["location"],
        prefer_pss=opts["pss"],
        trust_roots=load_certificates(opts["trust_root"]),
    )
    _write_atomically(out_pdf, out.getvalue())
    click.echo(
        f"Signed {out_pdf}: field {result.field_name}, level {result.level}, "
        f"{result.signing_time.isoformat()}",
        err=True,
    )


sign_command = click.command("sign")(_sign)


@click.group("signing")
def signing_group():
    """Digital signatures on PDF documents (NĐ 30/2020)."""


signing_group.add_command(sign_command)


@signing_group.command("normalise")
@click.argument("in_pdf", metavar="IN.pdf", type=click.Path(dir_okay=False))
@click.argument("out_pdf", metavar="OUT.pdf", type=click.Path(dir_okay=False))
@_fail_cleanly
def normalise_command(in_pdf, out_pdf):
    """Rewrite an UNSIGNED upload once so strict readers accept it."""
    with open(in_pdf, "rb") as fh:
        data = normalise_unsigned(fh)
    _write_atomically(out_pdf, data)


@signing_group.command("prepare-fields")
@click.argument("in_pdf", metavar="IN.pdf", type=click.Path(dir_okay=False))
@click.argument("out_pdf", metavar="OUT.pdf", type=click.Path(dir_okay=False))
@click.option("--number-anchor", default="Số:", show_default=True)
@click.option("--date-anchor", metavar="TEXT", required=True, help='e.g. "Hà Nội,"')
@click.option("--page", type=int, default=1, show_default=True)
@_fail_cleanly
def prepare_fields_command(in_pdf, out_pdf, number_anchor, date_anchor, page):
    """Declare the empty number/date fields right of their anchors in a draft."""
    page_ix = page - 1 if page > 0 else page
    with open(in_pdf, "rb") as fh:
        data = prepare_fields(
            fh,
            {
                NUMBER_FIELD: Placement(
                    page=page_ix, anchor=number_anchor, mode="right", size=(160, 18)
                ),
                DATE_FIELD: Placement(
                    page=page_ix, anchor=date_anchor, mode="right", size=(210, 18)
                ),
            },
        )
    _write_atomically(out_pdf, data)


@signing_group.command("fill-issue")
@click.argument("in_pdf", metavar="IN.pdf", type=click.Path(dir_okay=False))
@click.argument("out_pdf", metavar="OUT.pdf", type=click.Path(dir_okay=False))
@click.option("--number", required=True, help='e.g. "15/QĐ-UBND"')
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]), required=True)
@_fail_cleanly
def fill_issue_command(in_pdf, out_pdf, number, date_):
    """Fill the issued number and date after the leader's signature (incremental)."""
    with open(in_pdf, "rb") as fh:
        data = fill_issue_fields(
            fh, number, dt.date(date_.year, date_.month, date_.day)
        )
    _write_atomically(out_pdf, data)
