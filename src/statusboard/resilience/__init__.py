"""Degraded mode: when the primary database is unreachable, reads fall back through the local
cache, the status file as committed in git and the status file on disk; writes go to a
durable journal and are replayed, exactly once and in order, when the primary is back."""
