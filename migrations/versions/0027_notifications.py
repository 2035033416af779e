"""notifications: the outbox of short messages and each person's choice of channel

Revision ID: 0027_notifications
Revises: 0026_outcomes
"""

import sqlalchemy as sa
from alembic import op

import badger.db


revision = '0027_notifications'
down_revision = '0026_outcomes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('contact', sa.String(length=320), nullable=True),
    sa.Column('stopped_at', badger.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("channel in ('email', 'sms', 'none')", name=op.f('ck_notification_preferences_channel')),
    sa.CheckConstraint('(participant_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_notification_preferences_one_recipient')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_notification_preferences_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_notification_preferences_participant_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_notification_preferences_user_id'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('stop_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', badger.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status in ('pending', 'sent', 'failed', 'stopped')", name=op.f('ck_notifications_status')),
    sa.CheckConstraint('(participant_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_notifications_one_recipient')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_notifications_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('stop_hash', name=op.f('uq_notifications_stop_hash'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_status'))
        batch_op.drop_index(batch_op.f('ix_notifications_participant_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))

    op.drop_table('notifications')
    op.drop_table('notification_preferences')
