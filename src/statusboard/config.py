"""Settings, read from the environment once at start (see the README's settings table)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from statusboard.domain.limits import client_name_problem

DEFAULT_DATABASE_URL = "sqlite:///.statusboard/status.db"


class Toolset(StrEnum):
    """The tools a server lists, by what a client came for (STATUSBOARD_TOOLSETS)."""

    AGENT = "agent"  # work items, dependencies, claims, the change log, status, health
    RECORDS = "records"  # vendors, deployments, enhancements, configuration, session prompts
    ADMIN = "admin"  # archiving, migration, sync conflicts


ALL_TOOLSETS = frozenset(Toolset)


def parse_toolsets(text: str) -> frozenset[Toolset]:
    """`agent,records` and the like; `all` (or nothing) is every set."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if not names or "all" in names:
        return ALL_TOOLSETS
    unknown = [name for name in names if name not in {toolset.value for toolset in Toolset}]
    if unknown:
        choices = ", ".join([*Toolset, "all"])
        raise ValueError(f"STATUSBOARD_TOOLSETS: unknown toolset {unknown[0]!r} (choose from {choices})")
    return frozenset(Toolset(name) for name in names)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    cache_path: str = ".statusboard/cache.db"
    markdown_path: str = ".project_status.md"
    git_repo: str = "."
    client_id: str | None = None
    cache_ttl_minutes: int = 30
    toolsets: frozenset[Toolset] = ALL_TOOLSETS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        ttl = env.get("STATUSBOARD_CACHE_TTL_MINUTES", "30")
        try:
            ttl_minutes = int(ttl)
        except ValueError:
            raise ValueError(f"STATUSBOARD_CACHE_TTL_MINUTES must be a whole number, got {ttl!r}") from None
        client_id = env.get("STATUSBOARD_CLIENT_ID") or None
        problem = None if client_id is None else client_name_problem(client_id)
        if problem is not None:
            raise ValueError(f"STATUSBOARD_CLIENT_ID {problem}")
        return cls(
            database_url=env.get("STATUSBOARD_DATABASE_URL") or DEFAULT_DATABASE_URL,
            cache_path=env.get("STATUSBOARD_CACHE_PATH") or ".statusboard/cache.db",
            markdown_path=env.get("STATUSBOARD_MARKDOWN_PATH") or ".project_status.md",
            git_repo=env.get("STATUSBOARD_GIT_REPO") or ".",
            client_id=client_id,
            cache_ttl_minutes=ttl_minutes,
            toolsets=parse_toolsets(env.get("STATUSBOARD_TOOLSETS", "")),
        )


@dataclass(frozen=True)
class SettingInfo:
    """One setting as people read about it: the commands' --help and docs/reference.md show these."""

    name: str
    default: str
    meaning: str


DATABASE_URL = SettingInfo(
    "STATUSBOARD_DATABASE_URL",
    f"{DEFAULT_DATABASE_URL} (relative to the working directory)",
    "primary store; postgresql://user@host:port/db for PostgreSQL",
)
CACHE_PATH = SettingInfo(
    "STATUSBOARD_CACHE_PATH",
    ".statusboard/cache.db",
    "local SQLite cache and write journal, used when the primary is unreachable",
)
MARKDOWN_PATH = SettingInfo("STATUSBOARD_MARKDOWN_PATH", ".project_status.md", "the human-readable status file")
GIT_REPO = SettingInfo(
    "STATUSBOARD_GIT_REPO", "the working directory", "git repository whose committed status file is a fallback layer"
)
CLIENT_ID = SettingInfo(
    "STATUSBOARD_CLIENT_ID",
    "the MCP client's declared name (clientInfo.name)",
    "who is acting; recorded as created_by / updated_by",
)
CACHE_TTL_MINUTES = SettingInfo("STATUSBOARD_CACHE_TTL_MINUTES", "30", "age after which cached data is not served")
TOOLSETS = SettingInfo(
    "STATUSBOARD_TOOLSETS",
    "all",
    "which tools a server lists and accepts, comma-separated: agent (work items, dependencies, claims, "
    "the change log, status, health), records (vendors, deployments, enhancements, configuration, "
    "session prompts), admin (archiving, migration, sync conflicts), or all",
)

SETTINGS: tuple[SettingInfo, ...] = (
    DATABASE_URL,
    CACHE_PATH,
    MARKDOWN_PATH,
    GIT_REPO,
    CLIENT_ID,
    CACHE_TTL_MINUTES,
    TOOLSETS,
)
