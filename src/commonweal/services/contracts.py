"""Contract review use case: load contract folders, review each contract, return plain data (the JSON the CLI
prints and the review pack renders), and optionally write the HTML and PDF packs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from commonweal.domain.contracts.review import ContractReview, review_contract
from commonweal.domain.rag import Rag
from commonweal.io.contracts import ContractFolder, SupplierAccounts, load_contract_folders
from commonweal.io.errors import ProblemCollector
from commonweal.io.reports.contract_review import write_contract_review_packs
from commonweal.services.contract_review import review_as_json
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
