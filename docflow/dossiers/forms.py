from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from .services import NOTATION_RE

#: Retention periods offered (thời hạn bảo quản, TT 10/2022/TT-BNV scale); "" = permanent.
RETENTION_CHOICES = [
    ("", "Vĩnh viễn"),
    ("70", "70 năm"),
    ("50", "50 năm"),
    ("20", "20 năm"),
    ("10", "10 năm"),
    ("5", "05 năm"),
    ("3", "03 năm"),
    ("2", "02 năm"),
]
#: Chế độ sử dụng (Rights). Stored as written: the value goes into the archive metadata.
RIGHTS_CHOICES = [("Công khai", "Công khai"), ("Hạn chế", "Hạn chế"), ("Mật", "Mật")]


def _nfc(value: str | None) -> str | None:
    return (
        unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value
    )


def retention_value(raw: str | None) -> int | None:
    return int(raw) if raw else None


class EditForm(FlaskForm):
    """A dossier's information that can be corrected while it is open."""

    title = TextAreaField(
        _l("Dossier title"),
        filters=[_nfc],
        validators=[DataRequired(), Length(max=500)],
    )
    section = StringField(
        _l("Heading in the dossier list"),
        filters=[_nfc],
        validators=[Optional(), Length(max=200)],
    )
    retention = SelectField(_l("Retention period"), choices=RETENTION_CHOICES)
    rights = SelectField(_l("Access rights"), choices=RIGHTS_CHOICES)
    description = TextAreaField(
        _l("Description"), filters=[_nfc], validators=[Optional(), Length(max=500)]
    )


class DossierForm(EditForm):
    """Opening a dossier: its information plus what makes its file code (fixed after)."""

    year = IntegerField(
        _l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)]
    )
    notation = StringField(
        _l("Dossier number and notation"),
        filters=[_nfc],
        validators=[
            DataRequired(),
            Length(max=20),
            Regexp(
                NOTATION_RE,
                message=_l("Letters and digits joined by dots or dashes, e.g. 05.TH."),
            ),
        ],
    )
    retention = SelectField(
        _l("Retention period"), choices=RETENTION_CHOICES, default="10"
    )
    department = SelectField(_l("Department"), coerce=int, choices=[])
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    is_construction = BooleanField(
        _l("Basic-construction dossier (archived 3 months after settlement)")
    )


class AddDocumentForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    document_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])


class AddToDossierForm(FlaskForm):
    """On a document's page: choose one of the open dossiers one keeps."""

    dossier = SelectField(_l("Dossier"), coerce=int, choices=[])
    kind = HiddenField(validators=[DataRequired()])
    document_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])


class CloseForm(FlaskForm):
    end_date = DateField(_l("Work ended on"), validators=[Optional()])
    retention = SelectField(_l("Retention period"), choices=RETENTION_CHOICES)
    settled_date = DateField(_l("Project settled on"), validators=[Optional()])


class HoldForm(FlaskForm):
    """Keep a closed dossier back past its transfer deadline (Art. 31)."""

    until = DateField(_l("Kept until"), validators=[DataRequired()])
    approval = StringField(
        _l("Written approval (number, notation, date)"),
        filters=[_nfc],
        validators=[DataRequired(), Length(max=300)],
    )


class ReopenForm(FlaskForm):
    reason = StringField(
        _l("Reason"), filters=[_nfc], validators=[DataRequired(), Length(max=500)]
    )


class SimpleForm(FlaskForm):
    """Buttons that only need the CSRF token (remove a document, record the transfer)."""
