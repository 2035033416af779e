"""registry: server administrators, and networks listed in this server's trust registry

Revision ID: 0015_registry
Revises: 0014_holder_withdrawals
"""

import sqlalchemy as sa
from alembic import op


revision = '0015_registry'
down_revision = '0014_holder_withdrawals'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('server_admin', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    # Existing networks were made by `badger demo` (the only way before): not listed.
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('location', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.drop_column('location')
        batch_op.drop_column('listed')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('server_admin')
