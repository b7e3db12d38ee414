import datetime as dt
from decimal import Decimal as D

import pytest

from commonweal.domain.contracts.model import Direction, Kpi
from commonweal.domain.contracts.ratings import Rating, assess_kpi, combine, rate_periods, rate_value, s52_warning

from .builders import kpi_return, make_contract, missed_kpi, month, on_time_kpi


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("95", Rating.GOOD),  # met exactly
        ("99.5", Rating.GOOD),  # exceeded
        ("93.5", Rating.APPROACHING_TARGET),  # 95 - 93.5 = 1.5 short, within the 2-point tolerance
        ("93", Rating.APPROACHING_TARGET),  # 2 short: the tolerance is inclusive
        ("92.9", Rating.REQUIRES_IMPROVEMENT),  # 2.1 short: beyond tolerance, within 5
        ("90", Rating.REQUIRES_IMPROVEMENT),  # 5 short: the inadequate line is inclusive
        ("89.9", Rating.INADEQUATE),  # 5.1 short: significantly below
    ],
)
def test_higher_is_better_kpi_is_rated_in_reg_39_categories(actual: str, expected: Rating) -> None:
    assert rate_value(on_time_kpi(), D(actual)).rating is expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("4", Rating.GOOD),
        ("8", Rating.APPROACHING_TARGET),  # 8 - 5 = 3 over, within the tolerance of 3
        ("9", Rating.REQUIRES_IMPROVEMENT),  # 4 over
        ("15", Rating.REQUIRES_IMPROVEMENT),  # 10 over, at the inadequate line
        ("16", Rating.INADEQUATE),  # 11 over
    ],
)
def test_lower_is_better_kpi_counts_a_shortfall_above_target(actual: str, expected: Rating) -> None:
    assert rate_value(missed_kpi(), D(actual)).rating is expected


def test_rating_descriptions_are_the_regulation_wording() -> None:
    assert Rating.INADEQUATE.description == "Performance is significantly below the key performance indicators"
    assert Rating.APPROACHING_TARGET.value == "approaching target"


def test_combine_takes_the_weakest_rating_and_ignores_other() -> None:
    assert combine([Rating.GOOD, Rating.APPROACHING_TARGET, Rating.OTHER]) is Rating.APPROACHING_TARGET
    assert combine([Rating.GOOD, Rating.INADEQUATE, Rating.REQUIRES_IMPROVEMENT]) is Rating.INADEQUATE
    assert combine([Rating.OTHER]) is Rating.OTHER
    assert combine([]) is Rating.OTHER


def test_kpi_over_the_window_is_rated_on_its_mean() -> None:
    # 96, 92 and 94: mean (96 + 92 + 94) / 3 = 94, one point short of 95: approaching target,
    # although 92 on its own would be "requires improvement"
    returns = [kpi_return(month(2025, m), on_time=v) for m, v in ((1, "96"), (2, "92"), (3, "94"))]
    assessment = assess_kpi(on_time_kpi(), returns)
    assert assessment.window_average == D(94)
    assert assessment.rating is Rating.APPROACHING_TARGET
    assert [h.rating for h in assessment.history] == [
        Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.APPROACHING_TARGET]


def test_kpi_without_figures_is_other() -> None:
    assessment = assess_kpi(on_time_kpi(), [kpi_return(month(2025, 1), missed="3")])
    assert assessment.rating is Rating.OTHER
    assert assessment.history[0].reason == "no figure in this return"


def test_period_rating_is_the_weakest_kpi_in_that_return() -> None:
    # January: on time 96 (good), missed 9 (4 over: requires improvement) -> requires improvement
    # February: on time 94 (approaching), missed 2 (good) -> approaching target
    periods = rate_periods(make_contract(), [kpi_return(month(2025, 2), on_time="94", missed="2"),
                                             kpi_return(month(2025, 1), on_time="96", missed="9")])
    assert [(p.period.label, p.rating) for p in periods] == [
        ("2025-01", Rating.REQUIRES_IMPROVEMENT), ("2025-02", Rating.APPROACHING_TARGET)]
    assert periods[0].reasons[0].startswith("missed: requires improvement")


def test_s52_warns_only_above_five_million_with_fewer_than_three_kpis() -> None:
    assert s52_warning(make_contract(value=D("5000000"))) is None  # "more than £5 million": exactly £5m is not
    warning = s52_warning(make_contract(value=D("5000000.01")))
    assert warning is not None
    assert "s.52(1)" in warning
    assert "it has 2" in warning
    assert s52_warning(make_contract(value=D(9_000_000), light_touch=True)) is None
    assert s52_warning(make_contract(value=D(9_000_000), kpi_exemption_reason="one-off delivery")) is None
    three = (*make_contract().kpis, Kpi("third", "Third", D(1), Direction.HIGHER_IS_BETTER, D(0), D(0)))
    assert s52_warning(make_contract(value=D(9_000_000), kpis=three)) is None


def test_window_excludes_returns_outside_twelve_months() -> None:
    from commonweal.domain.contracts.review import review_contract

    # as at 2026-01-31 the window is 2025-02-01 to 2026-01-31: January 2025 (on time 80) is outside it
    returns = [kpi_return(month(2025, 1), on_time="80"), kpi_return(month(2025, 6), on_time="96")]
    review = review_contract(make_contract(), returns, [], dt.date(2026, 1, 31))
    assert review.window_start == dt.date(2025, 2, 1)
    on_time = review.kpis[0]
    assert on_time.window_average == D(96)
    assert on_time.rating is Rating.GOOD


def test_month_arithmetic_clamps_to_month_end() -> None:
    from commonweal.domain.contracts.model import Frequency, add_months, months_between, period_starting

    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)  # leap year
    assert add_months(dt.date(2025, 11, 1), 3) == dt.date(2026, 2, 1)
    assert add_months(dt.date(2025, 3, 1), -12) == dt.date(2024, 3, 1)
    assert period_starting(dt.date(2025, 11, 1), Frequency.QUARTERLY).end == dt.date(2026, 1, 31)
    assert months_between(dt.date(2025, 1, 1), dt.date(2028, 1, 1)) == 36
    assert months_between(dt.date(2025, 1, 15), dt.date(2025, 3, 14)) == 1  # not yet two whole months
