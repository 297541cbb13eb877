"""clarifying questions to requesters; notices about a request with no decision

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'clarification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('asked_by', sa.Integer(), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['asked_by'], ['person.id']),
        sa.ForeignKeyConstraint(['request_id'], ['request.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('clarification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clarification_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('clarification_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_reminder_request_id_request', 'request', ['request_id'], ['id'])
        batch_op.create_foreign_key(
            'fk_reminder_clarification_id_clarification', 'clarification', ['clarification_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reminder_clarification_id_clarification', type_='foreignkey')
        batch_op.drop_constraint('fk_reminder_request_id_request', type_='foreignkey')
        batch_op.drop_column('clarification_id')
        batch_op.drop_column('request_id')
    op.execute('DELETE FROM reminder WHERE decision_id IS NULL')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('clarification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clarification_request_id'))
    op.drop_table('clarification')
