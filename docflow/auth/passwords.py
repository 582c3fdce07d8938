"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..i18n import N_

_hasher = PasswordHasher()
#: Verified against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("docflow-dummy-password")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return (
            _hasher.verify(password_hash or _DUMMY_HASH, password)
            and password_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is not acceptable, or None (messages are msgids for gettext)."""
    if len(password) < MIN_LENGTH:
        return N_("Password must be at least %(n)d characters long.")
    if username and username.lower() in password.lower():
        return N_("Password must not contain the user name.")
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < 3:
        return N_(
            "Password must mix at least three of: lower case, upper case, digits, symbols."
        )
    return None
