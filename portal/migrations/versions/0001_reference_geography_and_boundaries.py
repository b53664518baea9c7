"""reference geography and boundaries

Revision ID: 0001
Revises:
Create Date: 2026-11-22 19:27:25.602117
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('boundary_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('attribution', sa.Text(), nullable=False),
    sa.Column('tolerance_m', sa.Double(), nullable=False),
    sa.Column('topology', sa.Text(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('stats', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_boundary_sets')),
    sa.UniqueConstraint('year', name=op.f('uq_boundary_sets_year'))
    )
    op.create_table('municipalities',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name_fi', sa.String(length=200), nullable=False),
    sa.Column('name_sv', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('merged_into_code', sa.String(length=3), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to', name=op.f('ck_municipalities_dates_ordered')),
    sa.ForeignKeyConstraint(['merged_into_code'], ['municipalities.code'], name=op.f('fk_municipalities_merged_into_code_municipalities')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_municipalities'))
    )
    op.create_table('wellbeing_counties',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name_fi', sa.String(length=200), nullable=False),
    sa.Column('name_sv', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('unit_type', sa.String(length=40), nullable=False),
    sa.Column('in_tym_scope', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_wellbeing_counties'))
    )
    op.create_table('area_shapes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('boundary_set_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('county', 'employment_area', 'municipality', name='level', native_enum=False, length=20), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('geometry', sa.Text(), nullable=False),
    sa.Column('min_lon', sa.Double(), nullable=False),
    sa.Column('min_lat', sa.Double(), nullable=False),
    sa.Column('max_lon', sa.Double(), nullable=False),
    sa.Column('max_lat', sa.Double(), nullable=False),
    sa.Column('neighbours', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['boundary_set_id'], ['boundary_sets.id'], name=op.f('fk_area_shapes_boundary_set_id_boundary_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_shapes')),
    sa.UniqueConstraint('boundary_set_id', 'level', 'code', name=op.f('uq_area_shapes_boundary_set_id_level_code'))
    )
    with op.batch_alter_table('area_shapes', schema=None) as batch_op:
        batch_op.create_index('ix_area_shapes_level_code', ['level', 'code'], unique=False)

    op.create_table('county_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('county_code', sa.String(length=2), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to', name=op.f('ck_county_memberships_dates_ordered')),
    sa.ForeignKeyConstraint(['county_code'], ['wellbeing_counties.code'], name=op.f('fk_county_memberships_county_code_wellbeing_counties')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_county_memberships_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_county_memberships')),
    sa.UniqueConstraint('municipality_code', 'valid_from', name=op.f('uq_county_memberships_municipality_code_valid_from'))
    )
    with op.batch_alter_table('county_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_county_memberships_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_county_memberships_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('employment_areas',
    sa.Column('id', sa.String(length=60), nullable=False),
    sa.Column('statfi_code', sa.Integer(), nullable=False),
    sa.Column('name_fi', sa.String(length=200), nullable=False),
    sa.Column('name_sv', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('organising_model', sa.Enum('host_municipality', 'single_municipality', 'joint_municipal_authority', name='organisingmodel', native_enum=False, length=40), nullable=False),
    sa.Column('host_municipality_code', sa.String(length=3), nullable=True),
    sa.Column('host_status', sa.String(length=40), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['host_municipality_code'], ['municipalities.code'], name=op.f('fk_employment_areas_host_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_areas')),
    sa.UniqueConstraint('statfi_code', name=op.f('uq_employment_areas_statfi_code'))
    )
    op.create_table('employment_area_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('area_id', sa.String(length=60), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to', name=op.f('ck_employment_area_memberships_dates_ordered')),
    sa.ForeignKeyConstraint(['area_id'], ['employment_areas.id'], name=op.f('fk_employment_area_memberships_area_id_employment_areas')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_employment_area_memberships_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_area_memberships')),
    sa.UniqueConstraint('municipality_code', 'valid_from', name=op.f('uq_employment_area_memberships_municipality_code_valid_from'))
    )
    with op.batch_alter_table('employment_area_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employment_area_memberships_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employment_area_memberships_municipality_code'), ['municipality_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('employment_area_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employment_area_memberships_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_employment_area_memberships_area_id'))

    op.drop_table('employment_area_memberships')
    op.drop_table('employment_areas')
    with op.batch_alter_table('county_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_county_memberships_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_county_memberships_county_code'))

    op.drop_table('county_memberships')
    with op.batch_alter_table('area_shapes', schema=None) as batch_op:
        batch_op.drop_index('ix_area_shapes_level_code')

    op.drop_table('area_shapes')
    op.drop_table('wellbeing_counties')
    op.drop_table('municipalities')
    op.drop_table('boundary_sets')
