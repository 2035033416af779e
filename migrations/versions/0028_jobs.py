"""job offers: employers, offers and their savoir-être, preferences, applications, inbox

Revision ID: 0028_jobs
Revises: 0027_notifications
"""

import sqlalchemy as sa
from alembic import op

import badger.db

revision = '0028_jobs'
down_revision = '0027_notifications'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jobs_employers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('network_id', sa.Integer(), nullable=True),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', badger.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(organisation_id IS NULL) <> (network_id IS NULL)', name=op.f('ck_jobs_employers_one_voucher')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_jobs_employers_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_jobs_employers_network_id_networks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_jobs_employers_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_jobs_employers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs_employers')),
    sa.UniqueConstraint('user_id', name=op.f('uq_jobs_employers_user_id'))
    )
    with op.batch_alter_table('jobs_employers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_employers_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_employers_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('jobs_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('receive_offers', sa.Boolean(), nullable=False),
    sa.Column('weekly_digest', sa.Boolean(), nullable=False),
    sa.Column('digest_sent_at', badger.db.UTCDateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_jobs_preferences_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_jobs_preferences_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs_preferences')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_jobs_preferences_participant_id'))
    )
    with op.batch_alter_table('jobs_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_preferences_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('jobs_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('network_id', sa.Integer(), nullable=True),
    sa.Column('referentiel_version_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('rome_code', sa.String(length=5), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('contract', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('employer_name', sa.String(length=200), nullable=False),
    sa.Column('expires_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('source_id', sa.String(length=120), nullable=True),
    sa.Column('source_url', sa.String(length=1000), nullable=False),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(organisation_id IS NULL) <> (network_id IS NULL)', name=op.f('ck_jobs_offers_one_audience')),
    sa.ForeignKeyConstraint(['employer_id'], ['jobs_employers.id'], name=op.f('fk_jobs_offers_employer_id_jobs_employers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_jobs_offers_network_id_networks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_jobs_offers_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referentiel_version_id'], ['referentiel_versions.id'], name=op.f('fk_jobs_offers_referentiel_version_id_referentiel_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs_offers')),
    sa.UniqueConstraint('organisation_id', 'source', 'source_id', name='uq_jobs_offers_source')
    )
    with op.batch_alter_table('jobs_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_offers_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_offers_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_offers_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_offers_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_offers_referentiel_version_id'), ['referentiel_version_id'], unique=False)

    op.create_table('jobs_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=True),
    sa.Column('share_token', sa.String(length=64), nullable=True),
    sa.Column('withdrawn_at', badger.db.UTCDateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['jobs_offers.id'], name=op.f('fk_jobs_applications_offer_id_jobs_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_jobs_applications_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_jobs_applications_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['share_id'], ['portfolio_shares.id'], name=op.f('fk_jobs_applications_share_id_portfolio_shares'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs_applications')),
    sa.UniqueConstraint('offer_id', 'participant_id', name=op.f('uq_jobs_applications_offer_id_participant_id'))
    )
    with op.batch_alter_table('jobs_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_applications_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_applications_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_applications_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_applications_share_id'), ['share_id'], unique=False)

    op.create_table('jobs_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', badger.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['jobs_applications.id'], name=op.f('fk_jobs_messages_application_id_jobs_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employer_id'], ['jobs_employers.id'], name=op.f('fk_jobs_messages_employer_id_jobs_employers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs_messages'))
    )
    with op.batch_alter_table('jobs_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_messages_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_messages_employer_id'), ['employer_id'], unique=False)

    op.create_table('jobs_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('competence_id', sa.Integer(), nullable=False),
    sa.Column('min_level', sa.Integer(), nullable=False),
    sa.Column('word', sa.String(length=300), nullable=False),
    sa.CheckConstraint('min_level >= 1 AND min_level <= 5', name=op.f('ck_jobs_requirements_min_level')),
    sa.ForeignKeyConstraint(['competence_id'], ['referentiel_competences.id'], name=op.f('fk_jobs_requirements_competence_id_referentiel_competences'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['offer_id'], ['jobs_offers.id'], name=op.f('fk_jobs_requirements_offer_id_jobs_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs_requirements')),
    sa.UniqueConstraint('offer_id', 'competence_id', name=op.f('uq_jobs_requirements_offer_id_competence_id'))
    )
    with op.batch_alter_table('jobs_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_requirements_competence_id'), ['competence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_requirements_offer_id'), ['offer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('jobs_requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_requirements_offer_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_requirements_competence_id'))

    op.drop_table('jobs_requirements')
    with op.batch_alter_table('jobs_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_messages_employer_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_messages_application_id'))

    op.drop_table('jobs_messages')
    with op.batch_alter_table('jobs_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_applications_share_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_applications_participant_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_applications_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_applications_offer_id'))

    op.drop_table('jobs_applications')
    with op.batch_alter_table('jobs_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_offers_referentiel_version_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_offers_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_offers_network_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_offers_expires_at'))
        batch_op.drop_index(batch_op.f('ix_jobs_offers_employer_id'))

    op.drop_table('jobs_offers')
    with op.batch_alter_table('jobs_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_preferences_organisation_id'))

    op.drop_table('jobs_preferences')
    with op.batch_alter_table('jobs_employers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_employers_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_employers_network_id'))

    op.drop_table('jobs_employers')
