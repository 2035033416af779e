"""grids follow-up: a session's coach can open the peers' views

Revision ID: 0007_grids_followup
Revises: 0006_api
"""

from alembic import op
import sqlalchemy as sa


revision = '0007_grids_followup'
down_revision = '0006_api'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('grid_sessions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('peer_review', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('grid_sessions', schema=None) as batch_op:
        batch_op.drop_column('peer_review')
