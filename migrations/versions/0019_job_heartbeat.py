"""award jobs: a heartbeat (a "running" job that stopped beating was interrupted) and the plan
of rows without their addresses (so staff can resume it)

Revision ID: 0019_job_heartbeat
Revises: 0018_issuer_identifier
"""

import sqlalchemy as sa
from alembic import op

import badger.db

revision = '0019_job_heartbeat'
down_revision = '0018_issuer_identifier'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('award_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', badger.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('plan', sa.JSON(), server_default='[]', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('award_jobs', schema=None) as batch_op:
        batch_op.drop_column('plan')
        batch_op.drop_column('heartbeat_at')
