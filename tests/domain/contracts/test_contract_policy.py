"""A contract's own review thresholds: kept as the settings that differ from the Commonweal defaults, read back to
the same policies, and each labelled in the review as the contract's own or the default."""

import datetime as dt
from decimal import Decimal as D

from commonweal.domain.contracts.review import (
    DEFAULT_WINDOW_MONTHS,
    policies_from,
    policy_overrides,
    policy_settings,
    review_contract,
)
from commonweal.domain.contracts.social_value import SocialValuePolicy
from commonweal.domain.contracts.triggers import TriggerPolicy

from .builders import make_contract


def test_only_what_differs_from_the_defaults_is_kept_and_reads_back_exactly() -> None:
    triggers = TriggerPolicy(consecutive_misses=2, volume_deviation_share=D("0.150"))
    social_value = SocialValuePolicy(inadequate_below_share=D("0.4"))
    kept = policy_overrides(triggers, social_value, 6)
    assert kept == {"window_months": "6", "consecutive_misses": "2", "volume_deviation_share": "0.150",
                    "inadequate_below_share": "0.4"}
    assert policies_from(kept) == (triggers, social_value, 6)
    assert policy_overrides(TriggerPolicy(), SocialValuePolicy(), DEFAULT_WINDOW_MONTHS) == {}
    assert policies_from({}) == (TriggerPolicy(), SocialValuePolicy(), DEFAULT_WINDOW_MONTHS)


def test_the_review_labels_each_threshold_as_the_contracts_own_or_the_default() -> None:
    review = review_contract(make_contract(), [], [], dt.date(2026, 6, 30),
                             triggers=TriggerPolicy(consecutive_misses=2), window_months=6)
    settings = {s.name: s for s in policy_settings(review)}
    assert {name for name, s in settings.items() if s.own} == {"consecutive_misses", "window_months"}
    assert (settings["consecutive_misses"].value, settings["consecutive_misses"].default) == ("2", "3")
    assert not settings["social_value_share"].own and settings["social_value_share"].value == "0.8"
