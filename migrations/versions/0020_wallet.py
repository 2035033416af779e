"""wallet delivery (OpenID4VCI): offers and nonces

Revision ID: 0020_wallet
Revises: 0019_job_heartbeat
"""

import sqlalchemy as sa
from alembic import op

import badger.db

revision = '0020_wallet'
down_revision = '0019_job_heartbeat'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'wallet_offers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('credential_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('tx_code_hash', sa.String(length=64), nullable=True),
        sa.Column('tx_attempts', sa.Integer(), nullable=False),
        sa.Column('expires_at', badger.db.UTCDateTime(), nullable=False),
        sa.Column('redeemed_at', badger.db.UTCDateTime(), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('token_expires_at', badger.db.UTCDateTime(), nullable=True),
        sa.Column('holder_id', sa.String(length=2000), nullable=True),
        sa.Column('delivered_at', badger.db.UTCDateTime(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
        sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['credential_id'], ['award_credentials.id'],
                                name=op.f('fk_wallet_offers_credential_id_award_credentials'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_wallet_offers_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_wallet_offers_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_offers')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_wallet_offers_code_hash')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_wallet_offers_token_hash')),
    )
    with op.batch_alter_table('wallet_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_offers_credential_id'), ['credential_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_offers_organisation_id'),
                              ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_offers_participant_id'), ['participant_id'],
                              unique=False)
    op.create_table(
        'wallet_nonces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nonce_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', badger.db.UTCDateTime(), nullable=False),
        sa.Column('used_at', badger.db.UTCDateTime(), nullable=True),
        sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
        sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_nonces')),
        sa.UniqueConstraint('nonce_hash', name=op.f('uq_wallet_nonces_nonce_hash')),
    )
    with op.batch_alter_table('wallet_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_nonces_expires_at'), ['expires_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wallet_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_nonces_expires_at'))
    op.drop_table('wallet_nonces')
    with op.batch_alter_table('wallet_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_offers_participant_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_offers_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_offers_credential_id'))
    op.drop_table('wallet_offers')
