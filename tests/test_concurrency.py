"""Two terminals as the same person at once: turns take turns, nothing is lost or doubled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func
from sqlmodel import col, select

from bot.storage.database import Database
from bot.storage.models import Answer, AuditEvent, Conversation
from tests.support.cli import PROJECT_ROOT, clean_env

TURNS_EACH = 150
UNFILED = ["answer.not_filed_stale", "answer.rejected", "message.kept_at_summary"]


def test_two_processes_as_one_person_never_corrupt_the_conversation(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    scripts = []
    for window in ("a", "b"):
        path = tmp_path / f"{window}.txt"
        path.write_text(
            "\n".join(
                f"answer {i} from {window}: https://example.com/{window}{i}"
                for i in range(TURNS_EACH)
            )
            + "\n",
            encoding="utf-8",
        )
        scripts.append(path)
    env = clean_env(DATABASE_URL=database_url)
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--as", "Dee", "--script", str(script)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for script in scripts
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        assert "Traceback" not in err

    with database.session() as session:
        conversation = session.exec(select(Conversation)).one()
        filed = session.exec(select(func.count()).select_from(Answer)).one()
        not_filed = session.exec(
            select(func.count()).select_from(AuditEvent).where(col(AuditEvent.action).in_(UNFILED))
        ).one()
        texts = [a.text for a in session.exec(select(Answer)).all()]
    # Every turn of both windows committed exactly once (two starts + every reply) ...
    assert conversation.version == 2 + 2 * TURNS_EACH
    # ... and every typed reply is either an answer or kept in the log, never both or neither.
    replies = 2 * TURNS_EACH
    assert filed + not_filed == replies, (filed, not_filed)
    assert filed >= 6
    assert len(texts) == len(set(texts))
