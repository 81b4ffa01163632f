"""audit (who did what, when, to which round) and the «Trả lại» of a submission (who, when,
why); round.ngoai_le_25_qd, the decision granting the 25 % exception

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('who', sa.String(length=120), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index('ix_audit_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_round_id', ['round_id'], unique=False)
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('returned_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('return_comment', sa.Text(), nullable=True))
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ngoai_le_25_qd', sa.String(length=300), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('ngoai_le_25_qd')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('return_comment')
        batch_op.drop_column('returned_by')
        batch_op.drop_column('returned_at')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_round_id')
        batch_op.drop_index('ix_audit_at')
    op.drop_table('audit')
