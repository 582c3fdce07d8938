"""interchange receipts: signature reports of the packet's other files

Revision ID: 0013_receipt_file_reports
Revises: 0012_dossier_hold
Create Date: 2026-11-25 16:05:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_receipt_file_reports"
down_revision = "0012_dossier_hold"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interchange_receipt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra_reports", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("interchange_receipt", schema=None) as batch_op:
        batch_op.drop_column("extra_reports")
