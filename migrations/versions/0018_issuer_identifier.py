"""issuer identifier: an organisation signs as https, did:web or did:key; VC-JWT algorithm;
the issuer id each status list is signed as

Revision ID: 0018_issuer_identifier
Revises: 0017_sessions
"""

import sqlalchemy as sa
from alembic import op


revision = '0018_issuer_identifier'
down_revision = '0017_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuer_identifier', sa.String(length=16),
                                      server_default='https', nullable=False))
        batch_op.add_column(sa.Column('jwt_algorithm', sa.String(length=8),
                                      server_default='RS256', nullable=False))

    with op.batch_alter_table('award_status_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuer_id', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('award_status_lists', schema=None) as batch_op:
        batch_op.drop_column('issuer_id')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('jwt_algorithm')
        batch_op.drop_column('issuer_identifier')
