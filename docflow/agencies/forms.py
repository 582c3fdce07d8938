from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..auth.models import Role
from .codes import is_valid_qd20, normalise_code, qcvn102_error
from .models import AgencyLevel

LEVEL_LABELS = {
    AgencyLevel.CENTRAL: _l("Central body"),
    AgencyLevel.PROVINCE: _l("Province"),
    AgencyLevel.COMMUNE: _l("Commune"),
}
ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.RECORDS_OFFICER: _l("Records officer"),
    Role.LEADER: _l("Leader"),
    Role.DEPARTMENT_HEAD: _l("Department head"),
    Role.SPECIALIST: _l("Specialist"),
}


class AgencyForm(FlaskForm):
    code = StringField(
        _l("Identifier (QCVN 102:2016)"),
        filters=[normalise_code],
        validators=[DataRequired()],
    )
    code_qd20 = StringField(
        _l("Identifier (QĐ 20/2020)"), filters=[normalise_code], validators=[Optional()]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    short_name = StringField(
        _l("Short name in notations"), validators=[DataRequired(), Length(max=32)]
    )
    level = SelectField(
        _l("Level"), choices=[(lv.value, label) for lv, label in LEVEL_LABELS.items()]
    )
    parent_id = SelectField(_l("Parent agency"), coerce=int, choices=[])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=128)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=128)])
    active = BooleanField(_l("Active"), default=True)

    def validate_code(self, field: StringField) -> None:
        if problem := qcvn102_error(field.data):
            raise ValidationError(
                _l("Invalid identifier: %(problem)s.", problem=problem)
            )

    def validate_code_qd20(self, field: StringField) -> None:
        if field.data and not is_valid_qd20(field.data):
            raise ValidationError(
                _l("Invalid identifier: expected e.g. H56.12 or H01.151.01.")
            )


class DepartmentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    short_name = StringField(
        _l("Short name in notations"), validators=[Optional(), Length(max=32)]
    )
    active = BooleanField(_l("Active"), default=True)


class UserForm(FlaskForm):
    username = StringField(
        _l("User name"),
        filters=[lambda v: (v or "").strip().lower()],
        validators=[DataRequired(), Length(min=3, max=64)],
    )
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=128)]
    )
    position = StringField(_l("Position"), validators=[Optional(), Length(max=128)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=128)])
    role = SelectField(
        _l("Role"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    department_id = SelectField(_l("Department"), coerce=int, choices=[])
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(
        _l("New password"), validators=[Optional(), Length(max=256)]
    )

    def validate_username(self, field: StringField) -> None:
        if (
            not all(c.isalnum() or c in "._-" for c in field.data)
            or not field.data.isascii()
        ):
            raise ValidationError(
                _l("Use only letters a-z, digits, dot, dash and underscore.")
            )
