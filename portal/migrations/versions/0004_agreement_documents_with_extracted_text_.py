"""agreement documents with extracted text and proposed coding

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 19:57:17.850689
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agreement_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('proposal', sa.JSON(), nullable=True),
    sa.Column('proposal_status', sa.Enum('none', 'proposed', 'confirmed', 'rejected', name='proposalstatus', native_enum=False, length=40), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_documents_agreement_id_agreements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_agreement_documents_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_documents'))
    )
    with op.batch_alter_table('agreement_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_documents_network_id'), ['network_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('agreement_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_documents_network_id'))

    op.drop_table('agreement_documents')
