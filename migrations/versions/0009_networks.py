"""networks: signed endorsements of member organisations

Revision ID: 0009_networks
Revises: 0007_grids_followup
"""

from alembic import op
import sqlalchemy as sa
import badger.db


revision = '0009_networks'
down_revision = '0007_grids_followup'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('network_endorsements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('credential_json', sa.Text(), nullable=False),
    sa.Column('issued_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', badger.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_network_endorsements_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['membership_id'], ['network_memberships.id'], name=op.f('fk_network_endorsements_membership_id_network_memberships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_endorsements')),
    sa.UniqueConstraint('uuid', name=op.f('uq_network_endorsements_uuid'))
    )
    with op.batch_alter_table('network_endorsements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_endorsements_membership_id'), ['membership_id'], unique=False)
        batch_op.create_index('uq_network_endorsements_active', ['membership_id'], unique=True,
                              sqlite_where=sa.text('withdrawn_at IS NULL'),
                              postgresql_where=sa.text('withdrawn_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('network_endorsements', schema=None) as batch_op:
        batch_op.drop_index('uq_network_endorsements_active',
                            sqlite_where=sa.text('withdrawn_at IS NULL'),
                            postgresql_where=sa.text('withdrawn_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_network_endorsements_membership_id'))

    op.drop_table('network_endorsements')
