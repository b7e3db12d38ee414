"""Contract review use case: load contract folders, review each contract, return plain data (the JSON the CLI
prints and the review pack renders), and optionally write the HTML and PDF packs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from commonweal.domain.contracts.model import Period, ProviderReport
from commonweal.domain.contracts.modifications import VariationCheck
from commonweal.domain.contracts.ratings import KpiAssessment
from commonweal.domain.contracts.review import ContractReview, Option, review_contract
from commonweal.domain.contracts.social_value import CommitmentAssessment
from commonweal.domain.contracts.triggers import Side
from commonweal.domain.rag import Rag
from commonweal.io.contracts import ContractFolder, SupplierAccounts, load_contract_folders
from commonweal.io.errors import ProblemCollector
from commonweal.io.reports.contract_review import write_contract_review_packs
from commonweal.services.reports import write_all_or_nothing
from commonweal.services.suppliers import AssessmentRequest, assess_suppliers


def supplier_financial_rating(accounts: SupplierAccounts, supplier: str) -> tuple[Rag | None, str]:
    """The supplier resilience rating of `supplier`'s latest accounts in `accounts.file`, and its basis.

    Resilience rates a supplier "missing" when a figure its rating needs cannot be computed; the contract's trigger
    then has no rating and is *not assessed*, with resilience's reasons (Commonweal's mapping: missing data is
    never read as good news, and an incomplete set of accounts is not evidence of distress either). A file that
    does not hold the contract's supplier is bad input, not a missing rating.
    """
    register = assess_suppliers(AssessmentRequest(accounts=accounts.file, unit=accounts.unit, tier=accounts.tier))
    risk = next((r for r in register if r.supplier == supplier), None)
    if risk is None:
        problems = ProblemCollector()
        problems.add(accounts.file.name, f"holds no accounts for the contract's supplier '{supplier}' (it has "
                     + ", ".join(sorted(r.supplier for r in register)) + ")", column="supplier")
        problems.raise_if_any()
    assert risk is not None
    basis = (f"supplier resilience assessment of {accounts.file.name}, accounts to "
             f"{risk.latest.accounts.year_end.isoformat()}, {accounts.tier.value} tier")
    if risk.rating is Rag.MISSING:
        reasons = "; ".join(r.text for r in risk.reasons if r.rating is Rag.MISSING) or "figures missing"
        return None, f"not assessed: the {basis} could not rate the supplier ({reasons})"
    return risk.rating, basis


def review_folder(folder: ContractFolder, as_of: dt.date) -> ContractReview:
    contract = folder.contract
    if folder.supplier_accounts is not None:
        rating, basis = supplier_financial_rating(folder.supplier_accounts, contract.supplier)
        contract = replace(contract, financial_rating=rating, financial_rating_basis=basis)
    return review_contract(
        contract, folder.returns, folder.variations, as_of,
        triggers=folder.triggers, social_value=folder.social_value, window_months=folder.window_months,
    )


def review_contracts(path: Path, as_of: dt.date) -> list[dict[str, Any]]:
    """Review every contract under `path` (a contract.yaml, a contract folder or a folder of them) as at `as_of`.

    Raises InputError, naming file, row and column, if any file under `path` is bad; nothing is reviewed then.
    """
    return [review_as_json(review_folder(folder, as_of)) for folder in load_contract_folders(path, as_of)]


def write_review_packs(reviews: list[dict[str, Any]], out: Path) -> list[Path]:
    """The two-sided review pack (HTML and PDF) for each reviewed contract, written into `out` all or nothing."""
    return write_all_or_nothing(out, lambda staging: write_contract_review_packs(reviews, staging))


def _text(value: Decimal | None) -> str | None:
    """Money and measures leave as exact decimal strings, never floats."""
    return None if value is None else f"{value:f}"


def _rounded(value: Decimal | None) -> str | None:
    """Derived figures (means, percentages) shown to two places; the rules ran on the exact values."""
    return None if value is None else _text(value.quantize(Decimal("0.01")))


def _kpi(k: KpiAssessment) -> dict[str, Any]:
    return {
        "id": k.kpi.id, "title": k.kpi.title, "kind": "service", "unit": k.kpi.unit,
        "target": _text(k.kpi.target), "direction": k.kpi.direction.value,
        "tolerance": _text(k.kpi.tolerance), "inadequate_beyond": _text(k.kpi.inadequate_beyond),
        "rating": k.rating.value, "reason": k.reason,
        "window_average": _rounded(k.window_average),
        "periods": [{"period": h.period.label, "actual": _text(h.actual), "rating": h.rating.value} for h in k.history],
    }


def _commitment(c: CommitmentAssessment) -> dict[str, Any]:
    return {
        "measure": c.commitment.measure_id, "measure_name": c.commitment.measure.name,
        "source": c.commitment.measure.source_title, "year": c.commitment.year, "unit": c.commitment.unit,
        "quantity": _text(c.commitment.quantity), "value": _text(c.commitment.value),
        "due_to_date": _text(c.due_to_date.normalize()), "delivered": _text(c.delivered),
        "unverified": _text(c.unverified), "rejected": _text(c.rejected),
        "value_due": _text(c.value_due), "value_delivered": _text(c.value_delivered),
        "rating": c.rating.value, "reason": c.reason,
    }


def _commitment_as_kpi(c: CommitmentAssessment) -> dict[str, Any]:
    """A social value commitment carried over from the bid, listed among the KPIs it is managed as."""
    return {
        "id": f"social_value:{c.commitment.measure_id}:year{c.commitment.year}",
        "title": f"Social value: {c.commitment.measure.name} (contract year {c.commitment.year})",
        "kind": "social_value", "unit": c.commitment.unit, "target": _text(c.due_to_date.normalize()),
        "direction": "higher_is_better", "tolerance": None, "inadequate_beyond": None,
        "rating": c.rating.value, "reason": c.reason, "window_average": None, "periods": [],
    }


def _provider_report(period: Period, report: ProviderReport) -> dict[str, Any]:
    return {
        "period": period.label, "cost_growth_pct": _text(report.cost_growth_pct), "volume": _text(report.volume),
        "workforce_fte": _text(report.workforce_fte), "vacancies": _text(report.vacancies),
        "margin_pct": _text(report.margin_pct), "cost_pressures": report.cost_pressures,
    }


def _option(o: Option) -> dict[str, Any]:
    return {"option": o.id, "title": o.title, "what": o.what, "consequences": list(o.consequences)}


def _variation(v: VariationCheck) -> dict[str, Any]:
    return {
        "id": v.variation.id, "agreed_on": v.variation.agreed_on.isoformat(), "description": v.variation.description,
        "value_change": _text(v.variation.value_change),
        "value_change_pct": _rounded(v.value_change_pct),
        "term_change_months": v.variation.term_change_months,
        "term_change_pct": _rounded(v.term_change_pct),
        "ground": v.variation.ground.value, "schedule_8_paragraph": v.variation.schedule_8_paragraph,
        "ground_status": v.ground_status.value, "lawful_routes": [r.value for r in v.lawful_routes],
        "substantial": v.substantial, "substantial_reasons": list(v.substantial_reasons),
        "below_threshold_failures": list(v.below_threshold_failures),
        "change_notice_required": v.change_notice_required,
        "change_notice_published": v.variation.change_notice_published, "flags": list(v.flags),
    }


def review_as_json(review: ContractReview) -> dict[str, Any]:
    """The review as plain JSON-ready data: contract, rating, kpis, social_value, triggers, recommended_actions,
    plus the period ratings, variations log, warnings and the provider's own account."""
    c = review.contract
    sv = review.social_value
    return {
        "contract": {
            "id": c.id, "title": c.title, "buyer": c.buyer, "supplier": c.supplier, "lot": c.lot,
            "value": _text(c.value), "start": c.start.isoformat(), "end": c.end.isoformat(),
            "maximum_end": c.term_end.isoformat(), "kind": c.kind.value, "light_touch": c.light_touch,
            "frequency": c.frequency.value,
            "financial_rating": c.financial_rating.value if c.financial_rating else None,
            "financial_rating_basis": c.financial_rating_basis or None,
        },
        "as_of": review.as_of.isoformat(),
        "assessment_window": {"start": review.window_start.isoformat(), "end": review.as_of.isoformat()},
        "rating": {"rating": review.rating.value, "description": review.rating.description,
                   "reasons": list(review.rating_reasons)},
        "kpis": [_kpi(k) for k in review.kpis] + [_commitment_as_kpi(s) for s in sv.commitments],
        "periods": [{"period": p.period.label, "rating": p.rating.value, "reasons": list(p.reasons)}
                    for p in review.periods],
        "social_value": {
            "committed": _text(sv.committed), "due_to_date": _text(sv.due_to_date), "delivered": _text(sv.delivered),
            "status": sv.status.value, "commitments": [_commitment(s) for s in sv.commitments],
        },
        "triggers": [
            {"id": t.id, "title": t.title, "side": t.side.value, "status": t.status.value, "fired": t.fired,
             "explanation": t.explanation, "finding": t.finding}
            for t in review.triggers
        ],
        "not_working_for": {side.value: [t.id for t in review.not_working_for(side)]
                            for side in (Side.COUNCIL, Side.PROVIDER)},
        "recommended_actions": [{**_option(a.option), "because": list(a.because)} for a in review.recommended_actions],
        "options": [_option(o) for o in review.options],
        "variations": [_variation(v) for v in review.variations],
        "warnings": list(review.warnings),
        "performance_notice": {
            "required": review.notice.required, "basis": review.notice.basis,
            "period": {"start": review.notice.period_start.isoformat(), "end": review.notice.period_end.isoformat()},
            "ratings": [{"kpi": kpi, "title": title, "rating": rating.value}
                        for kpi, title, rating in review.notice.ratings],
        },
        "provider": {"reports": [_provider_report(period, report) for period, report in review.provider_reports]},
    }
