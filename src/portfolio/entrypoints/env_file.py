"""Settings from a ``.env`` file, for the variables the real environment does not set.

The ``portfolio`` command reads ``.env`` from the current directory (or the file
``PORTFOLIO_ENV_FILE`` names) once, before anything reads the settings, and puts what it finds
into its own environment, which the server's worker processes inherit. A variable already in
the environment keeps its value. The format is the part Docker Compose's ``env_file`` and
python-dotenv agree on:

- ``NAME=value``, optionally after ``export``; blank lines and ``#`` comments are skipped;
- a value unquoted (trimmed; `` #`` after white space starts a comment), in single quotes
  (taken as written), or in double quotes (``\\"``, ``\\\\``, ``\\n`` and ``\\t`` escaped);
- no ``${...}`` expansion and no value spanning lines: such a file is refused, never guessed at.

Errors name the file and the line, never a value: a value may be a password.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from pathlib import Path

DEFAULT_FILE = ".env"
FILE_VARIABLE = "PORTFOLIO_ENV_FILE"

_ASSIGNMENT = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class EnvFileError(ValueError):
    """The file cannot be read, or a line of it is not ``NAME=value``."""


def parse(text: str, source: str = DEFAULT_FILE) -> dict[str, str]:
    """The variables ``text`` assigns, in order; a name assigned twice keeps its last value."""
    found: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        matched = _ASSIGNMENT.match(line)
        if matched is None:
            raise EnvFileError(f"{source}, line {number}: expected NAME=value")
        name, rest = matched.groups()
        try:
            found[name] = _value(rest)
        except ValueError as error:
            raise EnvFileError(f"{source}, line {number} ({name}): {error}") from None
    return found


def _value(rest: str) -> str:
    if rest.startswith("'"):
        end = rest.find("'", 1)
        if end < 0:
            raise ValueError("a single quote is not closed on its line")
        _only_comment_after(rest[end + 1 :])
        return rest[1:end]
    if rest.startswith('"'):
        return _double_quoted(rest)
    value = re.split(r"\s#", rest, maxsplit=1)[0].strip()
    if "${" in value or '"' in value or "'" in value:
        raise ValueError("quote a value holding quotes, and write no ${...}: nothing is expanded")
    return value


def _double_quoted(rest: str) -> str:
    out: list[str] = []
    index = 1
    while index < len(rest):
        char = rest[index]
        if char == '"':
            _only_comment_after(rest[index + 1 :])
            value = "".join(out)
            if "${" in value:
                raise ValueError("${...} is not expanded; write the value itself")
            return value
        if char == "\\" and index + 1 < len(rest):
            escaped = rest[index + 1]
            out.append(_ESCAPES.get(escaped, "\\" + escaped))
            index += 2
            continue
        out.append(char)
        index += 1
    raise ValueError("a double quote is not closed on its line")


def _only_comment_after(tail: str) -> None:
    tail = tail.strip()
    if tail and not tail.startswith("#"):
        raise ValueError("text follows the closing quote")


def load_env_file(environ: MutableMapping[str, str] | None = None) -> tuple[Path, list[str]] | None:
    """Read ``PORTFOLIO_ENV_FILE`` (or ``.env`` in the current directory, when present) into
    ``environ`` (the process environment by default), leaving every variable already there as
    it is. Return the file and the names it added, or None when there is no file to read."""
    environ = os.environ if environ is None else environ
    named = environ.get(FILE_VARIABLE)
    path = Path(named) if named else Path(DEFAULT_FILE)
    if not named and not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise EnvFileError(f"cannot read {path}: {reason}") from None
    added = []
    for name, value in parse(text, str(path)).items():
        if name not in environ:
            environ[name] = value
            added.append(name)
    return path, added
