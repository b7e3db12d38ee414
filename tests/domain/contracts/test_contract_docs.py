"""docs/contracts.md states every Commonweal default; these tests keep it in step with the code."""

import dataclasses
import re
from pathlib import Path

from commonweal.domain.contracts.review import OPTIONS, RECOMMENDATIONS
from commonweal.domain.contracts.social_value import SocialValuePolicy
from commonweal.domain.contracts.triggers import TriggerPolicy

DOC = (Path(__file__).resolve().parents[3] / "docs" / "contracts.md").read_text(encoding="utf-8")


def test_every_trigger_default_is_documented_with_its_value() -> None:
    for spec in dataclasses.fields(TriggerPolicy):
        default = getattr(TriggerPolicy(), spec.name)
        # each appears in the table as "<value> (`<key>`)" or "N = <value> (`<key>`)"
        assert re.search(rf"(= )?{re.escape(str(default))} \(`{spec.name}`\)", DOC), spec.name


def test_social_value_defaults_are_documented() -> None:
    policy = SocialValuePolicy()
    assert f"at least {int(policy.approaching_share * 100)}%" in DOC
    assert f"at least {int(policy.inadequate_below_share * 100)}% requires improvement" in DOC
    for spec in dataclasses.fields(SocialValuePolicy):
        assert f"`{spec.name}`" in DOC


def test_every_option_and_recommendation_is_documented() -> None:
    for option in OPTIONS:
        assert f"| {option.title} |" in DOC
    assert set(RECOMMENDATIONS) == {"kpi_consecutive_misses", "social_value_below_profile", "supplier_financial_red",
                                    "provider_loss_making", "provider_inflation_pressure", "volumes_off_tender"}
