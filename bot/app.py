"""Composition root: builds the pieces from configuration, so nothing else wires itself."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import AppConfig, Settings, load_app_config
from bot.engine import Clock, Engine, utc_now
from bot.storage.database import Database


@dataclass
class App:
    settings: Settings
    config: AppConfig
    database: Database
    engine: Engine


def load_config(settings: Settings) -> AppConfig:
    return load_app_config(settings.triage_config)


def build_app(
    settings: Settings,
    *,
    config: AppConfig | None = None,
    clock: Clock = utc_now,
    create_if_empty: bool = True,
) -> App:
    """Config, database (schema checked) and engine. Raises ConfigError, DatabaseUnavailable or
    SchemaOutOfDate with messages meant for people."""
    config = config or load_config(settings)
    database = Database(settings.database_url)
    database.require_current_schema(create_if_empty=create_if_empty)
    return App(settings, config, database, Engine(database=database, config=config, clock=clock))
