"""outcomes: journey exits with consent, follow-ups; a programme tag on grid sessions

Revision ID: 0026_outcomes
Revises: 0025_photolangage
"""

import sqlalchemy as sa
from alembic import op

import badger.db

revision = '0026_outcomes'
down_revision = '0025_photolangage'
branch_labels = None
depends_on = None

_KIND = "kind IN ('employment', 'training', 'other_support', 'no_news')"


def _situation() -> list[sa.Column]:
    return [
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('contract', sa.String(length=12), nullable=True),
        sa.Column('duration', sa.String(length=10), nullable=True),
        sa.Column('qualifying', sa.Boolean(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table('grid_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme', sa.String(length=80), server_default='',
                                      nullable=False))
    with op.batch_alter_table('grid_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_grid_ratings_round_role_scores',
                              ['round_id', 'rater_role', 'competence_id', 'score'], unique=False)
    op.create_table(
        'outcome_exits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('journey_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('exited_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('consent', sa.String(length=12), nullable=False),
        sa.Column('consent_at', badger.db.UTCDateTime(), nullable=True),
        sa.Column('follow_ups', sa.Boolean(), nullable=False),
        *_situation(),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
        sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("consent IN ('pending', 'given', 'not_needed')",
                           name=op.f('ck_outcome_exits_consent')),
        sa.CheckConstraint(_KIND, name=op.f('ck_outcome_exits_kind')),
        sa.ForeignKeyConstraint(['journey_id'], ['grid_journeys.id'],
                                name=op.f('fk_outcome_exits_journey_id_grid_journeys'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_outcome_exits_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_outcome_exits_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_outcome_exits_recorded_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_exits')),
        sa.UniqueConstraint('journey_id', name=op.f('uq_outcome_exits_journey_id')),
    )
    with op.batch_alter_table('outcome_exits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_exits_organisation_id'),
                              ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_exits_participant_id'),
                              ['participant_id'], unique=False)
    op.create_table(
        'outcome_follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('exit_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('recorded_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        *_situation(),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.CheckConstraint(_KIND, name=op.f('ck_outcome_follow_ups_kind')),
        sa.CheckConstraint('month IN (3, 6)', name=op.f('ck_outcome_follow_ups_month')),
        sa.ForeignKeyConstraint(['exit_id'], ['outcome_exits.id'],
                                name=op.f('fk_outcome_follow_ups_exit_id_outcome_exits'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_outcome_follow_ups_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_outcome_follow_ups_recorded_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_follow_ups')),
        sa.UniqueConstraint('exit_id', 'month', name=op.f('uq_outcome_follow_ups_exit_id_month')),
    )
    with op.batch_alter_table('outcome_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_follow_ups_exit_id'), ['exit_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_follow_ups_organisation_id'),
                              ['organisation_id'], unique=False)


def downgrade() -> None:
    op.drop_table('outcome_follow_ups')
    op.drop_table('outcome_exits')
    with op.batch_alter_table('grid_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_grid_ratings_round_role_scores')
    with op.batch_alter_table('grid_sessions', schema=None) as batch_op:
        batch_op.drop_column('programme')
