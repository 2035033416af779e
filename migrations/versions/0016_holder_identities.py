"""holders: proven identities (keyed hashes only), their one-time challenges, and how an
imported badge was shown to be its holder's (NULL for imports made before: not shown)

Revision ID: 0016_holder_identities
Revises: 0015_registry
"""

from alembic import op
import sqlalchemy as sa
import badger.db


revision = '0016_holder_identities'
down_revision = '0015_registry'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('holder_challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('value_hash', sa.String(length=64), nullable=True),
    sa.Column('label', sa.String(length=60), nullable=True),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', badger.db.UTCDateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('email', 'phone', 'did')", name=op.f('ck_holder_challenges_kind')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_holder_challenges_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_holder_challenges_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holder_challenges'))
    )
    with op.batch_alter_table('holder_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holder_challenges_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_holder_challenges_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_holder_challenges_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_holder_challenges_secret_hash'), ['secret_hash'], unique=False)

    op.create_table('holder_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('value_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('email', 'phone', 'did')", name=op.f('ck_holder_identities_kind')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_holder_identities_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_holder_identities_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holder_identities')),
    sa.UniqueConstraint('participant_id', 'kind', 'value_hash', name=op.f('uq_holder_identities_participant_id_kind_value_hash'))
    )
    with op.batch_alter_table('holder_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holder_identities_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_holder_identities_participant_id'), ['participant_id'], unique=False)

    with op.batch_alter_table('portfolio_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_proof', sa.String(length=8), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('portfolio_imports', schema=None) as batch_op:
        batch_op.drop_column('holder_proof')

    with op.batch_alter_table('holder_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holder_identities_participant_id'))
        batch_op.drop_index(batch_op.f('ix_holder_identities_organisation_id'))

    op.drop_table('holder_identities')
    with op.batch_alter_table('holder_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holder_challenges_secret_hash'))
        batch_op.drop_index(batch_op.f('ix_holder_challenges_participant_id'))
        batch_op.drop_index(batch_op.f('ix_holder_challenges_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_holder_challenges_expires_at'))

    op.drop_table('holder_challenges')
