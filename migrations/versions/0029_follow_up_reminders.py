"""outcomes: when the coach was reminded of each due follow-up (3 and 6 months)

Revision ID: 0029_follow_up_reminders
Revises: 0028_jobs
"""

import sqlalchemy as sa
from alembic import op

import badger.db


revision = '0029_follow_up_reminders'
down_revision = '0028_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outcome_exits') as batch:
        batch.add_column(sa.Column('reminded_3_at', badger.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('reminded_6_at', badger.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outcome_exits') as batch:
        batch.drop_column('reminded_6_at')
        batch.drop_column('reminded_3_at')
