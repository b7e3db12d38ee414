"""Where a record came from, so rules in the pure core can name the file, row and column of a bad value without
doing any I/O themselves."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A file name and spreadsheet row (header = row 1); `row` is None for whole-file or YAML-path sources."""

    file: str
    row: int | None = None
    path: str | None = None  # e.g. "lots[0].criteria[Q1].weight" in a YAML model


@dataclass(frozen=True)
class Issue:
    """A rule broken by an input value. The io layer turns these into file/row/column errors."""

    message: str
    source: Source | None = None
    column: str | None = None


class RuleViolation(Exception):
    """Inputs break domain rules; nothing has been computed or saved."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(i.message for i in issues))
