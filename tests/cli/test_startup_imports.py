"""What a stdio server on SQLite imports before its first call: not Alembic (the schema is
current), not psycopg (no PostgreSQL), and no tool schemas built (tools/list builds them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from statusboard.storage import schema
from statusboard.storage.engine import build_engine

PROBE = """
import json, sys
from statusboard.config import Settings
from statusboard.interfaces.mcp import listing
from statusboard.interfaces.mcp.server import build_server
from statusboard.wiring import build_server_app

built = []
listing.listed_tool = lambda spec, original=listing.listed_tool: built.append(spec.name) or original(spec)
import statusboard.interfaces.mcp.server as server_module
server_module.listed_tool = listing.listed_tool
app = build_server_app(Settings(database_url=sys.argv[1]))
build_server(app)
app.close()
print(json.dumps({"modules": sorted(m for m in ("alembic", "psycopg") if m in sys.modules), "built": built}))
"""


def test_a_sqlite_stdio_server_starts_without_alembic_psycopg_or_the_listing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'status.db'}"
    engine = build_engine(url)
    schema.upgrade(engine)  # an existing project's database
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url], capture_output=True, text=True, timeout=120, check=True, cwd=tmp_path
    )
    assert json.loads(done.stdout.splitlines()[-1]) == {"modules": [], "built": []}
