"""retention: indexes on the columns `badger purge` filters on (expiry, revocation, end of a job)

Revision ID: 0013_retention_indexes
Revises: 0012_endorsement_status
"""

from alembic import op


revision = '0013_retention_indexes'
down_revision = '0012_endorsement_status'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('action_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_tokens_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('api_access_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_access_tokens_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('api_authorization_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_authorization_codes_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('api_refresh_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_refresh_tokens_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('award_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_jobs_finished_at'), ['finished_at'], unique=False)

    with op.batch_alter_table('login_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_codes_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('portfolio_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_shares_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_portfolio_shares_revoked_at'), ['revoked_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('portfolio_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portfolio_shares_revoked_at'))
        batch_op.drop_index(batch_op.f('ix_portfolio_shares_expires_at'))

    with op.batch_alter_table('login_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_codes_expires_at'))

    with op.batch_alter_table('award_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_jobs_finished_at'))

    with op.batch_alter_table('api_refresh_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_refresh_tokens_expires_at'))

    with op.batch_alter_table('api_authorization_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_authorization_codes_expires_at'))

    with op.batch_alter_table('api_access_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_access_tokens_expires_at'))

    with op.batch_alter_table('action_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_tokens_expires_at'))

