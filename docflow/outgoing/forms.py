from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..documents.forms import _nfc
from ..documents.vocab import SECRECY_LABELS, TYPE_NAMES, URGENCY_LABELS


class DraftForm(FlaskForm):
    doc_type = SelectField(_l("Document type"), choices=[(t, t) for t in TYPE_NAMES])
    subject = TextAreaField(
        _l("Subject"), filters=[_nfc], validators=[DataRequired(), Length(max=500)]
    )
    urgency = SelectField(
        _l("Urgency"), choices=[(k.value, v) for k, v in URGENCY_LABELS.items()]
    )
    secrecy = SelectField(
        _l("Confidentiality"), choices=[(k.value, v) for k, v in SECRECY_LABELS.items()]
    )
    department_id = SelectField(_l("Drafting unit"), coerce=int, choices=[])
    to_agencies = SelectMultipleField(_l("Recipient agencies"), coerce=int, choices=[])
    to_departments = SelectMultipleField(
        _l("Recipient units of the agency"), coerce=int, choices=[]
    )
    to_places = TextAreaField(
        _l("Other recipients (one per line)"), filters=[_nfc], validators=[Optional()]
    )
    file = FileField(
        _l("Draft (PDF, DOCX or ODT)"),
        validators=[FileRequired(_l("Choose the file."))],
    )
    attachments = MultipleFileField(_l("Attachments (PDF, separate files)"))
    replaces = SelectField(
        _l("Replaces the issued document"), coerce=int, choices=[], default=0
    )


class ReplacesForm(FlaskForm):
    replaces = SelectField(
        _l("Replaces the issued document"), coerce=int, choices=[], default=0
    )


class VersionForm(FlaskForm):
    file = FileField(
        _l("New version (PDF, DOCX or ODT)"),
        validators=[FileRequired(_l("Choose the file."))],
    )
    note = StringField(
        _l("What changed"), filters=[_nfc], validators=[Optional(), Length(max=500)]
    )


class SubmitForm(FlaskForm):
    reviewers = SelectMultipleField(_l("Reviewers, in order"), coerce=int, choices=[])
    signer = SelectField(_l("Signed by"), coerce=int, choices=[])


class ReviewForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment"), filters=[_nfc], validators=[Optional(), Length(max=4000)]
    )
    decision = SelectField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("return", _l("Return for revision"))],
    )


class ActionForm(FlaskForm):
    """Sign, issue, send: a button with a CSRF token."""
