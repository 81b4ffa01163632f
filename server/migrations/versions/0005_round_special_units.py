"""round.dac_thu and round.han_dac_thu: the units a collecting unit names as special under
HD 43 (codes of its children) and the later deadline they report by (15/01 of the next year)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # rounds opened before this revision named no special unit
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dac_thu', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('han_dac_thu', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('han_dac_thu')
        batch_op.drop_column('dac_thu')
