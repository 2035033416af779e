"""référentiels: the CASE package a version was imported from, kept whole (lossless export)

Revision ID: 0022_case_lossless
Revises: 0020_wallet
"""

import sqlalchemy as sa
from alembic import op

revision = '0022_case_lossless'
down_revision = '0020_wallet'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'referentiel_case_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('package', sa.JSON(), nullable=False),
        sa.Column('baseline', sa.JSON(), nullable=False),
        sa.Column('warnings', sa.JSON(), nullable=False),
        sa.Column('normalisations', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['referentiel_versions.id'],
                                name=op.f('fk_referentiel_case_sources_version_id_referentiel_versions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_referentiel_case_sources')),
        sa.UniqueConstraint('version_id', name=op.f('uq_referentiel_case_sources_version_id')),
    )


def downgrade() -> None:
    op.drop_table('referentiel_case_sources')
