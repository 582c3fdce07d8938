"""search: text extracted from issued outgoing documents

Revision ID: 0014_search_outgoing
Revises: 0013_receipt_file_reports
Create Date: 2026-11-25 16:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_search_outgoing"
down_revision = "0013_receipt_file_reports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outgoing_text",
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
            ["outgoing_document.id"],
            name=op.f("fk_outgoing_text_document_id_outgoing_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_outgoing_text")),
    )


def downgrade():
    op.drop_table("outgoing_text")
