"""unit.linh_vuc: the sector of a TCCSĐ in the units register (SPEC §7.1)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # units registered before this revision have no sector: null (the summary then uses the
    # workbook's TT_LinhVuc)
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('linh_vuc', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('linh_vuc')
