"""The one exception family underlay raises for problems a user can fix.

Every command maps :class:`UnderlayError` to a one-line message and its ``exit_code`` in one place
(``bootstrap.cli``); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["ConfigError", "Location", "UnderlayError"]


class UnderlayError(Exception):
    """A problem in the user's input or surroundings, reported without a traceback."""

    exit_code: int = 2


@dataclass(frozen=True)
class Location:
    """Where a value came from: a file, a 1-based line, and the key path inside the document."""

    file: Path | None
    line: int | None
    key_path: str

    def __str__(self) -> str:
        where = str(self.file) if self.file else "<config>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.key_path}" if self.key_path else where


class ConfigError(UnderlayError):
    """An environment file is malformed, mistyped or inconsistent."""

    def __init__(self, location: Location, problem: str) -> None:
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}")
