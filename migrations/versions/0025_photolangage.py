"""photolangage: a network's own pictures, and the pictures chosen during a round

Revision ID: 0025_photolangage
Revises: 0024_easy_read
"""

import sqlalchemy as sa
from alembic import op

import badger.db

revision = '0025_photolangage'
down_revision = '0024_easy_read'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'photolangage_pictures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('ext', sa.String(length=4), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', badger.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("ext in ('png', 'jpg')", name=op.f('ck_photolangage_pictures_photo_ext')),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'],
                                name=op.f('fk_photolangage_pictures_added_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['network_id'], ['networks.id'],
                                name=op.f('fk_photolangage_pictures_network_id_networks'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_photolangage_pictures')),
    )
    with op.batch_alter_table('photolangage_pictures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photolangage_pictures_network_id'), ['network_id'],
                              unique=False)
    op.create_table(
        'grid_picture_choices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('picture', sa.String(length=40), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('competence_id', sa.Integer(), nullable=True),
        sa.Column('chosen_by', sa.String(length=16), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('chosen_at', badger.db.UTCDateTime(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("chosen_by in ('participant', 'coach')",
                           name=op.f('ck_grid_picture_choices_picture_chooser')),
        sa.ForeignKeyConstraint(['competence_id'], ['referentiel_competences.id'],
                                name=op.f('fk_grid_picture_choices_competence_id_referentiel_competences'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_grid_picture_choices_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_grid_picture_choices_recorded_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['round_id'], ['grid_rounds.id'],
                                name=op.f('fk_grid_picture_choices_round_id_grid_rounds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_picture_choices')),
    )
    with op.batch_alter_table('grid_picture_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_picture_choices_organisation_id'),
                              ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_picture_choices_round_id'), ['round_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('grid_picture_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_picture_choices_round_id'))
        batch_op.drop_index(batch_op.f('ix_grid_picture_choices_organisation_id'))
    op.drop_table('grid_picture_choices')
    with op.batch_alter_table('photolangage_pictures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photolangage_pictures_network_id'))
    op.drop_table('photolangage_pictures')
