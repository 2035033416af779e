"""networks: a Bitstring Status List per network; endorsements carry their bit (withdrawal sets it)

Revision ID: 0012_endorsement_status
Revises: 0011_evidence_images
"""

from alembic import op
import sqlalchemy as sa
import badger.db


revision = '0012_endorsement_status'
down_revision = '0011_evidence_images'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('network_status_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('bits', sa.LargeBinary(), nullable=False),
    sa.Column('signed_json', sa.Text(), nullable=True),
    sa.Column('etag', sa.String(length=80), nullable=True),
    sa.Column('updated_at', badger.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("purpose IN ('revocation')", name=op.f('ck_network_status_lists_purpose')),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_network_status_lists_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_status_lists')),
    sa.UniqueConstraint('network_id', 'purpose', 'number', name=op.f('uq_network_status_lists_network_id_purpose_number'))
    )
    with op.batch_alter_table('network_status_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_status_lists_network_id'), ['network_id'], unique=False)

    with op.batch_alter_table('network_endorsements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_list_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_network_endorsements_status_list_id_status_index'), ['status_list_id', 'status_index'])
        batch_op.create_foreign_key(batch_op.f('fk_network_endorsements_status_list_id_network_status_lists'), 'network_status_lists', ['status_list_id'], ['id'], ondelete='RESTRICT')



def downgrade() -> None:
    with op.batch_alter_table('network_endorsements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_network_endorsements_status_list_id_network_status_lists'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_network_endorsements_status_list_id_status_index'), type_='unique')
        batch_op.drop_column('status_index')
        batch_op.drop_column('status_list_id')

    with op.batch_alter_table('network_status_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_status_lists_network_id'))

    op.drop_table('network_status_lists')
