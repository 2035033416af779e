"""awards: badge definitions in several languages; credentials remember their language

Revision ID: 0010_achievement_languages
Revises: 0009_networks
"""

from alembic import op
import sqlalchemy as sa
import badger.db


revision = '0010_achievement_languages'
down_revision = '0009_networks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('award_achievement_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('achievement_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('criteria_narrative', sa.Text(), nullable=False),
    sa.Column('image_alt', sa.String(length=500), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['achievement_id'], ['award_achievements.id'], name=op.f('fk_award_achievement_translations_achievement_id_award_achievements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_award_achievement_translations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_achievement_translations')),
    sa.UniqueConstraint('achievement_id', 'language', name=op.f('uq_award_achievement_translations_achievement_id_language'))
    )
    with op.batch_alter_table('award_achievement_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_achievement_translations_achievement_id'), ['achievement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_achievement_translations_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('award_credentials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=12), nullable=True))

    # Credentials issued so far were written in their badge's main language: pin it, so a
    # later change of that language does not change what a re-issue writes.
    op.execute(
        "UPDATE award_credentials SET language = (SELECT a.language FROM award_achievements a "
        "WHERE a.id = award_credentials.achievement_id) WHERE language IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('award_credentials', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('award_achievement_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_achievement_translations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_award_achievement_translations_achievement_id'))

    op.drop_table('award_achievement_translations')
