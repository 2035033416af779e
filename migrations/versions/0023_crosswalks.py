"""référentiel crosswalks (recruiters' words, with provenance)

Revision ID: 0023_crosswalks
Revises: 0020_wallet
"""

import sqlalchemy as sa
from alembic import op

import badger.db

revision = '0023_crosswalks'
down_revision = '0022_case_lossless'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'referentiel_crosswalks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('identifier', sa.String(length=36), nullable=False),
        sa.Column('referentiel_id', sa.Integer(), nullable=False),
        sa.Column('source_code', sa.String(length=120), nullable=False),
        sa.Column('target_key', sa.String(length=120), nullable=False),
        sa.Column('target_code', sa.String(length=120), nullable=False),
        sa.Column('target_uri', sa.String(length=1000), nullable=False),
        sa.Column('target_labels', sa.JSON(), nullable=False),
        sa.Column('relation', sa.String(length=20), nullable=False),
        sa.Column('provenance_kind', sa.String(length=12), nullable=False),
        sa.Column('provenance_source', sa.String(length=1000), nullable=False),
        sa.Column('provenance_note', sa.Text(), nullable=False),
        sa.Column('shipped', sa.Boolean(), nullable=False),
        sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
        sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("provenance_kind IN ('sourced', 'proposal')",
                           name=op.f('ck_referentiel_crosswalks_provenance_kind')),
        sa.CheckConstraint("relation IN ('exactMatchOf', 'isRelatedTo')",
                           name=op.f('ck_referentiel_crosswalks_relation')),
        sa.ForeignKeyConstraint(['referentiel_id'], ['referentiels.id'],
                                name=op.f('fk_referentiel_crosswalks_referentiel_id_referentiels'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_referentiel_crosswalks')),
        sa.UniqueConstraint('identifier', name=op.f('uq_referentiel_crosswalks_identifier')),
        sa.UniqueConstraint('referentiel_id', 'source_code', 'target_key', 'target_code',
                            'target_uri', name=op.f('uq_referentiel_crosswalks_one_mapping')),
    )
    with op.batch_alter_table('referentiel_crosswalks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referentiel_crosswalks_referentiel_id'),
                              ['referentiel_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referentiel_crosswalks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referentiel_crosswalks_referentiel_id'))
    op.drop_table('referentiel_crosswalks')
