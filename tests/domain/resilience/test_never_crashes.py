"""Whatever the accounts hold (blanks, zeros, negatives), an assessment completes and every figure is a number or
missing: never an exception, never a silent zero for an unknown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.domain.resilience import MONEY_FIELDS, Accounts, ContractTier, Missing, assess_supplier, metric_values

_amount = st.one_of(
    st.none(),
    st.just(Decimal(0)),
    st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
)
_accounts = st.builds(
    lambda figures, year: Accounts(supplier="Any Ltd", year_end=dt.date(year, 3, 31), **figures),
    st.fixed_dictionaries({name: _amount for name in MONEY_FIELDS}),
    st.integers(2015, 2024),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_accounts, min_size=1, max_size=3, unique_by=lambda a: a.year_end),
       st.one_of(st.none(), st.decimals(min_value=-10, max_value=10**8, places=2, allow_nan=False)),
       st.sampled_from(list(ContractTier)))
def test_any_accounts_assess_without_error(history: list[Accounts], contract_value: Decimal | None,
                                           tier: ContractTier) -> None:
    for year in assess_supplier(history, tier, contract_value):
        for key, value in metric_values(year).items():
            assert isinstance(value, Decimal | Missing), key
        if year.accounts.revenue is None:
            assert isinstance(year.metric("operating_margin").value, Missing)
            assert isinstance(year.metric("turnover_ratio").value, Missing)
        assert all(r.text for r in year.reasons)
