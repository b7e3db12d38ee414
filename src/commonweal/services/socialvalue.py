"""Social value use cases for the CLI and the web app: load the files, run the domain, return plain data.

Every £ figure is returned as a string (exact, never a float). Every output that shows library values carries
the library's pin (name, declared version, content hash) and the licence markings of any restricted value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from commonweal.domain.socialvalue.commitments import BidSocialValue, Commitment, value_bids
from commonweal.domain.socialvalue.delivery import track_delivery
from commonweal.domain.socialvalue.library import Library, Measure, licence_markings
from commonweal.domain.socialvalue.maturity import QUESTIONS, Answer, assess
from commonweal.domain.socialvalue.rebase import rebase
from commonweal.domain.socialvalue.sroi import GREEN_BOOK_DISCOUNT_RATES, SroiResult, analyse
from commonweal.domain.socialvalue.washing import ContractContext, check_bid
from commonweal.io.errors import InputError, Problem
from commonweal.io.socialvalue import (
    SocialValueSettings,
    open_library,
    read_commitments,
    read_deflators,
    read_delivery,
    read_folder_commitments,
    read_impact_map,
    read_library,
    read_settings,
)
from commonweal.io.tender_folder import load_tender_folder

DISCOUNT_SOURCE = (
    "HM Treasury, The Green Book, Annex A6 'Discounting', Table 8 'Declining Long Term Discount Rate': "
    "3.5% a year for years 0-30, 3.0% for years 31-75, 2.5% for years 76-125"
)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def load_library(path: Path | None = None, version: str = "undeclared") -> Library:
    """The council's own library file, or Commonweal's open library when `path` is None."""
    return open_library() if path is None else read_library(path, version=version)


def library_header(library: Library, measures: Iterable[Measure] | None = None) -> dict[str, Any]:
    pin = library.pin()
    return {
        "name": pin.name,
        "version": pin.version,
        "content_hash": pin.content_hash,
        "licence_markings": list(licence_markings(library.measures if measures is None else measures)),
    }


def measure_as_dict(measure: Measure) -> dict[str, Any]:
    return {
        "id": measure.id,
        "theme": measure.theme,
        "outcome": measure.outcome,
        "measure": measure.name,
        "unit": measure.unit,
        "unit_description": measure.unit_description,
        "proxy_gbp": _text(measure.proxy),
        "record_only": measure.record_only,
        "price_year": measure.price_year,
        "price_base_note": measure.price_base_note,
        "source": measure.source_title,
        "source_reference": measure.source_reference,
        "section": measure.section,
        "licence": measure.licence.text,
        "licence_marking": measure.licence.marking,
        "evidence_required": measure.evidence_required,
        "deadweight": _text(measure.deadweight),
        "attribution": _text(measure.attribution),
        "displacement": _text(measure.displacement),
        "drop_off": _text(measure.drop_off),
        "verified": measure.verified,
        "notes": measure.notes,
    }


def measures_report(
    library_path: Path | None = None,
    version: str = "undeclared",
    rebase_to: str | None = None,
    deflators_path: Path | None = None,
) -> dict[str, Any]:
    """The library's measures by theme and outcome, optionally re-based to `rebase_to` prices."""
    library = load_library(library_path, version)
    report: dict[str, Any] = {"library": library_header(library), "measures": []}
    series = read_deflators(deflators_path) if rebase_to else None
    if series is not None:
        report["deflator"] = {"series": series.name, "basis": series.basis, "source": series.source,
                              "licence": series.licence, "target": rebase_to}
    for measure in library.measures:
        row = measure_as_dict(measure)
        if series is not None and rebase_to is not None:
            if measure.proxy is None:
                row["rebased_gbp"], row["rebase_note"] = None, "record only: no £ value to re-base"
            else:
                rebased = rebase(measure.proxy, measure.price_year, rebase_to, series)
                row["rebased_gbp"], row["rebase_note"] = _text(rebased.value), rebased.reason
        report["measures"].append(row)
    return report


def bid_as_dict(bid: BidSocialValue, flags: Iterable[Any]) -> dict[str, Any]:
    return {
        "bidder": bid.bidder,
        "lot": bid.lot,
        "social_value_gbp": str(bid.total),
        "bid_price": _text(bid.bid_price),
        "share_of_bid_price_percent": _text(bid.share_of_bid_price),
        "contract_value": _text(bid.contract_value),
        "per_pound_of_contract_value": _text(bid.per_pound_of_contract),
        "commitments": [
            {
                "measure": line.measure.id,
                "quantity": str(line.commitment.quantity),
                "unit": line.measure.unit,
                "year": line.commitment.year,
                "proxy_gbp": _text(line.measure.proxy),
                "price_year": line.measure.price_year,
                "value_gbp": _text(line.value),
                "record_only": line.record_only,
                "owner": line.commitment.owner,
                "milestone": line.commitment.milestone,
                "licence_marking": line.measure.licence.marking,
            }
            for line in bid.lines
        ],
        "flags": [{"check": f.check, "measures": list(f.measures), "reason": f.reason} for f in flags],
    }


def assess_commitments(
    commitments: Iterable[Commitment],
    library: Library,
    settings: SocialValueSettings,
    bid_prices: Mapping[tuple[str, str], Decimal],
    contract_values: Mapping[str, Decimal],
) -> tuple[tuple[BidSocialValue, ...], dict[str, Any]]:
    """Value each bid's commitments, run the anti-washing checks and build the report."""
    commitments = tuple(commitments)
    bids = value_bids(commitments, library, bid_prices, contract_values)
    used = [library.measure(c.measure_id) for c in commitments]
    report = {
        "library": library_header(library, used),
        "criterion": settings.criterion,
        "selection_note": "Measures are selected only from the council's core values, each with a relevance and "
                          "proportionality reason (Procurement Act 2023 s.23(2)(a) and (d)).",
        "anti_washing_policy": {
            "max_share_of_contract_value": str(settings.policy.max_share_of_contract_value),
            "label": "Commonweal default thresholds, configurable in socialvalue.yaml",
        },
        "bids": [
            bid_as_dict(bid, check_bid(bid, library, settings.contexts.get(bid.lot, ContractContext()),
                                       settings.policy))
            for bid in sorted(bids, key=lambda b: (b.lot, -b.total, b.bidder))
        ],
    }
    return bids, report


def commitments_report(
    folder: Path, library_path: Path | None = None, version: str = "undeclared"
) -> dict[str, Any]:
    """`commonweal socialvalue commitments DIR`: each bid's committed £ per bidder and lot, with flags."""
    tender = load_tender_folder(folder)
    settings = read_settings(folder, library_path, version)
    bids = {(b.bidder, b.lot): b.price for b in tender.bids}
    commitments = read_folder_commitments(folder, settings, bids)
    if commitments is None:
        raise InputError([Problem(str(folder), "has no commitments.csv or commitments.xlsx; expected columns "
                                  "bidder, lot, measure, quantity, year")])
    _, report = assess_commitments(commitments, settings.library, settings, bids,
                                   {lot.id: lot.budget for lot in tender.tender.lots if lot.budget is not None})
    report["tender"] = {"reference": tender.tender.reference, "title": tender.tender.title}
    report["core_values"] = [
        {"id": v.id, "title": v.title, "outcomes": list(v.outcomes), "measures": list(v.measures)}
        for v in (settings.core_values.values if settings.core_values else ())
    ]
    report["selections"] = [
        {"measure": s.measure_id, "core_value": s.core_value_id, "relevance": s.relevance,
         "proportionality": s.proportionality}
        for s in settings.selections
    ]
    return report


def delivery_report(
    commitments_path: Path,
    returns_path: Path,
    library_path: Path | None = None,
    version: str = "undeclared",
    as_of_year: int | None = None,
) -> dict[str, Any]:
    """Committed against verified delivery per commitment and contract; RAG None means not yet due."""
    library = load_library(library_path, version)
    commitments = read_commitments(commitments_path, library)
    result = track_delivery(commitments, read_delivery(returns_path, library), library, as_of_year=as_of_year)
    return {
        "library": library_header(library, [library.measure(c.measure_id) for c in commitments]),
        "as_of_year": as_of_year,
        "rag_policy": "green from 100% of the commitment delivered and verified, amber from 75%, red below "
                      "(Commonweal defaults)",
        "contracts": [
            {
                "supplier": contract.supplier,
                "lot": contract.lot,
                "committed_gbp": str(contract.committed_value),
                "delivered_gbp": str(contract.delivered_value),
                "rag": contract.rag,
                "commitments": [
                    {
                        "measure": line.commitment.measure_id,
                        "year": line.commitment.year,
                        "committed_units": str(line.commitment.quantity),
                        "delivered_units": str(line.delivered),
                        "unverified_units": str(line.unverified),
                        "rejected_units": str(line.rejected),
                        "committed_gbp": _text(line.committed_value),
                        "delivered_gbp": _text(line.delivered_value),
                        "rag": line.rag,
                        "evidence": [r.evidence for r in line.records],
                    }
                    for line in contract.lines
                ],
            }
            for contract in result.contracts
        ],
        "unmatched_returns": [
            {"supplier": r.supplier, "lot": r.lot, "measure": r.measure_id, "year": r.year, "period": r.period,
             "quantity": str(r.quantity)}
            for r in result.unmatched
        ],
    }


def sroi_report(path: Path, library_path: Path | None = None, version: str = "undeclared") -> dict[str, Any]:
    """Present value, SROI ratio, net ratio and the break-even sensitivity table of an impact map file."""
    library = load_library(library_path, version)
    return sroi_data(analyse(read_impact_map(path, library)), library)


def sroi_data(result: SroiResult, library: Library) -> dict[str, Any]:
    """An SROI result as plain JSON-ready data (exact decimal strings): the CLI's report and the web's stored one."""
    return {
        "name": result.impact_map.name,
        "investment": str(result.impact_map.investment),
        "present_value": str(result.present_value),
        "net_present_value": str(result.net_present_value),
        "ratio": str(result.ratio),
        "net_ratio": str(result.net_ratio),
        "discount_rates": {
            "bands": [{"from_year": a, "to_year": b, "rate": str(r)} for a, b, r in GREEN_BOOK_DISCOUNT_RATES],
            "source": DISCOUNT_SOURCE,
        },
        "outcomes": [
            {
                "outcome": r.line.outcome,
                "stakeholder": r.line.stakeholder,
                "measure": r.line.measure_id or None,
                "first_year_impact": str(r.line.first_year_impact.quantize(Decimal("0.01"))),
                "present_value": str(r.present_value.quantize(Decimal("0.01"))),
                "years": [
                    {"year": y.year, "impact": str(y.impact.quantize(Decimal("0.01"))),
                     "discount_factor": str(y.discount_factor.quantize(Decimal("0.000001"))),
                     "present_value": str(y.present_value.quantize(Decimal("0.01")))}
                    for y in r.years
                ],
            }
            for r in result.lines
        ],
        "sensitivity": [
            {
                "outcome": row.outcome,
                "assumption": row.assumption,
                "current": str(row.current),
                "break_even": _text(row.break_even),
                "ratio_below_1_when": row.direction,
                "reachable": row.reachable,
                "change": _text(row.change),
            }
            # reachable first, smallest relative change first; an assumption now at 0 has no relative change
            for row in sorted(result.sensitivity,
                              key=lambda s: (not s.reachable, s.change is None, abs(s.change or 0)))
        ],
        "library": library_header(library, [library.measure(line.measure_id) for line in result.impact_map.lines
                                            if line.measure_id]),
    }


def maturity_report(answers: Iterable[Answer]) -> dict[str, Any]:
    result = assess(answers)
    by_id = {q.id: q for q in QUESTIONS}
    return {
        "level": result.level,
        "mean_score": str(result.mean_score),
        "scale": "0 = not at all, 1 = slightly, 2 = moderately, 3 = significantly; level = mean rounded half up "
                 "(Commonweal default banding)",
        "answers": [{"question": a.question_id, "text": by_id[a.question_id].text, "answer": a.level, "note": a.note}
                    for a in result.answers],
        "reasons": list(result.reasons),
        "next_steps": list(result.next_steps),
        "benchmark": {
            "source": result.benchmark.source,
            "shares_percent": {level: str(share) for level, share in result.benchmark.shares},
            "same_level_percent": str(result.comparison.same),
            "below_percent": str(result.comparison.below),
            "above_percent": str(result.comparison.above),
        },
    }
