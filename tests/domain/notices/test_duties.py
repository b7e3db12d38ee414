"""The duty calendar: deadlines counted as the Act counts them, overdue only when a date or an event has passed
without a recorded publication, never for a notice with no deadline found."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from commonweal.domain.contracts.model import ModificationGround, Variation
from commonweal.domain.lifecycle import Stage
from commonweal.domain.notices.build import PipelineEntry
from commonweal.domain.notices.duties import (
    ContractState,
    PlannedTender,
    TenderState,
    contract_duties,
    expiring_contract_entry,
    financial_year,
    period_end,
    pipeline_due,
    pipeline_duty,
    pipeline_entries,
    planned_entries,
    planned_tender_value,
    tender_duties,
    undated_entries,
)
from commonweal.domain.notices.kinds import KINDS, NoticeType, Verification
from tests.domain.contracts.builders import make_contract

TODAY = dt.date(2026, 12, 6)


def test_pipeline_deadline_is_the_56th_day_from_1_april() -> None:
    assert pipeline_due(2027) == dt.date(2027, 5, 26)  # Find a Tender: "between 1 April and 26 May inclusive"


def test_thirty_days_beginning_with_a_day_end_29_days_later() -> None:
    assert period_end(dt.date(2026, 11, 20), 30) == dt.date(2026, 12, 19)


def test_pipeline_keeps_contracts_over_two_million_expected_in_18_months() -> None:
    def entry(ref: str, value: int, day: dt.date) -> PipelineEntry:
        return PipelineEntry(ref, ref, Decimal(value), day)

    kept = pipeline_entries(
        [
            entry("exactly-2m", 2_000_000, dt.date(2027, 6, 1)),
            entry("in", 2_000_001, dt.date(2028, 9, 30)),
            entry("after", 9_000_000, dt.date(2028, 10, 1)),
            entry("before", 9_000_000, dt.date(2027, 3, 31)),
            entry("first", 3_000_000, dt.date(2027, 4, 1)),
        ],
        2027,
    )
    assert [e.reference for e in kept] == ["first", "in"]


def test_a_planned_tender_without_an_expected_date_is_listed_last_when_over_two_million() -> None:
    dated = PipelineEntry("dated", "dated", Decimal(3_000_000), dt.date(2027, 5, 1))
    undated = PipelineEntry("undated", "undated", Decimal(3_000_000), None)
    small = PipelineEntry("small", "small", Decimal(2_000_000), None)
    assert [e.reference for e in pipeline_entries([undated, small, dated], 2027)] == ["dated", "undated"]


def test_a_planned_tenders_value_is_its_lots_budgets_summed_or_none_where_one_is_missing() -> None:
    assert planned_tender_value([Decimal("1500000.50"), Decimal("600000.25")]) == Decimal("2100000.75")
    assert planned_tender_value([Decimal(3_000_000), None]) is None
    assert planned_tender_value([]) is None


def test_planned_tenders_become_pipeline_entries_and_each_missing_value_or_date_is_named() -> None:
    planned = [
        PlannedTender("T1", "Leisure", (Decimal(2_400_000), Decimal(900_000)), dt.date(2027, 9, 15), "services"),
        PlannedTender("T2", "Roads", (Decimal(5_000_000), None)),
        PlannedTender("T3", "Libraries", (Decimal(2_500_000),)),
    ]
    entries, problems = planned_entries(planned)
    assert [(e.reference, e.value, e.expected_notice, e.category) for e in entries] == [
        ("T1", Decimal(3_300_000), dt.date(2027, 9, 15), "services"), ("T3", Decimal(2_500_000), None, "")]
    assert len(problems) == 1 and problems[0].startswith("Tender T2 (Roads): no estimated value recorded")
    assert undated_entries(entries) == [
        "Tender T3: no date recorded for when its tender notice is expected; the notice gives none"]
    # the expected day decides whether the 18 months hold it, as for an expiring contract
    late = planned_entries([PlannedTender("T4", "Late", (Decimal(3_000_000),), dt.date(2028, 10, 1))])[0]
    assert pipeline_entries(late, 2027) == []


def test_an_expiring_contract_is_reprocured_the_councils_lead_time_before_its_term_ends() -> None:
    contract = make_contract(value=Decimal(3_000_000), maximum_end=dt.date(2029, 12, 31))
    entry = expiring_contract_entry(contract, 9)
    assert entry.expected_notice == dt.date(2029, 3, 31) and entry.replaces_contract == "C1"


def test_tender_notice_is_overdue_once_bids_are_invited_without_a_recorded_publication() -> None:
    state = TenderState("T1", "Home care", Stage.OPEN, engagement=True)
    duties = {d.notice: d for d in tender_duties(state, {}, TODAY)}
    assert duties[NoticeType.UK4].overdue and duties[NoticeType.UK2].overdue
    recorded = {d.notice: d for d in tender_duties(state, {NoticeType.UK4: dt.date(2026, 1, 5)}, TODAY)}
    assert not recorded[NoticeType.UK4].overdue and recorded[NoticeType.UK4].published_on == dt.date(2026, 1, 5)


def test_award_notice_is_due_on_the_day_standstill_begins() -> None:
    draft = TenderState("T1", "Home care", Stage.DRAFT)
    assert [d.notice for d in tender_duties(draft, {}, TODAY)] == [NoticeType.UK4]
    awarded = TenderState("T1", "Home care", Stage.STANDSTILL, award_notice_date=dt.date(2026, 12, 1))
    uk6 = next(
        d for d in tender_duties(awarded, {NoticeType.UK4: dt.date(2026, 1, 5)}, TODAY) if d.notice is NoticeType.UK6
    )
    assert uk6.due == dt.date(2026, 12, 1) and uk6.overdue
    pending = TenderState("T1", "Home care", Stage.AWARD_RECOMMENDED)
    uk6 = next(d for d in tender_duties(pending, {}, TODAY) if d.notice is NoticeType.UK6)
    assert uk6.due is None and not uk6.overdue


def test_procurement_termination_has_no_deadline_and_is_never_overdue() -> None:
    state = TenderState("T1", "Home care", Stage.DRAFT, terminated_on=dt.date(2020, 1, 1))
    duties = tender_duties(state, {}, TODAY)
    assert [d.notice for d in duties] == [NoticeType.UK12]
    assert not duties[0].overdue and KINDS[NoticeType.UK12].basis_status is Verification.UNVERIFIED


def test_contract_duties() -> None:
    contract = make_contract(value=Decimal(6_000_000))
    variation = Variation(
        "V1", dt.date(2026, 11, 1), "More rounds", Decimal(900_000), 0, ModificationGround.BELOW_THRESHOLD
    )
    state = ContractState(
        contract,
        signed_on=dt.date(2024, 12, 1),
        last_assessment=dt.date(2026, 3, 31),
        variations=(variation,),
        change_notice_required={"V1"},
        ended_on=dt.date(2026, 11, 20),
    )
    duties = {d.notice: d for d in contract_duties(state, {(NoticeType.UK7, ""): dt.date(2024, 12, 20)}, TODAY)}
    assert not duties[NoticeType.UK7].overdue and duties[NoticeType.UK7].due == dt.date(2024, 12, 30)
    assert NoticeType.UK9 not in duties  # ended: its last assessment goes with termination
    assert duties[NoticeType.UK10].overdue and duties[NoticeType.UK10].due == dt.date(2026, 11, 1)
    assert duties[NoticeType.UK11].due == dt.date(2026, 12, 19) and not duties[NoticeType.UK11].overdue


def test_every_kind_says_what_is_unverified_about_it() -> None:
    for code, kind in KINDS.items():
        if kind.basis_status is not Verification.VERIFIED or kind.code_status is not Verification.VERIFIED:
            assert kind.unverified, code
    assert any("measureClassification" in note for note in KINDS[NoticeType.UK9].unverified)


def test_the_pipeline_duty_follows_the_councils_s93_judgement() -> None:
    assert financial_year(dt.date(2027, 3, 31)) == 2026 and financial_year(dt.date(2027, 4, 1)) == 2027
    unknown = pipeline_duty(2026, None, None, TODAY)
    assert unknown is not None and not unknown.overdue and "not yet recorded" in unknown.when
    assert pipeline_duty(2026, False, None, TODAY) is None  # s.93(1) does not apply: no duty
    due = pipeline_duty(2026, True, None, TODAY)
    assert due is not None and due.overdue and due.due == dt.date(2026, 5, 26) and due.subject == "2026-27"
    done = pipeline_duty(2026, True, dt.date(2026, 5, 1), TODAY)
    assert done is not None and not done.overdue and done.published_on == dt.date(2026, 5, 1)
    assert not pipeline_duty(2027, True, None, TODAY).overdue  # type: ignore[union-attr]


def test_a_performance_failure_brings_the_performance_notice_forward() -> None:
    small = make_contract()  # £1 million: s.52(1) KPIs not required, so no yearly performance notice
    assert NoticeType.UK9 not in {d.notice for d in contract_duties(ContractState(small), {}, TODAY)}
    failed = ContractState(small, unreported_failures=(dt.date(2026, 11, 20), dt.date(2026, 10, 1)))
    uk9 = next(d for d in contract_duties(failed, {}, TODAY) if d.notice is NoticeType.UK9)
    assert uk9.due == dt.date(2026, 10, 30) and uk9.overdue and "unverified" in uk9.when  # 30 days from the first
    large = make_contract(value=Decimal(6_000_000))
    yearly = ContractState(large, last_assessment=dt.date(2026, 3, 31), unreported_failures=(dt.date(2026, 12, 1),))
    uk9 = next(d for d in contract_duties(yearly, {}, TODAY) if d.notice is NoticeType.UK9)
    assert uk9.due == dt.date(2026, 12, 30) and not uk9.overdue
    later = ContractState(large, last_assessment=dt.date(2026, 3, 31), unreported_failures=(dt.date(2027, 3, 20),))
    assert next(d for d in contract_duties(later, {}, TODAY) if d.notice is NoticeType.UK9).due == dt.date(2027, 3, 31)
