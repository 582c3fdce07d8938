"""Forms of the sender's changes after issue: revoke (thu hồi) and update (cập nhật)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..documents.forms import _nfc
from ..documents.vocab import TYPE_NAMES


def _reason() -> TextAreaField:
    return TextAreaField(
        _l("Reason"),
        filters=[_nfc],
        validators=[DataRequired(_l("Give the reason.")), Length(max=500)],
    )


class RevokeForm(FlaskForm):
    reason = _reason()


class UpdateForm(FlaskForm):
    """Every published field with its current value; the changed ones are sent."""

    subject = TextAreaField(
        _l("Subject"),
        filters=[_nfc],
        validators=[DataRequired(_l("The subject is required.")), Length(max=500)],
    )
    doc_type = SelectField(_l("Document type"), choices=[(t, t) for t in TYPE_NAMES])
    signer_name = StringField(
        _l("Signer's name as published"),
        filters=[_nfc],
        validators=[DataRequired(_l("The signer's name is required.")), Length(max=50)],
    )
    signer_position = StringField(
        _l("Signer's position as published"),
        filters=[_nfc],
        validators=[Optional(), Length(max=100)],
    )
    due_date = DateField(
        _l("Due date for the recipients"),
        validators=[Optional()],
    )
    page_count = IntegerField(
        _l("Number of pages"),
        validators=[
            Optional(),
            NumberRange(1, 10000, _l("The page count is a number from 1 to 10000.")),
        ],
    )
    reason = _reason()
