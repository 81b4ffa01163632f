"""round.ngoai_le_25 (QD366's 25 % exception approved for the collecting unit) and
decision.xep_loai_cap_uy (the rating decided for a TCCSĐ child's party committee)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 11:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # rounds opened before this revision had no exception: false
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ngoai_le_25', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # decisions made before this revision left committees at their own proposal: null
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('xep_loai_cap_uy', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('xep_loai_cap_uy')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('ngoai_le_25')
