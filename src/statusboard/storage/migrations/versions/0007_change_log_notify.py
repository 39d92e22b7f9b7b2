"""PostgreSQL tells listeners when the change log grows: every statement that appends entries
sends one NOTIFY on `statusboard_changes`, delivered when its transaction commits.

A trigger, not code in each write path: the one-statement claim (repositories/fresh_claims.py),
the services' appends, migrations and replays all notify alike. It is a statement-level trigger
that looks at what the statement inserted, so the fast claim's statement that claims nothing
(its change-log insert adds no row) sends nothing. The payload is empty: PostgreSQL folds equal
notifications of one transaction into one, and listeners read the log itself (up to the settled
seq) to learn what changed. SQLite has no NOTIFY; its watcher reads the last seq instead
(storage/change_signal.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CHANNEL = "statusboard_changes"

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION statusboard_change_log_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM appended) THEN
        PERFORM pg_notify('{CHANNEL}', '');
    END IF;
    RETURN NULL;
END
$$
"""
_TRIGGER = """
CREATE TRIGGER change_log_notify
AFTER INSERT ON change_log
REFERENCING NEW TABLE AS appended
FOR EACH STATEMENT EXECUTE FUNCTION statusboard_change_log_notify()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    op.execute(_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS change_log_notify ON change_log")
    op.execute("DROP FUNCTION IF EXISTS statusboard_change_log_notify()")
