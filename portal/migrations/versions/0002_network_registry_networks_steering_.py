"""network registry: networks, steering groups, agreements, staff, TYP

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:31:45.969420
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('typ_networks',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_typ_networks'))
    )
    op.create_table('networks',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('name_fi', sa.String(length=200), nullable=False),
    sa.Column('name_sv', sa.String(length=200), nullable=False),
    sa.Column('county_code', sa.String(length=2), nullable=False),
    sa.Column('status', sa.Enum('draft', 'confirmed', 'verified', name='networkstatus', native_enum=False, length=40), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('last_confirmed_on', sa.Date(), nullable=True),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to', name=op.f('ck_networks_dates_ordered')),
    sa.ForeignKeyConstraint(['county_code'], ['wellbeing_counties.code'], name=op.f('fk_networks_county_code_wellbeing_counties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_networks'))
    )
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_networks_county_code'), ['county_code'], unique=False)

    op.create_table('typ_network_municipalities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_typ_network_municipalities_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['network_id'], ['typ_networks.id'], name=op.f('fk_typ_network_municipalities_network_id_typ_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_typ_network_municipalities')),
    sa.UniqueConstraint('network_id', 'municipality_code', name=op.f('uq_typ_network_municipalities_network_id_municipality_code'))
    )
    with op.batch_alter_table('typ_network_municipalities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typ_network_municipalities_network_id'), ['network_id'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('parties', sa.Text(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('document_url', sa.String(length=500), nullable=True),
    sa.Column('objectives_specific', sa.Boolean(), nullable=True),
    sa.Column('target_group_defined', sa.Boolean(), nullable=True),
    sa.Column('services_employment', sa.Boolean(), nullable=False),
    sa.Column('services_social', sa.Boolean(), nullable=False),
    sa.Column('services_health', sa.Boolean(), nullable=False),
    sa.Column('services_kela_rehabilitation', sa.Boolean(), nullable=False),
    sa.Column('services_benefit_advice', sa.Boolean(), nullable=False),
    sa.Column('shared_service_points', sa.Boolean(), nullable=True),
    sa.Column('cost_sharing', sa.Enum('not_stated', 'each_bears_own', 'shared_by_formula', 'host_pays', 'other', name='costsharing', native_enum=False, length=40), nullable=False),
    sa.Column('information_system', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to', name=op.f('ck_agreements_dates_ordered')),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_agreements_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_network_id'), ['network_id'], unique=False)

    op.create_table('maturity_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 6', name=op.f('ck_maturity_assessments_level_range')),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_maturity_assessments_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maturity_assessments')),
    sa.UniqueConstraint('network_id', 'year', name=op.f('uq_maturity_assessments_network_id_year'))
    )
    with op.batch_alter_table('maturity_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maturity_assessments_network_id'), ['network_id'], unique=False)

    op.create_table('network_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('area_id', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['employment_areas.id'], name=op.f('fk_network_areas_area_id_employment_areas')),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_network_areas_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_areas')),
    sa.UniqueConstraint('network_id', 'area_id', name=op.f('uq_network_areas_network_id_area_id'))
    )
    with op.batch_alter_table('network_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_areas_network_id'), ['network_id'], unique=False)

    op.create_table('network_leaders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('public_contact', sa.String(length=200), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_network_leaders_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_leaders'))
    )
    with op.batch_alter_table('network_leaders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_leaders_network_id'), ['network_id'], unique=False)

    op.create_table('network_municipality_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.Enum('include', 'exclude', name='exceptionkind', native_enum=False, length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_network_municipality_exceptions_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_network_municipality_exceptions_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_municipality_exceptions')),
    sa.UniqueConstraint('network_id', 'municipality_code', name=op.f('uq_network_municipality_exceptions_network_id_municipality_code'))
    )
    with op.batch_alter_table('network_municipality_exceptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_municipality_exceptions_network_id'), ['network_id'], unique=False)

    op.create_table('staff_resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.Enum('employment_authority', 'county', 'kela', 'other', name='stafforganisation', native_enum=False, length=40), nullable=False),
    sa.Column('profession', sa.String(length=120), nullable=False),
    sa.Column('sector', sa.Enum('employment', 'social', 'health', 'benefits', 'other', name='sector', native_enum=False, length=40), nullable=False),
    sa.Column('fte', sa.Float(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('fte >= 0', name=op.f('ck_staff_resources_fte_not_negative')),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_staff_resources_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_resources')),
    sa.UniqueConstraint('network_id', 'year', 'organisation', 'profession', name=op.f('uq_staff_resources_network_id_year_organisation_profession'))
    )
    with op.batch_alter_table('staff_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_resources_network_id'), ['network_id'], unique=False)

    op.create_table('steering_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=80), nullable=False),
    sa.Column('chair', sa.Enum('employment_authority', 'county_social', 'county_health', 'kela', 'other', name='orgtype', native_enum=False, length=40), nullable=False),
    sa.Column('vice_chair', sa.Enum('employment_authority', 'county_social', 'county_health', 'kela', 'other', name='orgtype', native_enum=False, length=40), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to', name=op.f('ck_steering_groups_dates_ordered')),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_steering_groups_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_groups'))
    )
    with op.batch_alter_table('steering_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steering_groups_network_id'), ['network_id'], unique=False)

    op.create_table('agreement_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('coding', sa.Enum('absent', 'general', 'specific', name='sectioncoding', native_enum=False, length=40), nullable=False),
    sa.CheckConstraint('number BETWEEN 1 AND 12', name=op.f('ck_agreement_sections_number_range')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_sections_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_sections')),
    sa.UniqueConstraint('agreement_id', 'number', name=op.f('uq_agreement_sections_agreement_id_number'))
    )
    with op.batch_alter_table('agreement_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_sections_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('steering_seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('org_type', sa.Enum('employment_authority', 'county_social', 'county_health', 'kela', 'other', name='orgtype', native_enum=False, length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('member_names', sa.Text(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_steering_seats_count_not_negative')),
    sa.ForeignKeyConstraint(['group_id'], ['steering_groups.id'], name=op.f('fk_steering_seats_group_id_steering_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_seats')),
    sa.UniqueConstraint('group_id', 'org_type', name=op.f('uq_steering_seats_group_id_org_type'))
    )
    with op.batch_alter_table('steering_seats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steering_seats_group_id'), ['group_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('steering_seats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steering_seats_group_id'))

    op.drop_table('steering_seats')
    with op.batch_alter_table('agreement_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_sections_agreement_id'))

    op.drop_table('agreement_sections')
    with op.batch_alter_table('steering_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steering_groups_network_id'))

    op.drop_table('steering_groups')
    with op.batch_alter_table('staff_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_resources_network_id'))

    op.drop_table('staff_resources')
    with op.batch_alter_table('network_municipality_exceptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_municipality_exceptions_network_id'))

    op.drop_table('network_municipality_exceptions')
    with op.batch_alter_table('network_leaders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_leaders_network_id'))

    op.drop_table('network_leaders')
    with op.batch_alter_table('network_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_areas_network_id'))

    op.drop_table('network_areas')
    with op.batch_alter_table('maturity_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maturity_assessments_network_id'))

    op.drop_table('maturity_assessments')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_network_id'))

    op.drop_table('agreements')
    with op.batch_alter_table('typ_network_municipalities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typ_network_municipalities_network_id'))

    op.drop_table('typ_network_municipalities')
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_networks_county_code'))

    op.drop_table('networks')
    op.drop_table('typ_networks')
