"""A contract review as plain JSON-ready data: the document `commonweal contracts review --format json` prints, the
review pack renders, and the workspace stores per contract. Kept apart from `commonweal.services.contracts` (which
also joins supplier resilience and spend) so the web workspace stores reviews without loading those engines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from commonweal.domain.contracts.model import Period, ProviderReport
from commonweal.domain.contracts.modifications import VariationCheck
from commonweal.domain.contracts.ratings import KpiAssessment
from commonweal.domain.contracts.review import ContractReview, Option, policy_settings
from commonweal.domain.contracts.social_value import CommitmentAssessment
from commonweal.domain.contracts.triggers import Side


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
    plus the period ratings, variations log, warnings, the provider's own account and the thresholds used (`policy`:
    each with its Commonweal default and whether it is the contract's own)."""
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
        "policy": [{"setting": p.name, "value": p.value, "default": p.default, "own": p.own}
                   for p in policy_settings(review)],
    }
