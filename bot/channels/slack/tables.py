"""slack_sdk's OAuth tables, registered on the bot's metadata so Alembic migrates them too.

Multi-workspace installs keep their tokens in the bot's own database through slack_sdk's
SQLAlchemy installation and state stores; the table shapes are slack_sdk's, not ours.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlmodel import SQLModel

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"

if INSTALLATIONS_TABLE not in SQLModel.metadata.tables:
    SQLAlchemyInstallationStore.build_installations_table(SQLModel.metadata, INSTALLATIONS_TABLE)
    SQLAlchemyInstallationStore.build_bots_table(SQLModel.metadata, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(SQLModel.metadata, OAUTH_STATES_TABLE)
