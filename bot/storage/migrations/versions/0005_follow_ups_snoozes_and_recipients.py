"""decision follow-ups and snoozes; reminder recipients, attempts and errors

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 08:57:13.840871
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('follow_up_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('follow_up_evidence', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_answer', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('follow_up_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_decision_follow_up_by_person', 'person', ['follow_up_by'], ['id'])

    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.create_index('ix_reminder_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_foreign_key('fk_reminder_recipient_id_person', 'person', ['recipient_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reminder_recipient_id_person', type_='foreignkey')
        batch_op.drop_index('ix_reminder_status_due_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
        batch_op.drop_column('recipient_id')

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_constraint('fk_decision_follow_up_by_person', type_='foreignkey')
        batch_op.drop_column('follow_up_answered_at')
        batch_op.drop_column('follow_up_by')
        batch_op.drop_column('follow_up_note')
        batch_op.drop_column('follow_up_answer')
        batch_op.drop_column('follow_up_evidence')
        batch_op.drop_column('follow_up_at')
        batch_op.drop_column('snoozed_until')
