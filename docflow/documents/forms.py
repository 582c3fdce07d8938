from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .vocab import SECRECY_LABELS, TYPE_NAMES, URGENCY_LABELS


def _nfc(value: str | None) -> str | None:
    import unicodedata

    return (
        unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value
    )


class MetadataForm(FlaskForm):
    issuer_name = StringField(
        _l("Issuing agency"), filters=[_nfc], validators=[Optional(), Length(max=200)]
    )
    issuer_code = StringField(
        _l("Issuer identifier"), filters=[_nfc], validators=[Optional(), Length(max=13)]
    )
    code_number = StringField(
        _l("Number"), filters=[_nfc], validators=[Optional(), Length(max=11)]
    )
    code_notation = StringField(
        _l("Notation"), filters=[_nfc], validators=[Optional(), Length(max=30)]
    )
    issued_date = DateField(_l("Issue date"), validators=[Optional()])
    doc_type = SelectField(_l("Document type"), choices=[(t, t) for t in TYPE_NAMES])
    subject = TextAreaField(
        _l("Subject"), filters=[_nfc], validators=[Optional(), Length(max=500)]
    )
    signer_name = StringField(
        _l("Signed by"), filters=[_nfc], validators=[Optional(), Length(max=50)]
    )
    signer_position = StringField(
        _l("Signer's position"),
        filters=[_nfc],
        validators=[Optional(), Length(max=100)],
    )
    page_count = IntegerField(
        _l("Pages"), validators=[Optional(), NumberRange(min=1, max=9999)]
    )
    urgency = SelectField(
        _l("Urgency"), choices=[(k.value, v) for k, v in URGENCY_LABELS.items()]
    )
    secrecy = SelectField(
        _l("Confidentiality"), choices=[(k.value, v) for k, v in SECRECY_LABELS.items()]
    )
    due_date = DateField(_l("Processing deadline"), validators=[Optional()])

    def values(self) -> dict:
        from .vocab import Secrecy, Urgency

        names = (
            "issuer_name",
            "issuer_code",
            "code_number",
            "code_notation",
            "issued_date",
            "doc_type",
            "subject",
            "signer_name",
            "signer_position",
            "page_count",
            "due_date",
        )
        out = {n: getattr(self, n).data for n in names}
        out["issuer_code"] = (out["issuer_code"] or "").upper() or None
        for key in ("code_number", "code_notation", "issuer_name", "subject"):
            out[key] = out[key] or ""
        out["urgency"] = Urgency(self.urgency.data)
        out["secrecy"] = Secrecy(self.secrecy.data)
        return out


class ReceiveForm(MetadataForm):
    file = FileField(
        _l("Document file (PDF or scan)"),
        validators=[FileRequired(_l("Choose the file."))],
    )


class RegisterForm(MetadataForm):
    presented_to = SelectField(_l("Present to leader"), coerce=int, choices=[])
    confirm_duplicate = BooleanField(
        _l("I checked: this is not the same document registered twice")
    )


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), filters=[_nfc], validators=[DataRequired(), Length(max=500)]
    )


class AssignForm(FlaskForm):
    lead = SelectField(_l("Lead (chủ trì)"), choices=[], validators=[DataRequired()])
    coordinate = SelectMultipleField(_l("Coordinating (phối hợp)"), choices=[])
    inform = SelectMultipleField(_l("For information (để biết)"), choices=[])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    instruction = TextAreaField(
        _l("Instructions"), filters=[_nfc], validators=[Optional(), Length(max=4000)]
    )


class CommentForm(FlaskForm):
    text = TextAreaField(
        _l("Comment"), filters=[_nfc], validators=[DataRequired(), Length(max=4000)]
    )


class AttachForm(FlaskForm):
    file = FileField(
        _l("Working file"), validators=[FileRequired(_l("Choose the file."))]
    )


class ForwardForm(FlaskForm):
    to_user = SelectField(_l("Forward to"), coerce=int, choices=[])
    note = StringField(
        _l("Note"), filters=[_nfc], validators=[Optional(), Length(max=500)]
    )


class ExtensionForm(FlaskForm):
    new_deadline = DateField(_l("New deadline"), validators=[DataRequired()])
    reason = StringField(
        _l("Reason"), filters=[_nfc], validators=[DataRequired(), Length(max=500)]
    )


class DecideForm(FlaskForm):
    pass


class CompleteForm(FlaskForm):
    result = TextAreaField(
        _l("Result"), filters=[_nfc], validators=[DataRequired(), Length(max=4000)]
    )
