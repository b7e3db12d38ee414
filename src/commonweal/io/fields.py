"""Typed reads of one mapping from a structured file (a YAML or JSON document loaded by `commonweal.io.structured`):
the one field reader behind tender.yaml, contract.yaml and the social value files.

Each read states what the key must hold (`text`, `decimal` with its range, `whole` with its range, `date`, `flag`,
`choice`, `items`) and returns the value, or records a problem naming the file, the line (where the document kept
it), the key path and what was expected, and returns None. A reader reads every field before stopping, so a person
sees all their mistakes at once; `failed` says whether any read of this mapping failed. Numbers go through the one
strict parser (`exact_number`): YAML numbers arrive exact (never binary floats), text numbers are plain ASCII
decimals, a decimal comma is refused, and `nan`, `inf` and absurd magnitudes never pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from commonweal.io.errors import InputError, ProblemCollector
from commonweal.io.structured import exact_number, load_yaml
from commonweal.io.tabular import parse_iso_date, parse_money

E = TypeVar("E", bound=StrEnum)

# Commonweal default: the largest whole-number setting any file holds (months, counts, years, positions)
MAX_WHOLE = 10_000


def parse_fraction(text: str) -> Decimal | None:
    """A share from 0 to 1 written as `0.2` or `20%`; None for anything else."""
    text = text.strip()
    value = exact_number(text.removesuffix("%"))
    if value is not None and text.endswith("%"):
        value /= 100
    return value if value is not None and 0 <= value <= 1 else None


class Fields:
    """Reads from `data` (one mapping of a document) at `where` (its key path, `''` for the top level)."""

    def __init__(self, data: dict[str, Any], file: str, where: str, problems: ProblemCollector,
                 lines: Mapping[str, int] | None = None):
        self.data, self.file, self.where, self.problems = data, file, where, problems
        self.lines = lines or {}
        self.failed = False

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def problem(self, key: str, message: str) -> None:
        """A problem with `key` (or with the mapping itself when `key` is ''), at the line the document gives."""
        self.failed = True
        path = self.path(key) if key else self.where
        line = self.lines.get(path) or self.lines.get(self.where)
        self.problems.add(self.file, message, row=line, column=path or None)

    def expected(self, key: str, what: str) -> None:
        found = self.data.get(key)
        # a YAML number arrives as a Decimal: shown as written (`150`), not as Python's repr
        shown = "nothing" if found is None else found if isinstance(found, Decimal) else repr(found)
        self.problem(key, f"expected {what}, found {shown}")

    def only(self, allowed: Mapping[str, object] | set[str] | frozenset[str]) -> None:
        """Refuse keys this mapping does not hold: an unknown key is usually a typo, never silently ignored."""
        for key in self.data:
            if key not in allowed:
                self.problem(str(key), f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key)
        if isinstance(value, (dict, list)):  # never read a structure as its Python repr
            self.expected(key, "some text")
            return None
        if value is None or str(value).strip() == "":
            if required:
                self.problem(key, "is required: expected some text")
            return None
        return str(value).strip()

    def decimal(self, key: str, required: bool = True, minimum: Decimal | None = None,
                maximum: Decimal | None = None, money: bool = False) -> Decimal | None:
        """A number: a YAML number (read exactly), or text such as `2.5` or `1,250` (commas only grouping
        thousands); with `money`, text may also carry `£` but no more than pence (`£4,800,000.50`)."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, "is required: expected " + ("an amount in pounds" if money else "a number"))
            return None
        number: Decimal | None = None
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, str):
            number = parse_money(value) if money else exact_number(value, thousands=True)
        if number is None or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            what = "an amount in pounds and pence" if money else "a number"
            if minimum is not None and maximum is not None:
                what += f" from {minimum} to {maximum}"
            elif minimum is not None:
                what += f" of at least {minimum}"
            elif maximum is not None:
                what += f" of at most {maximum}"
            self.expected(key, what)
            return None
        return number

    def fraction(self, key: str, required: bool = True) -> Decimal | None:
        """A share from 0 to 1 (`0.2`, or `20%` as text), such as an SROI deadweight or a policy share."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, "is required: expected a fraction from 0 to 1 (or a percentage such as 20%)")
            return None
        parsed = None if isinstance(value, (bool, dict, list)) else parse_fraction(str(value))
        if parsed is None:
            self.expected(key, "a fraction from 0 to 1 (or a percentage such as 20%)")
        return parsed

    def whole(self, key: str, minimum: int, maximum: int = MAX_WHOLE, required: bool = True) -> int | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.expected(key, f"a whole number from {minimum} to {maximum:,}")
            return None
        return value

    def date(self, key: str, required: bool = True) -> dt.date | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        parsed = parse_iso_date(value) if isinstance(value, str) else None
        if parsed is None:
            self.expected(key, "a date as YYYY-MM-DD")
        return parsed

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.expected(key, "true or false")
            return default
        return value

    def choice(self, key: str, enum: type[E], required: bool = True, allowed: tuple[E, ...] = ()) -> E | None:
        """One of `enum`'s values, or only those in `allowed` when given."""
        value = self.data.get(key)
        if value is None and not required:
            return None
        options = allowed or tuple(enum)
        try:
            chosen: E | None = enum(str(value).strip().lower())
        except ValueError:
            chosen = None
        if chosen not in options:
            self.expected(key, "one of " + ", ".join(e.value for e in options))
            return None
        return chosen

    def items(self, key: str, required: bool = False) -> list[dict[str, Any]]:
        """A list of mappings (`kpis:`, `outcomes:`); an absent key is an empty list unless `required`."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, "is required: expected a list")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.expected(key, "a list of mappings")
            return []
        return value

    def ids(self, key: str) -> tuple[str, ...]:
        """A list of identifiers (`measures: [M1, M2]`); absent is none."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or any(isinstance(v, (list, dict, bool)) or v is None for v in value):
            self.expected(key, "a list of ids")
            return ()
        return tuple(str(v).strip() for v in value)

    def section(self, key: str, required: bool = False) -> Fields:
        """The reader for a nested mapping that may be absent or empty (`params:`); any other value, a falsy one
        included (`sensitivity: 0`), is a problem, never read as an empty section (which would mean the defaults)."""
        value = self.data.get(key)
        if value is None and required:
            self.problem(key, "is required: expected a mapping of keys to values")
        elif value is not None and not isinstance(value, dict):
            self.expected(key, "a mapping of keys to values")
        return self.at(key)

    def at(self, key: str, index: int | None = None) -> Fields:
        """The reader for a nested mapping (`policy`, or `kpis[2]` with `index`), sharing this one's problems."""
        nested = self.data.get(key) if index is None else self.data[key][index]
        where = self.path(key) + (f"[{index}]" if index is not None else "")
        return Fields(nested if isinstance(nested, dict) else {}, self.file, where, self.problems, self.lines)


def yaml_fields(label: str, content: bytes, problems: ProblemCollector, what: str) -> Fields | None:
    """The top-level reader of a YAML document that must be a mapping (of `what`); None, with its problems
    recorded, when it cannot be read or is not a mapping."""
    try:
        document = load_yaml(label, content)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    if not isinstance(document.data, dict):
        problems.add(label, f"expected a mapping of {what} at the top level")
        return None
    return Fields(document.data, label, "", problems, document.lines)
