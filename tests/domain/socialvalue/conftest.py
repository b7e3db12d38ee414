"""A small measures library built in code, so domain tests do not depend on the shipped data file."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from commonweal.domain.socialvalue.library import Library, Licence, Measure

OPEN = Licence.from_text("Crown copyright; OGL")


def make_measure(measure_id: str, theme: str, outcome: str, unit: str, proxy: str | None, **extra: object) -> Measure:
    return Measure(id=measure_id, theme=theme, outcome=outcome, name=f"{measure_id} measure", unit=unit,
                   source_title="a cited source", licence=extra.pop("licence", OPEN),  # type: ignore[arg-type]
                   proxy=None if proxy is None else D(proxy), price_year="2022", **extra)  # type: ignore[arg-type]


@pytest.fixture
def library() -> Library:
    return Library(
        name="test library",
        version="1",
        measures=(
            make_measure("JOB", "Jobs", "More people in work", "person_year", "9800"),
            make_measure("JOB-ECON", "Jobs", "More people in work", "person_year", "4335", overlaps=("JOB",)),
            make_measure("VOL", "Communities", "More volunteering", "hour", "18.64"),
            make_measure("CARE", "Care", "Care delivered", "hour", "25.00"),
            make_measure("TRAIN", "Skills", "Training", "week", None),
        ),
    )
