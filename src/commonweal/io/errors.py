"""Bad input is reported with the file, row, column and what was expected, all problems at once.

Readers collect every problem in a file before raising, so a commissioner fixes a spreadsheet in one pass, and
raise before anything is written or saved, so nothing partial survives a bad file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

# Commonweal default: problems listed for one input (COMMONWEAL_INPUT_MAX_PROBLEMS; see docs/input-limits.md).
DEFAULT_PROBLEM_LIMIT = 100


def _problem_limit() -> int:
    text = os.environ.get("COMMONWEAL_INPUT_MAX_PROBLEMS", "")
    return int(text) if text.isdigit() and int(text) > 0 else DEFAULT_PROBLEM_LIMIT


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. `row` is the spreadsheet row number (the header is row 1)."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


class InputError(Exception):
    """One or more problems with input files; nothing has been saved or written."""

    def __init__(self, problems: Iterable[Problem], limit: int | None = None):
        found = list(problems)
        if not found:
            raise ValueError("InputError needs at least one problem")
        limit = limit if limit is not None else _problem_limit()
        # a small hostile file can hold 200,000 bad cells: report the first `limit` and count the rest, so the
        # error (and the page or report showing it) stays small
        self.total = len(found)
        self.problems = found[:limit]
        if self.total > limit:
            self.problems.append(Problem(found[0].file, f"... and at least {self.total - limit:,} more problems (only "
                                                        f"the first {limit} are listed)"))
        super().__init__(self.summary())

    def summary(self, limit: int = 50) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)


class ProblemCollector:
    """Gathers problems while a reader walks a file; `raise_if_any` ends the read with all of them.

    Past the problem limit (Commonweal default 100) it ends the read at once: a small hostile file with millions
    of bad cells then costs no more than one with a hundred."""

    def __init__(self, limit: int | None = None) -> None:
        self.problems: list[Problem] = []
        self.limit = limit if limit is not None else _problem_limit()

    def add(self, file: str, message: str, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(file=file, message=message, row=row, column=column))
        self._stop_if_too_many()

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)
        self._stop_if_too_many()

    def _stop_if_too_many(self) -> None:
        if len(self.problems) > self.limit:
            raise InputError(self.problems, self.limit)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems, self.limit)
