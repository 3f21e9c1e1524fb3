"""``portfolio --help``: every command and option says what it does; exit codes; --version."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from portfolio.entrypoints.cli import EXIT_CODES, main

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")


def _commands(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands(main))


def test_the_tree_holds_every_command() -> None:
    assert {" ".join(path) for path in COMMANDS} >= {
        "serve",
        "db migrate",
        "users create",
        "tokens list",
        "demo load",
        "media copy-storage",
    }


@pytest.mark.parametrize("path", list(COMMANDS), ids=lambda path: " ".join(path) or "portfolio")
def test_every_command_option_and_argument_is_explained(path: tuple[str, ...]) -> None:
    command = COMMANDS[path]
    context = click.Context(command, info_name=" ".join(("portfolio", *path)))
    assert (command.help or "").strip(), f"{path}: the command has no help text"
    for parameter in command.get_params(context):
        if isinstance(parameter, click.Option):
            assert (parameter.help or "").strip(), f"{path}: {parameter.opts} has no help text"
        else:
            # Arguments take no help of their own: the command's text must name them.
            name = parameter.human_readable_name
            assert name in (command.help or ""), f"{path}: the help never mentions {name}"

    shown = CliRunner().invoke(main, [*path, "--help"])

    assert shown.exit_code == 0, shown.output
    for parameter in command.get_params(context):
        if isinstance(parameter, click.Option):
            assert parameter.opts[0] in shown.output


def test_the_top_help_ends_with_the_exit_codes() -> None:
    shown = CliRunner().invoke(main, ["--help"]).output
    table = shown[shown.index("Exit codes:") :].splitlines()[1:]
    assert [line.split(maxsplit=1) for line in table if line.strip()] == [
        [str(code), meaning] for code, meaning in EXIT_CODES
    ]


def _printed(*command: str) -> str:
    """What ``command`` prints on stdout (it must succeed)."""
    return subprocess.run(
        list(command), capture_output=True, text=True, check=True, timeout=60
    ).stdout


def test_version_and_python_dash_m_name_the_command_portfolio() -> None:
    version = _printed(PORTFOLIO, "--version")
    assert version.startswith("portfolio ")
    assert _printed(sys.executable, "-m", "portfolio", "--version") == version
    usage = _printed(sys.executable, "-m", "portfolio", "--help")
    assert usage.startswith("Usage: portfolio [OPTIONS] COMMAND")


def test_a_prompt_left_without_input_ends_with_130_and_one_line() -> None:
    result = subprocess.run(
        [PORTFOLIO, "users", "set-password", "alice"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 130
    assert result.stderr.strip().splitlines()[-1] == "interrupted"
    assert "Aborted" not in result.stderr
