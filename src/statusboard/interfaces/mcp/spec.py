"""What a tool is: its name, description, argument model, the one service call it makes, its
policy (what degraded mode does with it), the least role that may call it, its title, what
calling it does (the MCP annotations) and its toolset. Everything known about a tool lives on
its spec: the layers ask the spec, and no other module keeps a list of tool names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from statusboard.config import Toolset
from statusboard.domain.agents import Role
from statusboard.domain.limits import MAX_SAFE_INTEGER, StorableText
from statusboard.resilience.policy import Policy

Version = Annotated[int, Field(ge=1, le=MAX_SAFE_INTEGER, description="the version you read")]


class Args(StorableText):
    model_config = ConfigDict(extra="forbid", strict=True)


class NoArgs(Args):
    pass


M = TypeVar("M", bound=BaseModel)


def given_fields(args: BaseModel, model: type[M], exclude: set[str]) -> M:
    """The fields the caller gave, without `exclude`, as `model`: absent fields stay unset."""
    return model.model_validate(args.model_dump(include=args.model_fields_set - exclude))


Handler = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Effect:
    """What calling a tool does to the board, as MCP's annotations tell a client (every tool
    touches only this board: openWorldHint is false for all)."""

    read_only: bool
    destructive: bool = False  # may change or remove what is there (rather than only add)
    idempotent: bool = False  # calling again with the same arguments changes nothing more


READS = Effect(read_only=True, idempotent=True)
ADDS = Effect(read_only=False)  # a new record each call
CHANGES = Effect(read_only=False, destructive=True, idempotent=True)  # names a version: a repeat is refused as stale


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[BaseModel]
    run: Handler  # (app, actor, args); cancellable tools also take cancel= and progress=
    _: KW_ONLY  # what is said about the tool, one keyword each
    output: Any  # the shape of its results: a TypedDict of domain/, or a union of them (see outputs.py)
    policy: Policy
    role: Role  # the least role that may call it over HTTP (stdio is the local user: every tool)
    cancellable: bool = False
    role_for: Callable[[Any], Role] | None = None  # a stricter role some arguments need (given the args)
    title: str  # a few words for people, where clients list the tools
    effect: Effect
    toolset: Toolset

    def needs(self, args: BaseModel) -> Role:
        """The least role that may make this call, with these arguments."""
        stricter = self.role_for(args) if self.role_for is not None else None
        return stricter if stricter is not None and stricter.rank > self.role.rank else self.role
