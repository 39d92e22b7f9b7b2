"""--help on every command lists its options with their defaults and the settings it reads;
--version; docs/reference.md documents every command and setting."""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest

from statusboard.config import SETTINGS, Settings
from statusboard.interfaces.cli.help import COMMAND_SETTINGS, commands, shows_default
from statusboard.interfaces.cli.main import _parser, main
from tests.cli.checkout import ROOT

COMMANDS = [path for path, _, _ in commands(_parser())]


def help_of(path: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        main([*path.split(), "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def options_with_defaults(path: str) -> list[argparse.Action]:
    parser = dict((found, command) for found, command, _ in commands(_parser()))[path]
    return [action for action in parser._actions if shows_default(action)]


def test_every_command_says_which_settings_it_reads() -> None:
    assert sorted(set(COMMANDS) - set(COMMAND_SETTINGS)) == []


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: path or "statusboard")
def test_help_lists_the_settings_the_command_reads_with_their_defaults(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(path, capsys)
    assert "settings read (environment variables):" in text
    for setting in COMMAND_SETTINGS[path]:
        assert setting.name in text
        assert f"default: {setting.default}" in text


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: path or "statusboard")
def test_help_shows_the_default_of_every_option(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(help_of(path, capsys).split())  # argparse wraps long lines
    for action in options_with_defaults(path):
        assert f"(default: {action.default})" in text, action.option_strings


def test_init_help_names_its_clients_and_default(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(help_of("init", capsys).split())
    assert "{claude-code,vscode,claude-desktop,all}" in text and "(default: all)" in text and "--force" in text


def test_version_prints_the_installed_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "statusboard", "--version"], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout.strip() == f"statusboard {importlib.metadata.version('statusboard')}"


def test_the_described_defaults_are_the_ones_settings_use() -> None:
    described = {setting.name: setting.default for setting in SETTINGS}
    defaults = Settings()
    assert described["STATUSBOARD_DATABASE_URL"].startswith(defaults.database_url + " ")
    assert described["STATUSBOARD_CACHE_PATH"] == defaults.cache_path
    assert described["STATUSBOARD_MARKDOWN_PATH"] == defaults.markdown_path
    assert described["STATUSBOARD_CACHE_TTL_MINUTES"] == str(defaults.cache_ttl_minutes)


def test_the_reference_documents_every_command() -> None:
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    headings = {  # "### `statusboard agent add NAME` / `agent list`" documents `agent add` and `agent list`
        command.removeprefix("statusboard ")
        for line in reference.splitlines()
        if line.startswith("### ")
        for command in re.findall(r"`([^`]+)`", line)
    }
    for path in COMMANDS:
        if path and path not in ("db",):  # a group: its commands are documented
            assert any(heading == path or heading.startswith(f"{path} ") for heading in headings), path


def test_the_reference_lists_every_setting_with_its_default() -> None:
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\| `(STATUSBOARD_\w+)` \| (.*?) \|", reference, flags=re.MULTILINE)
    }
    for setting in SETTINGS:
        assert setting.name in rows, setting.name
        assert setting.default.split(" (")[0] in rows[setting.name].replace("`", ""), setting.name


def test_the_readme_links_the_reference_not_a_file_outside_the_clone() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared/" not in readme
    assert "(docs/reference.md)" in readme
    assert Path(ROOT / "docs" / "reference.md").is_file()


def test_init_offers_the_clients_it_knows() -> None:
    from statusboard.interfaces.cli.init import CLIENT_FILES

    init = dict((path, command) for path, command, _ in commands(_parser()))["init"]
    client = next(action for action in init._actions if "--client" in action.option_strings)
    assert list(client.choices or []) == list(CLIENT_FILES)
