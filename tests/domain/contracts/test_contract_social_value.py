import datetime as dt
from decimal import Decimal as D

from commonweal.domain.contracts.model import Return, SocialValueCommitment, SocialValueDelivery, Verification
from commonweal.domain.contracts.ratings import Rating
from commonweal.domain.contracts.social_value import assess_social_value, share_of_year_elapsed

from .builders import make_contract, month

JOBS = SocialValueCommitment.bid_priced("local_jobs", D(12), 1, D(96000), "people")  # £8,000 a job as bid


def delivery(period_month: int, quantity: str, verification: Verification) -> Return:
    return Return(month(2025, period_month),
                  deliveries=(SocialValueDelivery("local_jobs", D(quantity), "payroll", verification),))


def test_linear_profile_counts_whole_months_completed() -> None:
    contract = make_contract(start=dt.date(2025, 1, 1))
    assert share_of_year_elapsed(contract, 1, dt.date(2025, 6, 30)) == D(6) / 12  # January to June complete
    assert share_of_year_elapsed(contract, 1, dt.date(2025, 6, 29)) == D(5) / 12  # June not yet over
    assert share_of_year_elapsed(contract, 1, dt.date(2026, 3, 1)) == 1  # year 1 is over: capped at the year
    assert share_of_year_elapsed(contract, 2, dt.date(2025, 6, 30)) == 0  # year 2 has not started


def test_only_verified_delivery_counts_against_the_profile() -> None:
    contract = make_contract(start=dt.date(2025, 1, 1), commitments=(JOBS,))
    returns = [delivery(2, "3", Verification.VERIFIED), delivery(4, "1", Verification.VERIFIED),
               delivery(5, "2", Verification.UNVERIFIED), delivery(6, "5", Verification.REJECTED)]
    assessment = assess_social_value(contract, returns, dt.date(2025, 6, 30))
    # due by end of June: 12 x 6/12 = 6 jobs = £48,000; verified 3 + 1 = 4 jobs = £32,000; 4/6 = 66.7%
    [jobs] = assessment.commitments
    assert (jobs.due_to_date, jobs.delivered, jobs.unverified, jobs.rejected) == (D(6), D(4), D(2), D(5))
    assert (jobs.value_due, jobs.value_delivered) == (D("48000.00"), D("32000.00"))
    assert jobs.rating is Rating.REQUIRES_IMPROVEMENT  # 66.7% is between the 50% and 90% defaults
    assert assessment.committed == D(96000)
    assert assessment.delivered_share == D(32000) / D(48000)
    assert "2 people awaiting verification" in jobs.reason


def test_delivery_counts_only_in_its_own_contract_year() -> None:
    contract = make_contract(start=dt.date(2025, 1, 1), commitments=(JOBS,))
    # delivery reported in January 2026 belongs to contract year 2, not to the year 1 commitment
    late = Return(month(2026, 1), deliveries=(SocialValueDelivery("local_jobs", D(12), "payroll",
                                                                  Verification.VERIFIED),))
    [jobs] = assess_social_value(contract, [late], dt.date(2026, 1, 31)).commitments
    assert jobs.delivered == 0
    assert jobs.rating is Rating.INADEQUATE  # 0 of 12 due


def test_nothing_due_yet_is_other() -> None:
    year_two = SocialValueCommitment.bid_priced("local_jobs", D(12), 2, D(96000))
    assessment = assess_social_value(make_contract(commitments=(year_two,)), [], dt.date(2025, 6, 30))
    assert assessment.status is Rating.OTHER
    assert assessment.delivered_share is None
