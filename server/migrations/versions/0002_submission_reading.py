"""submission.reading: the server's reading of each stored file

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # nullable: files stored before this revision have no record and are read again when merged
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reading', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('reading')
