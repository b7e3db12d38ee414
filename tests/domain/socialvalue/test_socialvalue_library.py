"""Library versioning, licence marking, re-basing and core values."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from commonweal.domain.socialvalue.core_values import (
    CoreValue,
    CoreValues,
    MeasureSelection,
    check_core_values,
    check_selection,
)
from commonweal.domain.socialvalue.library import Library, Licence, licence_markings
from commonweal.domain.socialvalue.rebase import DeflatorSeries, rebase

SERIES = DeflatorSeries("GDP deflator", "calendar year, 2024 = 100", "HM Treasury", "OGL",
                        ((("2022", D("90.5005")), ("2024", D(100)))))


def test_a_pin_matches_only_the_same_values(library: Library) -> None:
    pin = library.pin()
    assert library.matches(pin)
    changed = Library(library.name, library.version,
                      (replace(library.measures[0], proxy=D("9801")), *library.measures[1:]))
    assert changed.version == pin.version
    assert not changed.matches(pin)
    assert changed.content_hash != pin.content_hash


def test_non_commercial_no_derivatives_licences_are_marked() -> None:
    toms = Licence.from_text("CC BY-NC-ND 4.0 (Social Value Portal)")
    assert toms.non_commercial and toms.no_derivatives
    assert "NON-COMMERCIAL" in toms.marking and "NO DERIVATIVES" in toms.marking
    ogl = Licence.from_text("Open Government Licence v3.0")
    assert not ogl.restricted and ogl.marking == ""
    explicit = Licence.from_text("Council licence agreement 2025", non_commercial=True)
    assert explicit.marking == "NON-COMMERCIAL USE ONLY"


def test_markings_collect_each_restricted_licence_once(library: Library) -> None:
    toms = Licence.from_text("CC BY-NC-ND 4.0")
    measures = [replace(m, licence=toms) for m in library.measures[:2]] + [library.measures[2]]
    assert len(licence_markings(measures)) == 1
    assert licence_markings(library.measures) == ()


def test_themes_form_a_theme_outcome_measure_tree(library: Library) -> None:
    tree = library.themes()
    assert [m.id for m in tree["Jobs"]["More people in work"]] == ["JOB", "JOB-ECON"]
    assert list(tree) == ["Jobs", "Communities", "Care", "Skills"]


def test_rebasing_uses_the_deflator_ratio() -> None:
    # 268.97 × 100 / 90.5005 = 297.2027 → £297.20
    assert rebase(D("268.97"), "2022", "2024", SERIES).value == D("297.20")
    assert rebase(D("268.97"), "2022", "2022", SERIES).value == D("268.97")


def test_rebasing_without_a_matching_year_is_record_only_with_a_reason() -> None:
    financial = rebase(D("9800"), "2012/13", "2024", SERIES)
    assert financial.value is None and "2012/13 not in the GDP deflator" in financial.reason
    unstated = rebase(D("245"), None, "2024", SERIES)
    assert unstated.value is None and "no price base" in unstated.reason


def test_core_values_are_limited_and_mapped(library: Library) -> None:
    jobs = CoreValue("jobs", "Good local jobs", ("More people in work",), ("JOB",))
    assert check_core_values(CoreValues((jobs,)), library) == []
    too_many = CoreValues(tuple(replace(jobs, id=f"v{i}") for i in range(6)))
    assert any("at most 5" in p for p in check_core_values(too_many, library))
    assert check_core_values(CoreValues(tuple(replace(jobs, id=f"v{i}") for i in range(6)), limit=6), library) == []
    wrong = CoreValue("jobs", "Good local jobs", ("More people in work",), ("VOL", "NOPE"))
    problems = check_core_values(CoreValues((wrong,)), library)
    assert any("'NOPE', not in the library" in p for p in problems)
    assert any("'VOL', whose outcome 'More volunteering'" in p for p in problems)


def test_a_tender_selects_only_from_core_values_with_section_23_reasons() -> None:
    core = CoreValues((CoreValue("jobs", "Good local jobs", (), ("JOB",)),))
    good = MeasureSelection("JOB", "jobs", "Care workers are recruited locally", "Two hires a year on a £2m contract")
    assert check_selection((good,), core) == []
    outside = MeasureSelection("VOL", "jobs", "r", "p")
    assert any("not mapped to core value 'jobs'" in p for p in check_selection((outside,), core))
    unknown = MeasureSelection("JOB", "green", "r", "p")
    assert any("not one of the council's core values" in p for p in check_selection((unknown,), core))
    bare = MeasureSelection("JOB", "jobs", " ", "")
    problems = check_selection((bare,), core)
    assert any("s.23(2)(a)" in p for p in problems) and any("s.23(2)(d)" in p for p in problems)
