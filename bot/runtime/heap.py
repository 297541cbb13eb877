"""How the long-running processes (the server, the turn worker) treat the garbage collector."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Call once start-up is done. What start-up built (modules, configuration, the Bolt app,
    SQLAlchemy's mappers and caches) lives as long as the process, yet every full collection
    walks all of it again; under load those pauses were the slowest turns. Frozen objects
    are left out of collections from then on."""
    gc.collect()
    gc.freeze()
