"""Session prompts: recorded with their frontmatter checked and kept as plain data."""

from __future__ import annotations

from sqlalchemy import Connection

from statusboard.domain.answers import within_bytes
from statusboard.domain.clock import Clock
from statusboard.domain.records import SessionPrompt, SessionPromptPage
from statusboard.domain.session_prompts import parse_frontmatter
from statusboard.domain.validation import new_id
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import Database
from statusboard.storage.repositories import session_prompts as repo

ENTITY = "session_prompt"


class SessionPromptService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def record(self, actor: str, session_id: str, content: str) -> SessionPrompt:
        frontmatter, _body = parse_frontmatter(content)

        def work(conn: Connection) -> SessionPrompt:
            now = self._clock.now()
            values = {
                "id": new_id(),
                "session_id": session_id,
                "schema_version": str(frontmatter["schema_version"]),
                "frontmatter": frontmatter,
                "content": content,
                "recorded_at": now,
                "created_by": actor,
            }
            prompt = repo.insert(conn, values)
            fields = {"session_id": session_id, "schema_version": values["schema_version"]}
            record(self._db, conn, actor, now, [ChangeEntry(ENTITY, prompt["id"], None, "create", fields)])
            return prompt

        return self._db.write(work)

    def list(self, session_id: str | None = None, limit: int = 50, offset: int = 0) -> SessionPromptPage:
        """As many prompts as `limit` asks and the answer's byte bound allows (domain/answers.py)."""
        with self._db.reading() as conn:
            prompts, total = repo.listing(conn, session_id, limit, offset)
        shown = within_bytes(prompts)
        has_more = offset + len(shown) < total
        return {"prompts": shown, "total_count": total, "limit": limit, "offset": offset, "has_more": has_more}
