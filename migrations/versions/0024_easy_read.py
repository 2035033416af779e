"""participants' easy-to-read mode (FALC texts)

Revision ID: 0024_easy_read
Revises: 0023_crosswalks
"""

import sqlalchemy as sa
from alembic import op

revision = '0024_easy_read'
down_revision = '0023_crosswalks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('easy_read', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('easy_read')
