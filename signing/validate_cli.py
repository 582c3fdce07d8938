"""Click commands: ``verify`` (exit 0 valid / 1 failed / 2 otherwise) and
``renew-timestamps``. docflow mounts them as ``docflow verify`` etc.; they import
nothing from docflow or Flask.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import click

from .validate import load_certificates, validate_pdf
from .validation.report import TOTAL_FAILED, TOTAL_PASSED, ValidationReport

#: Asia/Ho_Chi_Minh has no DST: a fixed offset is exact.
VN_TZ = timezone(timedelta(hours=7), "+07:00")
_MARK = {TOTAL_PASSED: "✔", TOTAL_FAILED: "✘"}

trust_option = click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    envvar="DOCFLOW_TRUST_ROOTS",
    help="Trusted root certificate (PEM/DER); repeatable. "
    "Default: $DOCFLOW_TRUST_ROOTS (paths separated by ':').",
)


def _vn_time(value: str | None) -> str:
    if not value:
        return "-"
    dt = datetime.fromisoformat(value).astimezone(VN_TZ)
    return dt.strftime("%d/%m/%Y %H:%M:%S (+07:00)")


def format_report(report: ValidationReport, name: str) -> str:
    """Human-readable text, Vietnamese first with English below."""
    lines = [
        f"Tệp / File: {name}",
        f"Kết quả / Result: {report.indication}",
        f"  {report.message_vi}",
        f"  {report.message_en}",
    ]
    if report.reason_details:
        lines.append(f"  ({report.reason_details})")
    for n, sig in enumerate(report.signatures, start=1):
        kind = "Dấu thời gian" if sig.kind == "document_timestamp" else "Chữ ký"
        indication = sig.indication + (
            f" / {sig.sub_indication}" if sig.sub_indication else ""
        )
        lines += [
            "",
            f"{_MARK.get(sig.indication, '?')} {kind} #{n}: {sig.field_name}",
            f"  Kết quả / Indication : {indication}",
            f"  {sig.message_vi}",
            f"  {sig.message_en}",
            f"  Người ký / Signer    : {sig.signer.common_name or '-'}"
            f" (serial {sig.signer.serial_number or '-'})",
            f"  Tổ chức cấp / Issuer : {sig.signer.issuer or '-'}",
            f"  Thời điểm ký / Time  : {_vn_time(sig.signing_time)} (khai báo/claimed)",
            f"  Dấu thời gian / TST  : {_vn_time(sig.timestamp_time)}",
        ]
        if sig.kind == "signature":
            lines.append(f"  PAdES                : {sig.pades_level or '-'}")
        lines.append(
            f"  Phạm vi / Coverage   : {sig.coverage or '-'}, "
            f"{sig.modification_level or '-'}"
            + (f", DocMDP {sig.docmdp}" if sig.docmdp else "")
        )
        if sig.changed_fields:
            lines.append(
                f"  Trường đã điền / Filled fields: {', '.join(sig.changed_fields)}"
            )
        if sig.changed_after_signing:
            lines.append("  Thay đổi sau khi ký / Changed after signing:")
            lines += [f"    - {d}" for d in sig.change_details]
    return "\n".join(lines)


def _split_env_paths(trust: tuple[str, ...]) -> list[str]:
    return [p for item in trust for p in item.split(os.pathsep) if p]


@click.command("verify")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report.")
@trust_option
@click.option("--no-fetch", is_flag=True, help="Do not fetch OCSP/CRL online.")
@click.option(
    "--expect-field",
    multiple=True,
    help="Form field the workflow filled after signing (e.g. so_ky_hieu).",
)
@click.option("--timeout", default=60.0, show_default=True, help="Seconds per file.")
def verify(file, as_json, trust, no_fetch, expect_field, timeout):
    """Kiểm tra chữ ký số trong tệp PDF / Validate the signatures in a PDF.

    Exit code 0: every signature TOTAL-PASSED; 1: any TOTAL-FAILED; 2: otherwise
    (indeterminate, no signature, unreadable file).
    """
    report = validate_pdf(
        file,
        trust_roots=_split_env_paths(trust),
        allow_fetching=not no_fetch,
        expected_changed_fields=expect_field,
        timeout=timeout,
    )
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report, file))
    raise SystemExit(report.exit_code)


@click.command("renew-timestamps")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--tsa-url", required=True, envvar="DOCFLOW_TSA_URL", help="RFC 3161 TSA."
)
@click.option(
    "--days",
    default=30,
    show_default=True,
    help="Renew when the newest timestamp's certificate expires within this many days.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    help="Write renewed files here (default: NAME.renewed.pdf beside the original).",
)
@trust_option
@click.option("--no-fetch", is_flag=True, help="Do not fetch OCSP/CRL online.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per file.")
def renew_timestamps(paths, tsa_url, days, output_dir, trust, no_fetch, as_json):
    """Gia hạn dấu thời gian / Add a fresh document timestamp to PDFs whose newest
    timestamp certificate expires soon. Originals are never modified.

    Exit code 0 when no file failed, 1 otherwise.
    """
    from asn1crypto import x509 as asn1_x509

    from .validation.renewal import find_pdfs, renew_timestamp

    roots = [
        asn1_x509.Certificate.load(der)
        for der in load_certificates(_split_env_paths(trust))
    ]
    failed = False
    for pdf in find_pdfs(paths):
        result = renew_timestamp(
            pdf,
            tsa_url=tsa_url,
            days=days,
            trust_roots=roots,
            output_dir=output_dir,
            allow_fetching=not no_fetch,
        )
        failed = failed or result.status == "error"
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            line = f"{result.status:13} {result.path}"
            if result.expires_at:
                line += f"  (hết hạn / expires {_vn_time(result.expires_at)})"
            if result.output:
                line += f" -> {result.output}"
            if result.message:
                line += f"  {result.message}"
            click.echo(line)
    raise SystemExit(1 if failed else 0)
