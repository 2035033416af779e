"""awards: charts participants attach to their badges (frozen PNG behind an unguessable token)

Revision ID: 0011_evidence_images
Revises: 0010_achievement_languages
"""

from alembic import op
import sqlalchemy as sa
import badger.db


revision = '0011_evidence_images'
down_revision = '0010_achievement_languages'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('award_evidence_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['award_credentials.id'], name=op.f('fk_award_evidence_images_credential_id_award_credentials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_award_evidence_images_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_evidence_images')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_award_evidence_images_credential_id')),
    sa.UniqueConstraint('token', name=op.f('uq_award_evidence_images_token'))
    )
    with op.batch_alter_table('award_evidence_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_evidence_images_organisation_id'), ['organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('award_evidence_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_evidence_images_organisation_id'))

    op.drop_table('award_evidence_images')
