"""erasure: credentials withdrawn at their holder's request (award_holder_withdrawals), so pages
say so instead of "the issuer withdrew this badge"

Revision ID: 0014_holder_withdrawals
Revises: 0013_retention_indexes
Create Date: 2026-12-07 11:01:36.036141
"""

from alembic import op
import sqlalchemy as sa
import badger.db


revision = '0014_holder_withdrawals'
down_revision = '0013_retention_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('award_holder_withdrawals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credential_uuid', sa.String(length=36), nullable=False),
    sa.Column('withdrawn_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_award_holder_withdrawals_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_holder_withdrawals')),
    sa.UniqueConstraint('credential_uuid', name=op.f('uq_award_holder_withdrawals_credential_uuid'))
    )
    with op.batch_alter_table('award_holder_withdrawals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_holder_withdrawals_organisation_id'), ['organisation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('award_holder_withdrawals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_holder_withdrawals_organisation_id'))

    op.drop_table('award_holder_withdrawals')
