"""A council's core values, and a tender's choice of measures from them.

Councils are urged to focus on a few core values rather than ask for everything in every contract. A council
names at most `limit` of them (Commonweal default 5, configurable), each mapped to outcomes and measures in its
library. A tender then selects measures only from those core values, and records for each why it relates to the
subject-matter of the contract and why asking for it is proportionate: Procurement Act 2023 s.23(2) requires a
contracting authority setting award criteria to be satisfied that they "(a) relate to the subject-matter of the
contract" and "(d) are a proportionate means of assessing tenders, having regard to the nature, complexity and
cost of the contract".
"""

from __future__ import annotations

from dataclasses import dataclass

from commonweal.domain.socialvalue.library import Library

# Commonweal default: the number of core values a council may name. Ours, not a statutory figure; configurable.
DEFAULT_CORE_VALUE_LIMIT = 5


@dataclass(frozen=True)
class CoreValue:
    id: str
    title: str
    outcomes: tuple[str, ...]
    measures: tuple[str, ...]


@dataclass(frozen=True)
class CoreValues:
    values: tuple[CoreValue, ...]
    limit: int = DEFAULT_CORE_VALUE_LIMIT

    def value(self, value_id: str) -> CoreValue | None:
        return next((v for v in self.values if v.id == value_id), None)


@dataclass(frozen=True)
class MeasureSelection:
    """One measure a tender asks bidders to commit to, with the s.23 reasons recorded."""

    measure_id: str
    core_value_id: str
    relevance: str
    proportionality: str


def check_core_values(core: CoreValues, library: Library) -> list[str]:
    """Problems with a council's core values: too many, duplicated, or mapped to measures the library lacks or
    to measures outside the value's own outcomes."""
    problems: list[str] = []
    if len(core.values) > core.limit:
        problems.append(
            f"{len(core.values)} core values are defined; at most {core.limit} are allowed "
            "(Commonweal default 5; focus on a few core values)"
        )
    seen: set[str] = set()
    for value in core.values:
        if value.id in seen:
            problems.append(f"core value {value.id!r} is defined twice")
        seen.add(value.id)
        if not value.measures:
            problems.append(f"core value {value.id!r} maps to no measures")
        for measure_id in value.measures:
            if measure_id not in library:
                problems.append(f"core value {value.id!r} maps to measure {measure_id!r}, not in the library")
            elif value.outcomes and library.measure(measure_id).outcome not in value.outcomes:
                problems.append(
                    f"core value {value.id!r} maps to measure {measure_id!r}, whose outcome "
                    f"{library.measure(measure_id).outcome!r} is not one of the value's outcomes"
                )
    return problems


def check_selection(selections: tuple[MeasureSelection, ...], core: CoreValues) -> list[str]:
    """Problems with a tender's measures: each must come from one of the council's core values and carry a
    relevance and a proportionality reason (Procurement Act 2023 s.23(2)(a) and (d))."""
    problems: list[str] = []
    for selection in selections:
        value = core.value(selection.core_value_id)
        if value is None:
            problems.append(
                f"measure {selection.measure_id!r} is selected under {selection.core_value_id!r}, "
                "which is not one of the council's core values"
            )
        elif selection.measure_id not in value.measures:
            problems.append(
                f"measure {selection.measure_id!r} is not mapped to core value {value.id!r}; "
                "a tender selects measures only from the council's core values"
            )
        if not selection.relevance.strip():
            problems.append(
                f"measure {selection.measure_id!r} has no relevance reason: award criteria must relate to the "
                "subject-matter of the contract (Procurement Act 2023 s.23(2)(a))"
            )
        if not selection.proportionality.strip():
            problems.append(
                f"measure {selection.measure_id!r} has no proportionality reason: award criteria must be a "
                "proportionate means of assessing tenders (Procurement Act 2023 s.23(2)(d))"
            )
    return problems
