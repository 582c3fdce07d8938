"""The page where users create and revoke their API tokens (/account/tokens)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..timeutil import to_local, utcnow
from .forms import RevokeForm, TokenForm
from .models import ApiToken
from .tokens import create_token, end_of_day_utc, revoke_token, tokens_of

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


def _last_valid_day(row: ApiToken) -> str:
    """Tokens expire at midnight after their last day (Vietnam time): show that day."""
    return to_local(row.expires_at - timedelta(seconds=1)).strftime("%d/%m/%Y")


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    body = render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens_of(current_user),
        last_valid_day=_last_valid_day,
        new_token=new_token,
        now=utcnow(),
    )
    # The new token is on this page only: never keep it in a cache.
    return body, status, {"Cache-Control": "no-store"}


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    if request.method == "POST":
        if not form.validate():
            return _page(form, status=400)
        expires_at = (
            end_of_day_utc(form.expires_on.data) if form.expires_on.data else None
        )
        _row, token = create_token(
            current_user, form.name.data, expires_at, ip=request.remote_addr
        )
        flash(_("Token created. Copy it now: it will not be shown again."), "success")
        return _page(TokenForm(formdata=None), new_token=token)
    return _page(form)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    if RevokeForm().validate():
        revoke_token(current_user, row, ip=request.remote_addr)
        flash(_("Token revoked."), "success")
    return redirect(url_for(".index"))
