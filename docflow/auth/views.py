"""Login, logout and password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..audit.services import record
from ..extensions import db, limiter
from .forms import LoginForm, PasswordChangeForm
from .passwords import MIN_LENGTH, password_problem, verify_password
from .services import LoginOutcome, authenticate, change_password

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    # Only local paths: never redirect to another site after login.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome, user = authenticate(
            form.username.data, form.password.data, ip=request.remote_addr
        )
        if outcome is LoginOutcome.OK and user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in (no fixation); keep the chosen language
            if lang:
                session["lang"] = lang
            login_user(user)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        # One message whatever the reason: never reveal whether the account exists or is locked.
        flash(
            _(
                "Sign-in failed: the user name or password is wrong, or the account is "
                "temporarily locked after too many attempts."
            ),
            "error",
        )
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    record("auth.logout", actor=current_user, obj=current_user, ip=request.remote_addr)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        elif problem := password_problem(form.new_password.data, current_user.username):
            form.new_password.errors.append(_(problem, n=MIN_LENGTH))
        else:
            change_password(
                current_user, form.new_password.data, ip=request.remote_addr
            )
            login_user(current_user)  # keep this session; other sessions end
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)
