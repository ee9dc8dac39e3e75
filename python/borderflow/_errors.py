"""The exception a wrong scenario or sweep raises."""

from __future__ import annotations

from typing import List, NamedTuple, Optional, Sequence, Tuple


class Problem(NamedTuple):
    """One thing wrong with a scenario, where the command line would point at it."""

    file: str
    """The file it is in (``"<string>"`` for a TOML string, ``"<dict>"`` for a dict)."""
    field: Optional[str]
    """Field path such as ``checkpoints[0].stages[1].lanes``; ``None`` for the file as a whole."""
    line: Optional[int]
    """1-based line in the TOML text, when known."""
    column: Optional[int]
    """1-based column (in characters), when known."""
    message: str
    """What is wrong, lowercase."""


class ScenarioError(ValueError):
    """A scenario or sweep is wrong: unreadable, not TOML, or a field missing, unknown or out of range.

    ``str(error)`` is the text ``borderflow validate`` prints: one ``error: file:line:column:
    field: message`` line per problem. ``file``, ``field``, ``line`` and ``column`` are those of
    the first problem; ``problems`` lists them all. For a dict the line and column refer to the
    TOML text the dict was written as; the field path names the key in the dict.
    """

    file: str
    field: Optional[str]
    line: Optional[int]
    column: Optional[int]
    problems: List[Problem]

    def __init__(
        self,
        message: str,
        problems: Sequence[Tuple[str, str, Optional[int], Optional[int], str]] = (),
    ) -> None:
        super().__init__(message)
        self.problems = [Problem(f, p or None, line, col, m) for (f, p, line, col, m) in problems]
        first = self.problems[0] if self.problems else Problem("", None, None, None, message)
        self.file = first.file
        self.field = first.field
        self.line = first.line
        self.column = first.column
