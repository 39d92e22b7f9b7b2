"""What a tool is: its name, description, argument model and the one service call it makes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Version = Annotated[int, Field(ge=1, description="the version you read; a stale one is refused")]


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NoArgs(Args):
    pass


Handler = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[BaseModel]
    run: Handler  # (app, actor, args); cancellable tools also take cancel= and progress=
    cancellable: bool = False
