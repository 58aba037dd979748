"""Errors a user can act on: which file, which row (or YAML path), which column, what was found,
what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in one input.

    ``where`` is a row ("row 5", counting the header as row 1, as a spreadsheet shows it) or a
    YAML path ("targets[3] (ECO-3).comparator"); ``column`` is empty when the problem concerns
    the whole file or row.
    """

    file: str
    where: str
    column: str
    found: str
    expected: str
    hint: str = ""

    def __str__(self) -> str:
        parts = [self.file]
        if self.where:
            parts.append(self.where)
        if self.column:
            parts.append(f"column '{self.column}'")
        text = ", ".join(parts) + f": found {self.found}; expected {self.expected}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class DxError(Exception):
    """Base of every error dxlib raises on purpose; the CLI prints it without a traceback."""


class DataValidationError(DxError):
    """One or more problems in input files. ``problems`` lists them all, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        super().__init__("\n".join([head, *(f"- {p}" for p in self.problems)]))


class ParameterError(DxError):
    """A notebook parameter, parameter file, manifest entry or CLI argument is not acceptable."""


def display_path(path: str | Path) -> str:
    """A path as it should appear in messages: relative to the project root when inside it."""
    from dxlib.paths import ROOT

    p = Path(path)
    try:
        return str(p.resolve().relative_to(ROOT.resolve()))
    except (ValueError, OSError, RuntimeError):  # outside the root; a symbolic link loop
        return str(p)
