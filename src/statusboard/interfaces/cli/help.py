"""What `--help` shows on every command: its options with their defaults, and the settings
(environment variables) it reads, each with its default.

`describe` dresses the finished parser, command by command, from COMMAND_SETTINGS: a new command
needs an entry there (tests/cli/test_help.py checks that every command has one).
"""

from __future__ import annotations

import argparse
from typing import Any

from statusboard.config import (
    CACHE_PATH,
    CACHE_TTL_MINUTES,
    CLIENT_ID,
    DATABASE_URL,
    GIT_REPO,
    MARKDOWN_PATH,
    SETTINGS,
    SettingInfo,
)

# Keyed by the command's words after `statusboard` ("" is `statusboard` itself).
COMMAND_SETTINGS: dict[str, tuple[SettingInfo, ...]] = {
    "": SETTINGS,
    "init": (DATABASE_URL, CACHE_PATH, MARKDOWN_PATH, GIT_REPO),
    "mcp": SETTINGS,
    "serve": SETTINGS,
    "status": (DATABASE_URL, CACHE_PATH, MARKDOWN_PATH, GIT_REPO, CLIENT_ID, CACHE_TTL_MINUTES),
    "log": (DATABASE_URL,),
    "migrate": (DATABASE_URL, CLIENT_ID),
    "db": (DATABASE_URL,),
    "db upgrade": (DATABASE_URL,),
    "agent": (DATABASE_URL,),
    "agent add": (DATABASE_URL,),
    "agent list": (DATABASE_URL,),
    "agent revoke": (DATABASE_URL,),
}
NOTES: dict[str, str] = {
    "init": "The configurations get these settings as absolute paths, from the environment or their defaults.",
    "log": "Times are shown in the local time zone, with their offset from UTC.",
}


def shows_default(action: argparse.Action) -> bool:
    """An option that takes a value and has one when not given."""
    unset = action.default is None or action.default is argparse.SUPPRESS or action.default == []
    return bool(action.option_strings) and action.nargs != 0 and not unset


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Appends `(default: …)` to every option that takes a value and has a default."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if shows_default(action) and "default" not in text:
            return f"{text} (default: %(default)s)".strip()
        return text


def settings_epilog(settings: tuple[SettingInfo, ...], note: str | None = None) -> str:
    lines = ["settings read (environment variables):"]
    for setting in settings:
        lines += [f"  {setting.name}", f"      {setting.meaning}", f"      default: {setting.default}"]
    if note:
        lines += ["", note]
    return "\n".join(lines)


def describe(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    for path, command, summary in commands(parser):
        command.formatter_class = HelpFormatter
        for action in command._actions:
            if action.help is None and shows_default(action):  # argparse shows no line without help
                action.help = "(default: %(default)s)"
        if command.description is None and summary:
            command.description = summary
        settings = COMMAND_SETTINGS.get(path)
        if settings is not None:
            command.epilog = settings_epilog(settings, NOTES.get(path))
    return parser


def commands(
    parser: argparse.ArgumentParser, path: str = "", summary: str | None = None
) -> list[tuple[str, argparse.ArgumentParser, str | None]]:
    """Every command under `parser` (itself first), with its words and its one-line summary."""
    found = [(path, parser, summary)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            summaries: dict[str, Any] = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                found += commands(sub, f"{path} {name}".strip(), summaries.get(name))
    return found
