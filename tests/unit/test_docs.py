"""The README documents every command, setting and tool that exists."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from statusboard.config import Settings
from statusboard.interfaces.cli.main import _parser
from statusboard.interfaces.mcp.tools import TOOLS

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_every_setting_is_in_the_readme() -> None:
    for field in dataclasses.fields(Settings):
        assert f"`STATUSBOARD_{field.name.upper()}`" in README, field.name


def test_every_tool_is_in_the_readme() -> None:
    for spec in TOOLS:
        assert f"`{spec.name}`" in README, spec.name


def test_every_command_is_in_the_readme() -> None:
    subcommands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in subcommands:
        assert f"`statusboard {name}" in README, name
