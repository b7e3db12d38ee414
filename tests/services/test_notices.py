"""Procurement Act 2023 notices from the example tender and contract folders: each notice type validates offline
against OCDS 1.1.5 patched with Find a Tender's extensions (0 errors), carries the fields the UK extension
defines for it, and the notices of one procurement compile into one coherent compiled release."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import shutil
import socket
from pathlib import Path
from typing import Any

import orjson
import pytest

from commonweal.domain.notices.build import RATING_CLASSIFICATION
from commonweal.domain.notices.kinds import KINDS, NoticeType
from commonweal.io.errors import InputError
from commonweal.io.ocds.write import EXTENSIONS_DIR, NOTICE_EXTENSIONS, dumps
from commonweal.services.notices import build_package, check, notice_package, notice_type
from commonweal.services.ocds import compile_jsonl

REPO = Path(__file__).resolve().parents[2]
TENDER = REPO / "examples" / "home-care-tender"
LOT_1 = REPO / "examples" / "ocds" / "home-care-lot-1-contract"
CONTRACTS = REPO / "examples" / "contracts"
FACILITIES, GROUNDS = CONTRACTS / "facilities-social-value", CONTRACTS / "grounds-loss-making"
PLANNED = REPO / "examples" / "planned" / "leisure-centres"
PUBLISHED = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="module")
def tender_package() -> dict[str, Any]:
    return build_package(TENDER, [LOT_1], ocid_prefix="ocds-test", as_of=dt.date(2027, 6, 30), published=PUBLISHED)


@pytest.fixture(scope="module")
def contract_package() -> dict[str, Any]:
    return build_package(
        None,
        [FACILITIES, GROUNDS],
        ocid_prefix="ocds-test",
        as_of=dt.date(2026, 11, 30),
        published=PUBLISHED,
        pipeline_year=2027,
        lead_months=12,
    )


@pytest.fixture(scope="module")
def terminated_package(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("terminated") / "tender"
    shutil.copytree(TENDER, folder)
    with (folder / "notices.yaml").open("a", encoding="utf-8") as f:
        f.write("termination:\n  decided_on: 2026-06-10\n  reason: No tender met the quality threshold on lot 2\n")
    return build_package(folder, [], ocid_prefix="ocds-test", published=PUBLISHED)


def by_type(*packages: dict[str, Any]) -> dict[NoticeType, dict[str, Any]]:
    found = {}
    for package in packages:
        for release in package["releases"]:
            code = notice_type(release)
            assert code is not None, release["id"]
            found[code] = release
    return found


def codes(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as f:
        return {row["Code"] for row in csv.DictReader(f)}


def test_every_notice_type_is_built_and_each_validates_alone_offline(
    no_network: None,
    tender_package: dict[str, Any],
    contract_package: dict[str, Any],
    terminated_package: dict[str, Any],
) -> None:
    notices = by_type(tender_package, contract_package, terminated_package)
    assert set(notices) == set(NoticeType)
    for code, release in notices.items():
        verdict = check(
            notice_package([release], publisher="Fernbridge Borough Council", published="2026-12-01T00:00:00Z")
        )
        assert verdict.valid, (code, verdict)


def test_a_schema_error_is_reported(tender_package: dict[str, Any]) -> None:
    broken = copy.deepcopy(tender_package)
    broken["releases"][2]["awards"][0]["standstillPeriod"]["endDate"] = "26 June"
    verdict = check(broken)
    assert not verdict.valid
    assert any("standstillPeriod/endDate" in e for e in verdict.errors)


def test_each_notice_document_is_the_notice_find_a_tender_names(
    tender_package: dict[str, Any], contract_package: dict[str, Any], terminated_package: dict[str, Any]
) -> None:
    """noticeType on the notice's own document (id = the release's id), with a documentType from OCDS 1.1.5's,
    the EU profile's or the UK extension's codelist."""
    document_types = (
        codes(REPO / "src/commonweal/io/ocds/schema/1.1.5/codelists/documentType.csv")
        | codes(EXTENSIONS_DIR / "uk/codelists/+documentType.csv")
        | codes(EXTENSIONS_DIR / "eu_profile/codelists/+documentType.csv")
    )
    for code, release in by_type(tender_package, contract_package, terminated_package).items():
        kind = KINDS[code]
        assert kind.document_type in document_types
        text = dumps(release).decode()
        assert f'"noticeType":"{code.value}"' in text
        assert release["tag"] == [kind.tag]


def _paths(node: Any, prefix: str = "") -> set[str]:
    """Every field path in a release, arrays written `[]` (`awards[].standstillPeriod.endDate`)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path} | _paths(value, path)
    elif isinstance(node, list):
        for item in node:
            found |= _paths(item, prefix + "[]")
    return found


#: What each notice must carry, as the reference names it: `../shared/reference/ocds-uk-extension/README.md` ("Where
#: the pieces for each required notice live" and the UK extension's fields) and `pa2023-notices.md` (the Act and
#: Regulations each field answers). The notice document itself (noticeType, on the notice's own document) is checked
#: for every notice by test_each_notice_document_is_the_notice_find_a_tender_names.
REQUIRED: dict[NoticeType, tuple[str, ...]] = {
    # s.93: each contract's estimated value, when its tender notice is expected
    NoticeType.UK1: ("planning.budget.amount.amount", "tender.value.amount", "tender.status",
                     "tender.communication.futureNoticeDate"),
    # reg 17(2)(e)-(f): the engagement's close date and a description of the process, as a planning milestone
    NoticeType.UK2: ("planning.milestones[].type", "planning.milestones[].dueDate",
                     "planning.milestones[].description"),
    # the tender, its lots' award criteria, suitability for SMEs and VCSEs, procedure, category, threshold, period
    NoticeType.UK4: ("tender.lots[].awardCriteria.criteria[].type", "tender.lots[].awardCriteria.description",
                     "tender.lots[].suitability.sme", "tender.lots[].suitability.vcse", "tender.procurementMethod",
                     "tender.mainProcurementCategory", "tender.aboveThreshold", "tender.tenderPeriod.endDate"),
    # s.50(3) assessment summaries, s.51 standstill, final-stage bids (UK bidStatistics code)
    NoticeType.UK6: ("awards[].assessmentSummariesDateSent", "awards[].standstillPeriod.startDate",
                     "awards[].standstillPeriod.endDate", "awards[].suppliers[].id", "awards[].aboveThreshold",
                     "bids.statistics[].measure"),
    # reg 32: signature, value, term, threshold; reg 32(2)(g)(iv): the supplier's SME and VCSE status; s.52 KPIs
    NoticeType.UK7: ("contracts[].dateSigned", "contracts[].value.amount", "contracts[].period.endDate",
                     "contracts[].aboveThreshold", "parties[].details.scale", "parties[].details.vcse",
                     "contracts[].agreedMetrics[].title"),
    # reg 39(4)-(5): each KPI's rating over the period assessed
    NoticeType.UK9: ("contracts[].implementation.metrics[].title",
                     "contracts[].implementation.metrics[].observations[].measureClassification.id",
                     "contracts[].implementation.metrics[].observations[].period.endDate"),
    # s.75: the modification before it is made: the amended value and term, its ground, whether standstill follows
    NoticeType.UK10: ("contracts[].proposedAmendments[].description", "contracts[].proposedAmendments[].rationale",
                      "contracts[].proposedAmendments[].value.amount",
                      "contracts[].proposedAmendments[].period.endDate",
                      "contracts[].proposedAmendments[].standstill"),
    # reg 41(2)(e)-(h): reasons, date, estimated value, breach details
    NoticeType.UK11: ("contracts[].implementation.endDateDetails", "contracts[].implementation.endDate",
                      "contracts[].value.amount", "contracts[].implementation.performanceFailures[].requirement",
                      "contracts[].implementation.performanceFailures[].decisionDate"),
    # s.55: the decision not to award, its reason and day
    NoticeType.UK12: ("tender.status", "tender.statusDetails", "tender.finalStatusDate", "tender.lots[].status"),
}


def test_each_notice_carries_the_fields_the_reference_requires_of_it(
    tender_package: dict[str, Any], contract_package: dict[str, Any], terminated_package: dict[str, Any]
) -> None:
    releases = [r for p in (tender_package, contract_package, terminated_package) for r in p["releases"]]
    assert set(REQUIRED) == set(NoticeType)
    for code, fields in REQUIRED.items():
        # the first of its kind over £5 million for UK7 (s.52 KPIs), else the first of its kind
        found = [r for r in releases if notice_type(r) is code]
        release = next((r for r in found if "agreedMetrics" in dumps(r).decode()), found[0])
        missing = set(fields) - _paths(release)
        assert not missing, (code, sorted(missing))


def test_award_notice_carries_standstill_and_assessment_summaries(tender_package: dict[str, Any]) -> None:
    award = by_type(tender_package)[NoticeType.UK6]["awards"]
    assert [a["relatedLots"] for a in award] == [["1"], ["2"]]
    for a in award:
        # s.51: eight working days beginning with 16 June 2026 (a Tuesday; no bank holiday): 16 to 25 June
        assert a["standstillPeriod"] == {"startDate": "2026-06-16T00:00:00Z", "endDate": "2026-06-25T00:00:00Z"}
        assert a["assessmentSummariesDateSent"] == "2026-06-15T00:00:00Z"
        assert a["status"] == "pending"
    assert {a["suppliers"][0]["name"] for a in award} == {"Calder Community Care CIC"}


def test_tender_notice_has_lots_with_award_criteria_and_the_engagement_precedes_it(
    tender_package: dict[str, Any],
) -> None:
    notices = by_type(tender_package)
    lots = notices[NoticeType.UK4]["tender"]["lots"]
    weights = [[n["numbers"][0]["number"] for n in lot["awardCriteria"]["criteria"]] for lot in lots]
    assert all(sum(w) == 100 for w in weights)
    assert all(lot["suitability"] == {"sme": True, "vcse": True} for lot in lots)
    milestone = notices[NoticeType.UK2]["planning"]["milestones"][0]
    assert milestone["type"] == "engagement" and milestone["dueDate"] == "2025-12-12T00:00:00Z"


def test_an_above_threshold_tender_without_engagement_must_say_why(tmp_path: Path) -> None:
    folder = tmp_path / "tender"
    shutil.copytree(TENDER, folder)
    text = (folder / "notices.yaml").read_text(encoding="utf-8")
    (folder / "notices.yaml").write_text(text.split("engagement:")[0], encoding="utf-8")
    with pytest.raises(InputError, match="must give the reasons"):
        build_package(folder, [], ocid_prefix="ocds-test", published=PUBLISHED)


def test_contract_details_for_more_than_five_million_has_the_top_three_kpis(contract_package: dict[str, Any]) -> None:
    facilities = [r for r in contract_package["releases"] if r["ocid"] == "ocds-test-EBC-2025-017"]
    details = next(r for r in facilities if notice_type(r) is NoticeType.UK7)
    metrics = details["contracts"][0]["agreedMetrics"]
    assert 1 <= len(metrics) <= 3
    supplier = next(p for p in details["parties"] if "supplier" in p["roles"])
    assert supplier["details"]["scale"] == "large" and supplier["details"]["vcse"] is False


def test_performance_notice_rates_each_kpi_with_a_listed_classification(contract_package: dict[str, Any]) -> None:
    notices = [r for r in contract_package["releases"] if notice_type(r) is NoticeType.UK9]
    assert notices
    listed = {"met", "slightlyBelow", "below", "significantlyBelow", "other"}  # the UK extension's field text
    assert set(RATING_CLASSIFICATION.values()) == listed
    for release in notices:
        for metric in release["contracts"][0]["implementation"]["metrics"]:
            observation = metric["observations"][0]
            assert observation["measureClassification"]["id"] in listed
            assert observation["period"]["endDate"] == "2026-11-30T00:00:00Z"


def test_change_notice_carries_the_amended_total_value(contract_package: dict[str, Any]) -> None:
    change = next(r for r in contract_package["releases"] if notice_type(r) is NoticeType.UK10)
    amendment = change["contracts"][0]["proposedAmendments"][0]
    # the facilities contract: £6,200,000 plus variation V1's £900,000
    assert amendment["value"]["amount"] == 7_100_000
    assert "s.74" in amendment["rationale"]


def test_contract_termination_carries_reasons_date_and_failures(contract_package: dict[str, Any]) -> None:
    ended = next(r for r in contract_package["releases"] if notice_type(r) is NoticeType.UK11)
    implementation = ended["contracts"][0]["implementation"]
    assert implementation["endDate"] == "2026-11-20T00:00:00Z"
    assert implementation["endDateDetails"].startswith("Terminated by agreement")
    assert implementation["performanceFailures"][0]["penaltyType"] == "negotiated"
    assert ended["contracts"][0]["status"] == "terminated"


def test_pipeline_lists_only_contracts_over_two_million_in_the_window(contract_package: dict[str, Any]) -> None:
    pipeline = [r for r in contract_package["releases"] if notice_type(r) is NoticeType.UK1]
    # facilities (£6.2m) ends 30 Sep 2029: re-procured 12 months before, inside Apr 2027 + 18 months; grounds
    # (ends 2030) falls outside
    assert [r["ocid"] for r in pipeline] == ["ocds-test-EBC-2025-017-reprocurement"]
    assert pipeline[0]["planning"]["documents"][0]["documentType"] == "plannedProcurementNotice"


def test_pipeline_lists_planned_tenders_from_their_folders_beside_the_expiring_contracts() -> None:
    package = build_package(None, [FACILITIES, GROUNDS], ocid_prefix="ocds-test", as_of=dt.date(2026, 11, 30),
                             published=PUBLISHED, pipeline_year=2027, lead_months=12, planned_dirs=[PLANNED])
    pipeline = {r["ocid"]: r for r in package["releases"] if notice_type(r) is NoticeType.UK1}
    assert sorted(pipeline) == ["ocds-test-EBC-2025-017-reprocurement", "ocds-test-EBC-2027-003"]
    planned = pipeline["ocds-test-EBC-2027-003"]
    # valued at its lots' budgets (£2.4m + £0.9m), its tender notice expected on the day notices.yaml gives
    assert planned["tender"]["value"]["amount"] == 3_300_000 and planned["planning"]["budget"]["amount"][
        "amount"] == 3_300_000
    assert planned["tender"]["communication"] == {"futureNoticeDate": "2027-09-15T00:00:00Z"}
    assert "tenderPeriod" not in planned["tender"] and planned["id"] == "ocds-test-pipeline-2027"
    assert pipeline["ocds-test-EBC-2025-017-reprocurement"]["tender"]["communication"] == {
        "futureNoticeDate": "2028-09-30T00:00:00Z"}  # 12 months before its maximum term ends
    # planned tenders alone need no lead time (only expiring contracts do)
    alone = build_package(None, [], ocid_prefix="ocds-test", published=PUBLISHED, pipeline_year=2027,
                          planned_dirs=[PLANNED])
    assert [r["ocid"] for r in alone["releases"]] == ["ocds-test-EBC-2027-003"]
    assert alone["releases"][0]["buyer"]["name"] == "Example Borough Council"
    # outside the 18 months from 1 April 2029, it is not listed, and a pipeline listing nothing is not built
    with pytest.raises(InputError, match="no notice to build"):
        build_package(None, [], ocid_prefix="ocds-test", published=PUBLISHED, pipeline_year=2029,
                      planned_dirs=[PLANNED])


def test_a_planned_tender_without_a_budget_or_an_expected_day_is_refused_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "planned"
    shutil.copytree(PLANNED, folder)
    (folder / "notices.yaml").write_text("category: services\n", encoding="utf-8")
    with pytest.raises(InputError) as undated:
        build_package(None, [], published=PUBLISHED, pipeline_year=2027, planned_dirs=[folder])
    assert [(p.file, p.column) for p in undated.value.problems] == [(str(folder / "notices.yaml"), "expected_notice")]
    text = (folder / "tender.yaml").read_text(encoding="utf-8").replace("    budget: 900000\n", "")
    (folder / "tender.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as no_value:
        build_package(None, [], published=PUBLISHED, pipeline_year=2027, planned_dirs=[folder])
    assert [(p.file, p.column) for p in no_value.value.problems] == [(str(folder / "tender.yaml"), "lots[].budget")]
    assert "no estimated value recorded" in no_value.value.problems[0].message


def test_procurement_termination_cancels_the_tender(terminated_package: dict[str, Any]) -> None:
    notices = by_type(terminated_package)
    assert NoticeType.UK6 not in notices
    tender = notices[NoticeType.UK12]["tender"]
    assert tender["status"] == "cancelled" and {lot["status"] for lot in tender["lots"]} == {"cancelled"}


def test_one_procurements_notices_compile_into_one_coherent_release(
    tmp_path: Path, tender_package: dict[str, Any]
) -> None:
    path = tmp_path / "notices.json"
    path.write_bytes(dumps(tender_package))
    lines = b"".join(compile_jsonl(path)).splitlines()
    assert len(lines) == 1
    compiled = orjson.loads(lines[0])
    assert compiled["tag"] == ["compiled"]
    assert [lot["id"] for lot in compiled["tender"]["lots"]] == ["1", "2"]
    assert len(compiled["awards"]) == 2 and len(compiled["contracts"]) == 1
    assert compiled["contracts"][0]["awardID"] == "FBC-ASC-2026-014-lot-1"  # the UK6 award the UK7 contract names
    assert {a["id"] for a in compiled["awards"]} >= {compiled["contracts"][0]["awardID"]}
    assert compiled["planning"]["milestones"][0]["type"] == "engagement"
    verdict = check(
        notice_package(
            [{**compiled, "id": "compiled", "tag": ["compiled"]}], publisher="x", published="2026-12-01T00:00:00Z"
        )
    )
    assert verdict.valid, verdict


def test_the_package_declares_only_shipped_extensions(tender_package: dict[str, Any]) -> None:
    assert tender_package["extensions"] == list(NOTICE_EXTENSIONS)
    for folder in NOTICE_EXTENSIONS.values():
        assert (EXTENSIONS_DIR / folder / "extension.json").is_file()
        assert (EXTENSIONS_DIR / folder / "PROVENANCE.md").is_file()
