"""The notice builders' own rules, on hand-made records: what each refuses, and a release read as a page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from commonweal.domain.calendar import Standstill
from commonweal.domain.contracts.ratings import Rating
from commonweal.domain.evaluation.model import Tender
from commonweal.domain.notices.build import (
    AwardFacts,
    ContractEnd,
    LetContract,
    LotAward,
    Notice,
    Organisation,
    PerformanceFailure,
    award_notice,
    contract_details_notice,
    contract_termination_notice,
    performance_notice,
    termination_notice,
)
from commonweal.domain.notices.preview import label, readable
from tests.domain.contracts.builders import make_contract

NOTICE = Notice(
    Organisation("Fernbridge Borough Council", "GB-PPON-EXAMPLE-1"),
    "ocds-test",
    dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
)
TENDER = Tender(reference="T-1", title="Home care", buyer="Fernbridge Borough Council", lots=())
STANDSTILL = Standstill(dt.date(2026, 6, 16), dt.date(2026, 6, 25), dt.date(2026, 6, 26))


def test_an_award_notice_needs_awards_on_the_tenders_lots_and_summaries_sent_first() -> None:
    facts = AwardFacts(dt.date(2026, 6, 15), STANDSTILL, True)
    with pytest.raises(ValueError, match="at least one award"):
        award_notice(TENDER, [], facts, NOTICE)
    with pytest.raises(ValueError, match="lots the tender does not have: 9"):
        award_notice(TENDER, [LotAward("9", Organisation("Calder CIC"), Decimal(1))], facts, NOTICE)
    late = AwardFacts(dt.date(2026, 6, 17), STANDSTILL, True)
    with pytest.raises(ValueError, match=r"s\.50\(3\)"):
        award_notice(TENDER, [LotAward("9", Organisation("Calder CIC"), Decimal(1))], late, NOTICE)


def test_a_termination_gives_its_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        termination_notice(TENDER, dt.date(2026, 6, 1), "  ", NOTICE)
    let = LetContract(make_contract(), Organisation("Provider"))
    with pytest.raises(ValueError, match=r"reg 41\(2\)\(e\)"):
        contract_termination_notice(let, ContractEnd(dt.date(2026, 6, 1), ""), NOTICE)


def test_a_performance_notice_reports_something_and_penalty_types_are_the_closed_list() -> None:
    let = LetContract(make_contract(), Organisation("Provider"))
    period = (dt.date(2025, 12, 1), dt.date(2026, 11, 30))
    with pytest.raises(ValueError, match="reports KPI assessments or performance failures"):
        performance_notice(let, [], period, NOTICE)
    odd = PerformanceFailure("f1", "Visits on time", "Missed", penalty_type="fined")
    with pytest.raises(ValueError, match="contracted, imposed, negotiated"):
        performance_notice(let, [], period, NOTICE, [odd])


def test_supplier_identity_and_details_follow_the_uk_extension() -> None:
    supplier = Organisation(
        "Calder Community Care CIC", "GB-COH-01234567", sme=True, vcse=True, public_service_mutual=False
    )
    release = contract_details_notice(LetContract(make_contract(), supplier, "T-1"), NOTICE)
    party = next(p for p in release["parties"] if p["id"] == "GB-COH-01234567")
    assert party["identifier"] == {"scheme": "GB-COH", "id": "01234567", "legalName": "Calder Community Care CIC"}
    assert party["details"] == {"scale": "sme", "vcse": True, "publicServiceMissionOrganization": False}
    buyer = release["parties"][0]
    assert buyer["details"]["classifications"] == [
        {"scheme": "UK_CA_TYPE", "id": "publicAuthoritySubCentralGovernment"}
    ]
    assert release["ocid"] == "ocds-test-T-1" and release["contracts"][0]["awardID"] == "T-1-award"
    assert "agreedMetrics" not in release["contracts"][0]  # £1m: s.52 does not apply


def test_a_release_reads_as_labelled_rows() -> None:
    assert label("assessmentSummariesDateSent") == "Assessment summaries date sent"
    rows = dict(
        readable(
            {
                "awards": [
                    {
                        "value": {"amount": Decimal("1234.5"), "currency": "GBP"},
                        "standstillPeriod": {"endDate": "2026-06-25T00:00:00Z"},
                        "aboveThreshold": True,
                    }
                ],
                "tag": ["award"],
            }
        )
    )
    assert rows == {
        "Awards 1 › Value": "1,234.5 GBP",
        "Awards 1 › Standstill period › End date": "2026-06-25",
        "Awards 1 › Above threshold": "Yes",
        "Tag": "award",
    }
    assert readable(None) == []
    assert Rating.GOOD.description.startswith("Performance is meeting")
