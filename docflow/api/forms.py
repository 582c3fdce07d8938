from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError


def _nfc(value: str | None) -> str | None:
    import unicodedata

    return (
        unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"), filters=[_nfc], validators=[DataRequired(), Length(max=100)]
    )
    expires_on = DateField(_l("Valid until (optional)"), validators=[Optional()])

    def validate_expires_on(self, field: DateField) -> None:
        from ..timeutil import to_local, utcnow

        if field.data is not None and field.data < to_local(utcnow()).date():
            raise ValidationError(_l("The date cannot be in the past."))


class RevokeForm(FlaskForm):
    pass
