"""`notices.yaml`: what a notice says that a tender folder or a contract folder does not (docs/publishing.md).

In a tender folder: the buyer's identifier, whether the procurement is above threshold, its procedure and
category, the tender period, the preliminary market engagement (or why there was none), suitability for SMEs and
VCSEs, when the assessment summaries were sent and the contract award notice published, and any decision not to
award, and (for a planned procurement in the pipeline notice) the day its tender notice is expected. In a contract
folder: the procurement it came from, the supplier's identifier and status (SME, VCSE,
public service mutual, supported employment provider), the signature date, how it ended, and performance
failures. Read through the one structured-input layer; every problem names the file and the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from commonweal.domain.notices.build import ContractEnd, Engagement, PerformanceFailure, TenderFacts
from commonweal.io.errors import ProblemCollector
from commonweal.io.fields import Fields, yaml_fields
from commonweal.io.structured import read_bytes

NOTICES_FILE = "notices.yaml"


@dataclass(frozen=True)
class TenderNoticeSettings:
    buyer_identifier: str
    facts: TenderFacts
    assessment_summaries_sent: dt.date | None = None
    award_notice_date: dt.date | None = None
    terminated_on: dt.date | None = None
    termination_reason: str = ""
    expected_notice: dt.date | None = None  # when the tender notice is expected (the pipeline notice, UK1)


@dataclass(frozen=True)
class ContractNoticeSettings:
    buyer_identifier: str
    procurement: str
    supplier_identifier: str
    sme: bool | None
    vcse: bool | None
    public_service_mutual: bool | None
    supported_employment_provider: bool | None
    signed_on: dt.date | None
    above_threshold: bool
    end: ContractEnd | None
    failures: tuple[PerformanceFailure, ...]


def _optional_flag(fields: Fields, key: str) -> bool | None:
    return fields.flag(key) if key in fields.data else None


def _read(folder: Path, problems: ProblemCollector) -> Fields:
    """notices.yaml's top-level reader (an absent or unreadable file reads as empty, its problems recorded)."""
    path = folder / NOTICES_FILE
    label = str(path)
    found = yaml_fields(label, read_bytes(path, label), problems, "notice settings") if path.exists() else None
    return found or Fields({}, label, "", problems)


def read_tender_settings(folder: Path) -> TenderNoticeSettings:
    """The tender folder's notices.yaml (every key optional; an absent file means a below-threshold open
    procedure for services with nothing else recorded)."""
    problems = ProblemCollector()
    f = _read(folder, problems)
    data = f.data
    engagement = None
    if "engagement" in data:
        raw = data["engagement"]
        if isinstance(raw, dict):
            e = f.at("engagement")
            description, closes = e.text("description"), e.date("closes_on")
            if description and closes:
                engagement = Engagement(description, closes, e.date("starts_on", required=False))
        else:
            f.expected("engagement", "a mapping with description and closes_on")
    procedure = f.text("procedure", required=False) or "open"
    if procedure not in ("open", "selective"):
        f.problem("procedure", f"expected open or selective, found {procedure!r}")
    category = f.text("category", required=False) or "services"
    if category not in ("goods", "services", "works"):
        f.problem("category", f"expected goods, services or works, found {category!r}")
    facts = TenderFacts(
        above_threshold=f.flag("above_threshold"),
        category=category,
        procedure=procedure,
        tender_period_end=f.date("tender_period_end", required=False),
        engagement=engagement,
        no_engagement_reason=f.text("no_engagement_reason", required=False) or "",
        suitable_for_sme=_optional_flag(f, "suitable_for_sme"),
        suitable_for_vcse=_optional_flag(f, "suitable_for_vcse"),
    )
    termination = data.get("termination")
    terminated_on, reason = None, ""
    if isinstance(termination, dict):
        t = f.at("termination")
        terminated_on, reason = t.date("decided_on"), t.text("reason") or ""
    elif termination is not None:
        f.expected("termination", "a mapping with decided_on and reason")
    settings = TenderNoticeSettings(
        buyer_identifier=f.text("buyer_identifier", required=False) or "",
        facts=facts,
        assessment_summaries_sent=f.date("assessment_summaries_sent", required=False),
        award_notice_date=f.date("award_notice_published", required=False),
        terminated_on=terminated_on,
        termination_reason=reason,
        expected_notice=f.date("expected_notice", required=False),
    )
    problems.raise_if_any()
    return settings


def _failure(f: Fields) -> PerformanceFailure | None:
    ident, requirement, description = f.text("id"), f.text("requirement"), f.text("description")
    penalty_type = f.text("penalty_type", required=False)
    if penalty_type is not None and penalty_type not in ("contracted", "imposed", "negotiated"):
        f.problem("penalty_type", f"expected contracted, imposed or negotiated, found {penalty_type!r}")
        return None
    value = f.decimal("penalty_value", required=False, minimum=Decimal(0), money=True)
    if ident is None or requirement is None or description is None or f.failed:
        return None
    return PerformanceFailure(
        ident,
        requirement,
        description,
        f.date("decided_on", required=False),
        f.date("penalty_on", required=False),
        penalty_type,
        value,
        f.text("partial_termination", required=False) or "",
    )


def read_contract_settings(folder: Path) -> ContractNoticeSettings:
    """The contract folder's notices.yaml (every key optional)."""
    problems = ProblemCollector()
    f = _read(folder, problems)
    data = f.data
    failures = tuple(x for i, _ in enumerate(f.items("failures")) if (x := _failure(f.at("failures", i))) is not None)
    end = None
    ended = data.get("ended")
    if isinstance(ended, dict):
        e = f.at("ended")
        on, reason = e.date("date"), e.text("reason")
        final = e.decimal("final_value", required=False, minimum=Decimal(0), money=True)
        if on and reason:
            end = ContractEnd(on, reason, final, failures)
    elif ended is not None:
        f.expected("ended", "a mapping with date and reason")
    settings = ContractNoticeSettings(
        buyer_identifier=f.text("buyer_identifier", required=False) or "",
        procurement=f.text("procurement", required=False) or "",
        supplier_identifier=f.text("supplier_identifier", required=False) or "",
        sme=_optional_flag(f, "sme"),
        vcse=_optional_flag(f, "vcse"),
        public_service_mutual=_optional_flag(f, "public_service_mutual"),
        supported_employment_provider=_optional_flag(f, "supported_employment_provider"),
        signed_on=f.date("signed_on", required=False),
        above_threshold=f.flag("above_threshold") if "above_threshold" in data else True,
        end=end,
        failures=failures,
    )
    problems.raise_if_any()
    return settings
