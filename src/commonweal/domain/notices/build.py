"""Procurement Act 2023 notices as OCDS 1.1 releases with Find a Tender's extensions (the EU profile, the UK
extension, contract completion, performance failures): pure functions from plain domain records to release
dicts (amounts stay `Decimal`; `commonweal.io.ocds.write.dumps` writes them exactly).

One procurement is one contracting process (`ocid` = the council's OCID prefix + the procurement's reference),
whose lots are `tender.lots`, as Find a Tender publishes them; every notice about it, from the preliminary market
engagement to the contract's termination, is a release of that ocid, so compiling them gives the procurement's
one compiled release. Each release's `id` is `<ocid>-<notice code>[-<sequence>]`, and the notice's own document
has the same `id` (the rule the UK extension's README recommends to a reader looking for the notice document).

Statutory bases, deadlines and what is unverified are in `kinds`; the field each value fills is the UK
extension's (`Award.standstillPeriod`, `Award.assessmentSummariesDateSent`, `Observation.measureClassification`,
`PerformanceFailure.*`, `Contract.proposedAmendments`, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from commonweal.domain.calendar import Standstill
from commonweal.domain.contracts.model import S52_VALUE_THRESHOLD, Contract, Kpi, Variation, add_months
from commonweal.domain.contracts.modifications import VariationCheck
from commonweal.domain.contracts.ratings import KpiAssessment, Rating, s52_applies
from commonweal.domain.evaluation.evaluate import LotResult
from commonweal.domain.evaluation.model import Lot, Tender
from commonweal.domain.notices.kinds import NoticeType
from commonweal.domain.ocds.mapping import award_criteria_details, org_id

#: Find a Tender's UK classification of a contracting authority (`UK_CA_TYPE` in the UK extension's
#: itemClassificationScheme codelist); a council is sub-central government. Commonweal default, per organisation.
COUNCIL_AUTHORITY_TYPE = "publicAuthoritySubCentralGovernment"

#: Observation.measureClassification ids the UK extension lists ("In the UK, possible id values are met,
#: slightlyBelow, below, significantlyBelow and other"), matched to the Procurement Regulations 2024 reg 39(5)
#: ratings in the same order. The extension does not state this correspondence: Commonweal's reading, unverified
#: (searched in December 2026 without finding it: the UK extension's schema and README, Find a Tender's data and
#: documentation, the Cabinet Office's contract performance notices guidance, public code; docs/publishing.md).
RATING_CLASSIFICATION: dict[Rating, str] = {
    Rating.GOOD: "met",
    Rating.APPROACHING_TARGET: "slightlyBelow",
    Rating.REQUIRES_IMPROVEMENT: "below",
    Rating.INADEQUATE: "significantlyBelow",
    Rating.OTHER: "other",
}

#: The KPIs a contract details notice carries for a contract over £5 million: the "most material" three
#: (s.52-s.53, secondary sources). Which are most material is the council's choice, shown by the order of the
#: contract's KPI schedule: Commonweal default.
TOP_KPIS = 3


@dataclass(frozen=True)
class Organisation:
    """A party to a notice: the buyer or a supplier, with the identifier Find a Tender uses where known
    (an org-id such as GB-PPON-..., GB-COH-..., GB-CHC-...)."""

    name: str
    identifier: str = ""
    # supplier details Reg 32(2)(g)(iv) asks of a contract details notice, as the UK extension models them
    sme: bool | None = None
    vcse: bool | None = None
    public_service_mutual: bool | None = None
    supported_employment_provider: bool | None = None

    @property
    def id(self) -> str:
        if org_id(self.identifier)[0]:
            return self.identifier
        return "".join(ch if ch.isalnum() else "-" for ch in self.name.lower()).strip("-")


@dataclass(frozen=True)
class Notice:
    """Who publishes, under which ocid prefix, and when the release is dated."""

    buyer: Organisation
    ocid_prefix: str
    date: dt.datetime
    authority_type: str = COUNCIL_AUTHORITY_TYPE

    def ocid(self, reference: str) -> str:
        return f"{self.ocid_prefix}-{reference}"


def _when(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _money(amount: Decimal) -> dict[str, Any]:
    return {"amount": amount, "currency": "GBP"}


def _party(org: Organisation, roles: Sequence[str], authority_type: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": org.id, "name": org.name, "roles": list(roles)}
    scheme, number = org_id(org.identifier)
    if scheme and number:
        out["identifier"] = {"scheme": scheme, "id": number, "legalName": org.name}
    details: dict[str, Any] = {}
    if authority_type:
        details["classifications"] = [{"scheme": "UK_CA_TYPE", "id": authority_type}]
    if org.sme is not None:
        details["scale"] = "sme" if org.sme else "large"
    for key, value in (
        ("vcse", org.vcse),
        ("publicServiceMissionOrganization", org.public_service_mutual),
        ("shelteredWorkshop", org.supported_employment_provider),
    ):
        if value is not None:
            details[key] = value
    if details:
        out["details"] = details
    return out


def _document(code: NoticeType, release_id: str, title: str) -> dict[str, Any]:
    kind = code.kind
    return {
        "id": release_id,
        "documentType": kind.document_type,
        "noticeType": kind.code,
        "title": f"{kind.name}: {title}",
        "description": f"{kind.name} ({kind.basis})",
        "language": "en",
    }


def _release(
    code: NoticeType, notice: Notice, reference: str, sequence: str = "", suppliers: Sequence[Organisation] = ()
) -> dict[str, Any]:
    ocid = notice.ocid(reference)
    release_id = f"{ocid}-{code.value}" + (f"-{sequence}" if sequence else "")
    parties = [_party(notice.buyer, ("buyer", "procuringEntity"), notice.authority_type)]
    parties += [_party(s, ("supplier",)) for s in suppliers]
    return {
        "ocid": ocid,
        "id": release_id,
        "date": _stamp(notice.date),
        "tag": [code.kind.tag],
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": {"id": notice.buyer.id, "name": notice.buyer.name},
    }


def _ref(org: Organisation) -> dict[str, str]:
    return {"id": org.id, "name": org.name}


# ---- UK1 pipeline notice -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineEntry:
    """A public contract the council expects to advertise (UK4) or award directly (UK5) in the pipeline period."""

    reference: str
    title: str
    value: Decimal  # estimated value
    # when its tender (or transparency) notice is expected; None where the council's record does not say (a draft
    # tender has no such date): the notice then gives none rather than a guessed one
    expected_notice: dt.date | None
    description: str = ""
    category: str = "services"  # goods, services or works (OCDS mainProcurementCategory); "" where not recorded
    replaces_contract: str = ""  # the expiring contract it re-procures, when it comes from one


def pipeline_notice(entries: Sequence[PipelineEntry], notice: Notice, pipeline_id: str) -> list[dict[str, Any]]:
    """UK1: one planning release per contract in the pipeline, each with the pipeline notice's id (`pipeline_id`)
    and carrying its one document, as Find a Tender's compiled records show it (`planning.documents`, noticeType
    UK1). Select the entries with `notices.duties.pipeline_entries` (the £2 million and 18-month tests)."""
    releases = []
    for entry in entries:
        release = _release(NoticeType.UK1, notice, entry.reference)
        release["id"] = pipeline_id  # one notice across the pipeline's processes, as Find a Tender's notice id
        document = _document(NoticeType.UK1, pipeline_id, entry.title)
        release["planning"] = {
            "budget": {"amount": _money(entry.value), "description": "Estimated value (Procurement Act 2023 s.4)"},
            "documents": [document],
        }
        tender: dict[str, Any] = {
            "id": entry.reference,
            "title": entry.title,
            "status": "planned",
            "value": _money(entry.value),
        }
        if entry.category:
            tender["mainProcurementCategory"] = entry.category
        if entry.expected_notice is not None:
            # the communication extension's "estimated date of publication of the next sequential notice" (for a
            # planning notice, the competition notice), a dependency of the UK extension and in the EU profile
            tender["communication"] = {"futureNoticeDate": _when(entry.expected_notice)}
        if entry.description:
            tender["description"] = entry.description
        release["tender"] = tender
        if entry.replaces_contract:
            release["planning"]["rationale"] = f"Re-procures contract {entry.replaces_contract}, which expires"
        releases.append(release)
    return releases


# ---- tender-based notices --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Engagement:
    """Preliminary market engagement (Procurement Act 2023 s.16): how the council engages and when it closes
    (reg 17(2)(e)-(f))."""

    description: str
    closes_on: dt.date
    starts_on: dt.date | None = None


@dataclass(frozen=True)
class TenderFacts:
    """What a tender notice says beyond the evaluation model. `engagement` is the UK2 notice published before it;
    without one, `no_engagement_reason` must say why (s.17, Find a Tender's UK2 guidance)."""

    above_threshold: bool
    category: str = "services"
    procedure: str = "open"  # OCDS procurementMethod: open (open procedure) or selective (competitive flexible)
    tender_period_end: dt.date | None = None
    engagement: Engagement | None = None
    no_engagement_reason: str = ""
    suitable_for_sme: bool | None = None
    suitable_for_vcse: bool | None = None


def _lot_criteria(lot: Lot) -> dict[str, Any]:
    model = lot.model
    criteria: list[dict[str, Any]] = [
        {"type": "price", "name": "Price", "numbers": [{"number": model.price.weight, "weight": "percentageExact"}]}
    ]
    for group in model.groups:
        criteria.append(
            {"type": "quality", "name": group.title, "numbers": [{"number": group.weight, "weight": "percentageExact"}]}
        )
    return {"criteria": criteria, "description": award_criteria_details(model)}


def _tender(
    tender: Tender,
    *,
    status: str,
    facts: TenderFacts | None = None,
    with_criteria: bool = False,
    lot_status: str = "active",
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": tender.reference, "title": tender.title, "status": status}
    if tender.description:
        out["description"] = tender.description.strip()
    budgets = [lot.budget for lot in tender.lots]
    if budgets and all(b is not None for b in budgets):
        out["value"] = _money(sum((b for b in budgets if b is not None), Decimal(0)))
    lots = []
    for lot in tender.lots:
        item: dict[str, Any] = {"id": lot.id, "title": lot.title, "status": lot_status}
        if lot.budget is not None:
            item["value"] = _money(lot.budget)
        if with_criteria:
            item["awardCriteria"] = _lot_criteria(lot)
        if facts is not None and (facts.suitable_for_sme is not None or facts.suitable_for_vcse is not None):
            item["suitability"] = {
                k: v for k, v in (("sme", facts.suitable_for_sme), ("vcse", facts.suitable_for_vcse)) if v is not None
            }
        lots.append(item)
    out["lots"] = lots
    if facts is not None:
        out["aboveThreshold"] = facts.above_threshold
        out["mainProcurementCategory"] = facts.category
    return out


def engagement_notice(
    tender: Tender, engagement: Engagement, notice: Notice, facts: TenderFacts | None = None
) -> dict[str, Any]:
    """UK2 preliminary market engagement notice (s.17, reg 17): the engagement as a planning milestone of type
    `engagement` (as seen in Find a Tender's data), the process described and its close date."""
    release = _release(NoticeType.UK2, notice, tender.reference)
    milestone: dict[str, Any] = {
        "id": "engagement",
        "type": "engagement",
        "title": "Preliminary market engagement",
        "description": engagement.description,
        "dueDate": _when(engagement.closes_on),
    }
    release["planning"] = {
        "milestones": [milestone],
        "documents": [_document(NoticeType.UK2, release["id"], tender.title)],
    }
    release["tender"] = _tender(tender, status="planning", facts=facts, lot_status="planning")
    return release


def tender_notice(tender: Tender, facts: TenderFacts, notice: Notice) -> dict[str, Any]:
    """UK4 tender notice: the lots with their award criteria and weights (the EU profile's `lots[].awardCriteria`,
    with the evaluation model in words as `awardCriteria.description`), suitability for SMEs and VCSEs, and the
    reason no engagement notice was published when none was (`planning.noEngagementNoticeRationale`)."""
    if facts.engagement is None and facts.above_threshold and not facts.no_engagement_reason.strip():
        raise ValueError(
            "an above-threshold tender notice without a preliminary market engagement notice must "
            "give the reasons (Procurement Act 2023 s.17; Find a Tender's UK2 guidance)"
        )
    release = _release(NoticeType.UK4, notice, tender.reference)
    out = _tender(tender, status="active", facts=facts, with_criteria=True)
    out["procurementMethod"] = facts.procedure
    out["procurementMethodDetails"] = (
        "Open procedure (Procurement Act 2023 s.20(2)(a))"
        if facts.procedure == "open"
        else "Competitive flexible procedure (Procurement Act 2023 s.20(2)(b))"
    )
    if facts.tender_period_end is not None:
        out["tenderPeriod"] = {"endDate": _when(facts.tender_period_end)}
    out["documents"] = [_document(NoticeType.UK4, release["id"], tender.title)]
    release["tender"] = out
    if facts.engagement is None and facts.no_engagement_reason.strip():
        release["planning"] = {"noEngagementNoticeRationale": facts.no_engagement_reason.strip()}
    return release


@dataclass(frozen=True)
class LotAward:
    """The most advantageous tender on one lot, as the council intends to award it."""

    lot: str
    supplier: Organisation
    value: Decimal
    final_stage_bids: int | None = None


def lot_awards(results: Sequence[LotResult]) -> list[LotAward]:
    """The award each lot's final evaluation points to: its most advantageous tender (none while the ranking is
    pending), with the number of bids in the final stage."""
    awards = []
    for result in results:
        winner = result.winner if result.final else None
        if winner is not None:
            bid = winner.bid
            awards.append(
                LotAward(
                    result.lot.id,
                    Organisation(bid.bidder, bid.identifier),
                    bid.price,
                    final_stage_bids=len(result.ranking),
                )
            )
    return awards


@dataclass(frozen=True)
class AwardFacts:
    """When the assessment summaries went to every assessed supplier (s.50(3)) and the standstill the notice
    starts (s.51, computed by `commonweal.domain.calendar.standstill_period` from the notice's publication day)."""

    assessment_summaries_sent: dt.date
    standstill: Standstill
    above_threshold: bool
    category: str = "services"


def award_notice(tender: Tender, awards: Sequence[LotAward], facts: AwardFacts, notice: Notice) -> dict[str, Any]:
    """UK6 contract award notice: one pending award per lot, each with its standstill period and the date the
    assessment summaries were sent; final-stage bids per lot as bid statistics (UK code finalStageBids)."""
    if not awards:
        raise ValueError("a contract award notice needs at least one award")
    if facts.assessment_summaries_sent > facts.standstill.notice_published:
        raise ValueError(
            "the assessment summaries must be sent before the contract award notice is published "
            "(Procurement Act 2023 s.50(3))"
        )
    lots = {lot.id for lot in tender.lots}
    unknown = [a.lot for a in awards if a.lot not in lots]
    if unknown:
        raise ValueError(f"awards on lots the tender does not have: {', '.join(unknown)}")
    release = _release(
        NoticeType.UK6, notice, tender.reference, suppliers=list({a.supplier.id: a.supplier for a in awards}.values())
    )
    release["tender"] = _tender(tender, status="complete", facts=None)
    document = _document(NoticeType.UK6, release["id"], tender.title)
    titles = {lot.id: lot.title for lot in tender.lots}
    release["awards"] = [
        {
            "id": f"{tender.reference}-lot-{a.lot}",
            "title": f"{tender.title}: {titles[a.lot]}",
            "status": "pending",
            "value": _money(a.value),
            "suppliers": [_ref(a.supplier)],
            "relatedLots": [a.lot],
            "standstillPeriod": {
                "startDate": _when(facts.standstill.notice_published),
                "endDate": _when(facts.standstill.last_day),
            },
            "assessmentSummariesDateSent": _when(facts.assessment_summaries_sent),
            "aboveThreshold": facts.above_threshold,
            "mainProcurementCategory": facts.category,
            "documents": [document],
        }
        for a in awards
    ]
    statistics = [
        {"id": f"final-{a.lot}", "measure": "finalStageBids", "value": a.final_stage_bids, "relatedLot": a.lot}
        for a in awards
        if a.final_stage_bids is not None
    ]
    if statistics:
        release["bids"] = {"statistics": statistics}
    return release


def termination_notice(tender: Tender, decided_on: dt.date, reason: str, notice: Notice) -> dict[str, Any]:
    """UK12 procurement termination notice: the decision not to award (s.55), dated and explained; the tender and
    its lots cancelled."""
    if not reason.strip():
        raise ValueError("a procurement termination notice gives the reason the contract will not be awarded")
    release = _release(NoticeType.UK12, notice, tender.reference)
    out = _tender(tender, status="cancelled", lot_status="cancelled")
    out["statusDetails"] = reason.strip()
    out["finalStatusDate"] = _when(decided_on)
    out["documents"] = [_document(NoticeType.UK12, release["id"], tender.title)]
    release["tender"] = out
    return release


# ---- contract-based notices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetContract:
    """A contract as notices describe it: the managed contract (`commonweal.domain.contracts`), the procurement it
    came from (its reference names the ocid; the contract's own id when it has none) and its supplier's details."""

    contract: Contract
    supplier: Organisation
    procurement: str = ""
    signed_on: dt.date | None = None
    above_threshold: bool = True

    @property
    def reference(self) -> str:
        return self.procurement or self.contract.id

    @property
    def award_id(self) -> str:
        lot = self.contract.lot
        return f"{self.reference}-lot-{lot}" if lot else f"{self.reference}-award"


def _contract(let: LetContract, **extra: Any) -> dict[str, Any]:
    c = let.contract
    out: dict[str, Any] = {"id": c.id, "awardID": let.award_id, "title": c.title, **extra}
    return out


def _kpi_metric(kpi: Kpi) -> dict[str, Any]:
    return {
        "id": kpi.id,
        "title": kpi.title,
        "observations": [
            {"id": f"{kpi.id}-target", "measure": kpi.target, **({"unit": {"name": kpi.unit}} if kpi.unit else {})}
        ],
    }


def contract_details_notice(let: LetContract, notice: Notice) -> dict[str, Any]:
    """UK7 contract details notice (s.53, reg 32): the contract's value, term, signature date and supplier
    (SME, VCSE, public service mutual, supported employment provider: reg 32(2)(g)(iv)); for a contract over
    £5 million its top KPIs (`TOP_KPIS`, s.52) as agreed metrics, or the reason it has none."""
    c = let.contract
    release = _release(NoticeType.UK7, notice, let.reference, suppliers=[let.supplier])
    contract = _contract(
        let,
        status="active",
        value=_money(c.value),
        period={
            "startDate": _when(c.start),
            "endDate": _when(c.end),
            **({"maxExtentDate": _when(c.maximum_end)} if c.maximum_end else {}),
        },
        aboveThreshold=let.above_threshold,
    )
    if let.signed_on is not None:
        contract["dateSigned"] = _when(let.signed_on)
    if s52_applies(c):
        contract["agreedMetrics"] = [_kpi_metric(k) for k in c.kpis[:TOP_KPIS]]
    elif c.value > S52_VALUE_THRESHOLD:
        contract["noAgreedMetricsRationale"] = c.kpi_exemption_reason or (
            "A light touch contract: Procurement Act 2023 s.52(1) does not apply"
        )
    release["awards"] = [
        {
            "id": let.award_id,
            "status": "active",
            "suppliers": [_ref(let.supplier)],
            "value": _money(c.value),
            "documents": [_document(NoticeType.UK7, release["id"], c.title)],
        }
    ]
    release["contracts"] = [contract]
    return release


@dataclass(frozen=True)
class PerformanceFailure:
    """A breach or failure to perform that a contract performance notice reports (s.71(4)-(5), reg 39), in the
    UK extension's `performanceFailures` fields."""

    id: str
    requirement: str
    description: str
    decided_on: dt.date | None = None  # the supplier was judged to have failed to improve (s.71(4)(c))
    penalty_on: dt.date | None = None  # earliest of partial termination, damages or settlement
    penalty_type: str | None = None  # contracted, imposed or negotiated (closed codelist)
    penalty_value: Decimal | None = None
    partial_termination: str = ""  # what was partly terminated, in words


def _failure(f: PerformanceFailure, supplier: Organisation) -> dict[str, Any]:
    if f.penalty_type is not None and f.penalty_type not in ("contracted", "imposed", "negotiated"):
        raise ValueError(f"penalty type {f.penalty_type!r} is not one of contracted, imposed, negotiated")
    out: dict[str, Any] = {
        "id": f.id,
        "requirement": f.requirement,
        "description": f.description,
        "suppliers": [_ref(supplier)],
    }
    if f.decided_on is not None:
        out["decisionDate"] = _when(f.decided_on)
    if f.penalty_on is not None:
        out["penaltyDate"] = _when(f.penalty_on)
    if f.penalty_type is not None:
        out["penaltyType"] = f.penalty_type
    if f.penalty_value is not None:
        out["penaltyValue"] = _money(f.penalty_value)
    if f.partial_termination:
        out["partialTermination"] = f.partial_termination
    return out


def performance_notice(
    let: LetContract,
    assessments: Sequence[KpiAssessment],
    assessed: tuple[dt.date, dt.date],
    notice: Notice,
    failures: Sequence[PerformanceFailure] = (),
    sequence: str = "",
) -> dict[str, Any]:
    """UK9 contract performance notice (s.71, reg 39): each KPI's rating over the assessment window `assessed`
    (first and last day; the contract review's, `commonweal.domain.contracts.review`) as an observation with
    its reg 39(5) rating as `measureClassification` (`RATING_CLASSIFICATION`, unverified), the period assessed
    (reg 39(4)(h)), and any performance failures."""
    if not assessments and not failures:
        raise ValueError("a contract performance notice reports KPI assessments or performance failures")
    release = _release(NoticeType.UK9, notice, let.reference, sequence, suppliers=[let.supplier])
    period = {"startDate": _when(assessed[0]), "endDate": _when(assessed[1])}
    metrics = []
    for a in assessments:
        observation: dict[str, Any] = {
            "id": f"{a.kpi.id}-assessment",
            "measureClassification": {"id": RATING_CLASSIFICATION[a.rating], "description": a.rating.description},
            "notes": a.reason,
        }
        if a.window_average is not None:  # the mean as the assessment shows it, to 2 places
            observation["measure"] = a.window_average.quantize(Decimal("0.01"))
        if a.kpi.unit:
            observation["unit"] = {"name": a.kpi.unit}
        observation["period"] = period
        metrics.append({"id": a.kpi.id, "title": a.kpi.title, "observations": [observation]})
    implementation: dict[str, Any] = {"documents": [_document(NoticeType.UK9, release["id"], let.contract.title)]}
    if metrics:
        implementation["metrics"] = metrics
    if failures:
        implementation["performanceFailures"] = [_failure(f, let.supplier) for f in failures]
    release["contracts"] = [_contract(let, implementation=implementation)]
    return release


def change_notice(
    let: LetContract, check: VariationCheck, earlier: Sequence[Variation], notice: Notice, standstill: bool = False
) -> dict[str, Any]:
    """UK10 contract change notice (s.75), published before the modification: the variation as a proposed
    amendment with the amended contract's total value and term (the UK extension's `Amendment.value` and
    `period`), its ground under s.74 and whether a voluntary standstill follows (s.76)."""
    variation = check.variation
    c = let.contract
    before = [v for v in earlier if v.agreed_on <= variation.agreed_on and v.id != variation.id]
    value = c.value + sum((v.value_change for v in before), Decimal(0)) + variation.value_change
    months = sum(v.term_change_months for v in before) + variation.term_change_months
    ground = {
        "schedule_8": "a permitted modification under Schedule 8"
        + (f" paragraph {variation.schedule_8_paragraph}" if variation.schedule_8_paragraph else ""),
        "not_substantial": "not a substantial modification (s.74(1)(b))",
        "below_threshold": "a below-threshold modification (s.74(1)(c))",
        "light_touch": "a light touch contract modification (s.74(2))",
    }[variation.ground.value]
    release = _release(NoticeType.UK10, notice, let.reference, variation.id, suppliers=[let.supplier])
    amendment: dict[str, Any] = {
        "id": variation.id,
        "date": _when(variation.agreed_on),
        "description": variation.description,
        "rationale": f"Procurement Act 2023 s.74: {ground}",
        "value": _money(value),
        "period": {"startDate": _when(c.start), "endDate": _when(add_months(c.term_end, months))},
        "standstill": standstill,
        "aboveThreshold": let.above_threshold,
    }
    release["contracts"] = [
        _contract(let, proposedAmendments=[amendment], documents=[_document(NoticeType.UK10, release["id"], c.title)])
    ]
    return release


@dataclass(frozen=True)
class ContractEnd:
    """How a contract ended (s.80: discharge, expiry, termination by a party, rescission, set aside) and why."""

    ended_on: dt.date
    reason: str
    final_value: Decimal | None = None
    failures: tuple[PerformanceFailure, ...] = ()


def contract_termination_notice(let: LetContract, end: ContractEnd, notice: Notice) -> dict[str, Any]:
    """UK11 contract termination notice (s.80, reg 41): the reasons (41(2)(e)), the date (41(2)(f)), the
    estimated value (41(2)(g)) and any breach (41(2)(h)) as performance failures; end date and final value in the
    contract completion extension's fields."""
    if not end.reason.strip():
        raise ValueError("a contract termination notice gives the reasons the contract ended (reg 41(2)(e))")
    c = let.contract
    release = _release(NoticeType.UK11, notice, let.reference, suppliers=[let.supplier])
    implementation: dict[str, Any] = {
        "endDate": _when(end.ended_on),
        "endDateDetails": end.reason.strip(),
        "documents": [_document(NoticeType.UK11, release["id"], c.title)],
    }
    if end.final_value is not None:
        implementation["finalValue"] = _money(end.final_value)
    if end.failures:
        implementation["performanceFailures"] = [_failure(f, let.supplier) for f in end.failures]
    release["contracts"] = [_contract(let, status="terminated", value=_money(c.value), implementation=implementation)]
    return release
