"""Properties of the reg 39(5) rating rule that hold for any KPI."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from commonweal.domain.contracts.model import Direction, Kpi
from commonweal.domain.contracts.ratings import Rating, rate_value

ORDER = [Rating.GOOD, Rating.APPROACHING_TARGET, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE]
numbers = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(target=numbers, tolerance=numbers, extra=numbers, a=numbers, b=numbers,
       direction=st.sampled_from(list(Direction)))
def test_a_worse_figure_never_gets_a_better_rating(target: Decimal, tolerance: Decimal, extra: Decimal,
                                                   a: Decimal, b: Decimal, direction: Direction) -> None:
    kpi = Kpi("k", "K", target, direction, tolerance, tolerance + extra)
    better, worse = (max(a, b), min(a, b)) if direction is Direction.HIGHER_IS_BETTER else (min(a, b), max(a, b))
    assert ORDER.index(rate_value(kpi, better).rating) <= ORDER.index(rate_value(kpi, worse).rating)


@given(target=numbers, tolerance=numbers, extra=numbers, direction=st.sampled_from(list(Direction)))
def test_meeting_the_target_exactly_is_always_good(target: Decimal, tolerance: Decimal, extra: Decimal,
                                                   direction: Direction) -> None:
    kpi = Kpi("k", "K", target, direction, tolerance, tolerance + extra)
    assert rate_value(kpi, target).rating is Rating.GOOD
