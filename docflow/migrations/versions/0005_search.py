"""search: text extracted from incoming documents

Revision ID: 0005_search
Revises: 0004_api_tokens
Create Date: 2026-11-25 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_search"
down_revision = "0004_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "incoming_text",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "ok", "empty", "failed", name="textstate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("ocr_pages", sa.Integer(), nullable=False),
        sa.Column("ocr", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("extracted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["incoming_document.id"],
            name=op.f("fk_incoming_text_document_id_incoming_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_incoming_text")),
    )


def downgrade():
    op.drop_table("incoming_text")
