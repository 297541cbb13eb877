"""Alembic environment: the engine comes from bot.storage.database.Database."""

from typing import Any

from alembic import context
from sqlmodel import SQLModel

# The schema is the bot's tables plus slack_sdk's OAuth tables, which share the database.
from bot.storage.models import UtcDateTime
from bot.storage.search_indexes import outside_the_models

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our UTC column type into migrations as the plain type it stores."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_item,
            include_object=outside_the_models,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
