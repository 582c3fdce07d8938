"""dossiers kept back past their transfer deadline (NĐ 30/2020 Art. 31)

Revision ID: 0012_dossier_hold
Revises: 0011_peer_trust
Create Date: 2026-11-25 16:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_dossier_hold"
down_revision = "0011_peer_trust"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossier") as batch_op:
        batch_op.add_column(sa.Column("held_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("hold_approval", sa.String(length=300), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("dossier") as batch_op:
        batch_op.drop_column("hold_approval")
        batch_op.drop_column("held_until")
