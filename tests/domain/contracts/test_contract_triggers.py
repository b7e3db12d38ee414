import datetime as dt
from decimal import Decimal as D

import pytest

from commonweal.domain.contracts.model import Return
from commonweal.domain.contracts.ratings import Rating
from commonweal.domain.contracts.social_value import SocialValueAssessment
from commonweal.domain.contracts.triggers import (
    Side,
    TriggerPolicy,
    TriggerStatus,
    consecutive_kpi_misses,
    financial_rating_red,
    provider_inflation_pressure,
    provider_loss_making,
    social_value_below_profile,
    volumes_off_tender,
)
from commonweal.domain.rag import Rag

from .builders import kpi_return, make_contract, month, provider_return

POLICY = TriggerPolicy()


def test_three_consecutive_misses_up_to_the_latest_return_fire() -> None:
    # on time 94, 93, 90 in March-May: each short of 95 (a miss whatever its band); January was met
    returns = [kpi_return(month(2025, 1), on_time="96"), kpi_return(month(2025, 3), on_time="94"),
               kpi_return(month(2025, 4), on_time="93"), kpi_return(month(2025, 5), on_time="90")]
    trigger = consecutive_kpi_misses(make_contract(), returns, POLICY)
    assert trigger.status is TriggerStatus.FIRED
    assert "on_time has missed its target in the last 3 returns" in trigger.finding


def test_a_met_or_unreported_month_breaks_the_run() -> None:
    met = [kpi_return(month(2025, 1), on_time="90"), kpi_return(month(2025, 2), on_time="96"),
           kpi_return(month(2025, 3), on_time="90"), kpi_return(month(2025, 4), on_time="90")]
    assert consecutive_kpi_misses(make_contract(), met, POLICY).status is TriggerStatus.CLEAR
    gap = [kpi_return(month(2025, 1), on_time="90"), kpi_return(month(2025, 2), missed="1"),
           kpi_return(month(2025, 3), on_time="90"), kpi_return(month(2025, 4), on_time="90")]
    assert consecutive_kpi_misses(make_contract(), gap, POLICY).status is TriggerStatus.CLEAR
    assert consecutive_kpi_misses(make_contract(), gap, TriggerPolicy(consecutive_misses=2)).fired


def test_no_kpi_figures_is_not_assessed() -> None:
    assert consecutive_kpi_misses(make_contract(), [], POLICY).status is TriggerStatus.NOT_ASSESSED


@pytest.mark.parametrize(("delivered", "status"), [("79", TriggerStatus.FIRED), ("80", TriggerStatus.CLEAR)])
def test_social_value_fires_below_eighty_percent_of_profile(delivered: str, status: TriggerStatus) -> None:
    # £79 of £100 due is 79% (< 80% default): fired; £80 is exactly 80%: clear
    assessment = SocialValueAssessment((), D(200), D(100), D(delivered), Rating.REQUIRES_IMPROVEMENT)
    assert social_value_below_profile(assessment, POLICY).status is status


def test_financial_rating_red_fires_and_missing_is_not_assessed() -> None:
    assert financial_rating_red(make_contract(financial_rating=Rag.RED)).fired
    assert financial_rating_red(make_contract(financial_rating=Rag.AMBER)).status is TriggerStatus.CLEAR
    assert financial_rating_red(make_contract()).status is TriggerStatus.NOT_ASSESSED


def test_loss_making_reads_the_latest_shared_margin() -> None:
    loss_then_profit = [provider_return(month(2025, 1), margin_pct="-2"), provider_return(month(2025, 2)),
                        provider_return(month(2025, 3), margin_pct="0.5")]
    assert provider_loss_making(loss_then_profit, POLICY).status is TriggerStatus.CLEAR
    break_even = [provider_return(month(2025, 1), margin_pct="0")]
    assert provider_loss_making(break_even, POLICY).fired  # at or below 0%
    assert provider_loss_making([provider_return(month(2025, 1))], POLICY).status is TriggerStatus.NOT_ASSESSED


def test_cost_growth_above_indexation() -> None:
    contract = make_contract(price_indexation_pct=D("3.5"))
    assert provider_inflation_pressure(contract, [provider_return(month(2025, 1), cost_growth_pct="3.6")],
                                       POLICY).fired
    assert not provider_inflation_pressure(contract, [provider_return(month(2025, 1), cost_growth_pct="3.5")],
                                           POLICY).fired
    headroom = TriggerPolicy(cost_growth_headroom_pct=D("0.5"))  # 3.6 <= 3.5 + 0.5
    assert not provider_inflation_pressure(contract, [provider_return(month(2025, 1), cost_growth_pct="3.6")],
                                           headroom).fired
    no_index = provider_inflation_pressure(make_contract(), [provider_return(month(2025, 1), cost_growth_pct="9")],
                                           POLICY)
    assert no_index.status is TriggerStatus.NOT_ASSESSED


def volumes(*figures: str) -> list[Return]:
    return [provider_return(month(2025, i + 1), volume=v) for i, v in enumerate(figures)]


def test_volumes_far_from_tender_either_way() -> None:
    contract = make_contract(tender_volume_per_period=D(1000))
    # only the last three count: (1200 + 1250 + 1260) / 3 = 1236.67, 23.7% over 1000: fired
    assert volumes_off_tender(contract, volumes("500", "1200", "1250", "1260"), POLICY).fired
    # (1100 + 1150 + 1200) / 3 = 1150, 15% over: clear
    assert not volumes_off_tender(contract, volumes("1100", "1150", "1200"), POLICY).fired
    # (790 + 800 + 810) / 3 = 800, exactly 20% under: not more than 20%, clear
    assert not volumes_off_tender(contract, volumes("790", "800", "810"), POLICY).fired
    # (780 + 790 + 800) / 3 = 790, 21% under: fired
    assert volumes_off_tender(contract, volumes("780", "790", "800"), POLICY).fired


def test_review_recommends_options_from_fired_triggers() -> None:
    from commonweal.domain.contracts.review import review_contract

    contract = make_contract(price_indexation_pct=D(2), financial_rating=Rag.RED)
    returns = [provider_return(month(2025, 1), cost_growth_pct="6", margin_pct="-1")]
    review = review_contract(contract, returns, [], dt.date(2025, 3, 31))
    assert {t.id for t in review.fired} == {"supplier_financial_red", "provider_loss_making",
                                            "provider_inflation_pressure"}
    # options in the fixed order of OPTIONS: variation (loss, inflation), step-in (red), re-procurement (red, loss)
    assert [a.option.id for a in review.recommended_actions] == ["variation", "step_in", "re_procurement"]
    variation = review.recommended_actions[0]
    assert len(variation.because) == 2
    assert {t.id for t in review.not_working_for(Side.PROVIDER)} == {
        "supplier_financial_red", "provider_loss_making", "provider_inflation_pressure"}
