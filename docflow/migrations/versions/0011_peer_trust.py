"""interchange peers: seal required, pinned seal certificates

Revision ID: 0011_peer_trust
Revises: 0010_signing_tickets
Create Date: 2026-11-25 15:50:00

Existing peers get seal_required = false: they accepted unsealed packets before the
upgrade and keep doing so until an operator turns the requirement on. Peers created
afterwards require a seal (the model's default).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_peer_trust"
down_revision = "0010_signing_tickets"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interchange_peer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "seal_required",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    op.create_table(
        "interchange_peer_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("not_after", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["interchange_peer.id"],
            name=op.f("fk_interchange_peer_certificate_peer_id_interchange_peer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interchange_peer_certificate")),
        sa.UniqueConstraint(
            "peer_id", "sha256", name=op.f("uq_interchange_peer_certificate_peer_id")
        ),
    )
    with op.batch_alter_table("interchange_peer_certificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interchange_peer_certificate_peer_id"),
            ["peer_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("interchange_peer_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interchange_peer_certificate_peer_id"))
    op.drop_table("interchange_peer_certificate")
    with op.batch_alter_table("interchange_peer", schema=None) as batch_op:
        batch_op.drop_column("seal_required")
