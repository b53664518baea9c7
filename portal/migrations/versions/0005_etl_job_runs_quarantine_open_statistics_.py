"""etl job runs, quarantine, open statistics, client volumes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 20:03:04.258660
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('etl_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=80), nullable=False),
    sa.Column('trigger', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('running', 'succeeded', 'failed', name='runstatus', native_enum=False, length=40), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('rows_changed', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('source_version', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_etl_runs'))
    )
    with op.batch_alter_table('etl_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_etl_runs_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_etl_runs_started_at'), ['started_at'], unique=False)

    op.create_table('etl_quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=80), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=True),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['etl_runs.id'], name=op.f('fk_etl_quarantine_run_id_etl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_etl_quarantine'))
    )
    with op.batch_alter_table('etl_quarantine', schema=None) as batch_op:
        batch_op.create_index('ix_etl_quarantine_job_run', ['job_id', 'run_id'], unique=False)

    op.create_table('statistic_datasets',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('attribution', sa.Text(), nullable=False),
    sa.Column('release', sa.String(length=200), nullable=False),
    sa.Column('measures', sa.JSON(), nullable=False),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('retrieved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['etl_runs.id'], name=op.f('fk_statistic_datasets_run_id_etl_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statistic_datasets'))
    )
    op.create_table('client_volumes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('active_end', sa.Integer(), nullable=False),
    sa.Column('new_clients', sa.Integer(), nullable=False),
    sa.Column('ended_employment', sa.Integer(), nullable=False),
    sa.Column('ended_education', sa.Integer(), nullable=False),
    sa.Column('ended_rehabilitation', sa.Integer(), nullable=False),
    sa.Column('ended_other', sa.Integer(), nullable=False),
    sa.Column('assessments_started', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('active_end >= 0', name=op.f('ck_client_volumes_active_end_not_negative')),
    sa.CheckConstraint('assessments_started >= 0', name=op.f('ck_client_volumes_assessments_started_not_negative')),
    sa.CheckConstraint('ended_education >= 0', name=op.f('ck_client_volumes_ended_education_not_negative')),
    sa.CheckConstraint('ended_employment >= 0', name=op.f('ck_client_volumes_ended_employment_not_negative')),
    sa.CheckConstraint('ended_other >= 0', name=op.f('ck_client_volumes_ended_other_not_negative')),
    sa.CheckConstraint('ended_rehabilitation >= 0', name=op.f('ck_client_volumes_ended_rehabilitation_not_negative')),
    sa.CheckConstraint('new_clients >= 0', name=op.f('ck_client_volumes_new_clients_not_negative')),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_client_volumes_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_volumes')),
    sa.UniqueConstraint('network_id', 'month', name=op.f('uq_client_volumes_network_id_month'))
    )
    with op.batch_alter_table('client_volumes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_volumes_network_id'), ['network_id'], unique=False)

    op.create_table('statistic_values',
    sa.Column('dataset_id', sa.String(length=80), nullable=False),
    sa.Column('measure', sa.String(length=60), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('unit_code', sa.String(length=10), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('retrieved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['statistic_datasets.id'], name=op.f('fk_statistic_values_dataset_id_statistic_datasets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', 'measure', 'level', 'unit_code', 'period', name=op.f('pk_statistic_values')),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    op.drop_table('statistic_values')
    with op.batch_alter_table('client_volumes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_volumes_network_id'))

    op.drop_table('client_volumes')
    op.drop_table('statistic_datasets')
    with op.batch_alter_table('etl_quarantine', schema=None) as batch_op:
        batch_op.drop_index('ix_etl_quarantine_job_run')

    op.drop_table('etl_quarantine')
    with op.batch_alter_table('etl_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_etl_runs_started_at'))
        batch_op.drop_index(batch_op.f('ix_etl_runs_job_id'))

    op.drop_table('etl_runs')
