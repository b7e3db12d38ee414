"""Procurement Act 2023 notices from a tender folder and contract folders (`commonweal notices build|validate`),
and the one check every notice goes through, wherever it was built (CLI or workspace): libcoveocds offline
against OCDS 1.1.5 patched with the extensions the package declares (`commonweal.io.ocds.write`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commonweal.domain.calendar import standstill_period
from commonweal.domain.contracts.model import Contract
from commonweal.domain.contracts.review import review_contract
from commonweal.domain.notices import build
from commonweal.domain.notices.build import AwardFacts, LetContract, Notice, Organisation
from commonweal.domain.notices.kinds import NoticeType
from commonweal.domain.reference.bank_holidays import bank_holidays
from commonweal.io.errors import InputError, Problem
from commonweal.io.notices import ContractNoticeSettings
from commonweal.io.ocds.write import NOTICE_EXTENSIONS, release_package, validate_package


@dataclass(frozen=True)
class Check:
    """libcoveocds' verdict on a notice package: its validation errors (none means valid) and the extensions it
    could not load."""

    errors: tuple[str, ...]
    invalid_extensions: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.errors and not self.invalid_extensions


def notice_package(releases: Sequence[Mapping[str, Any]], *, publisher: str, published: str) -> dict[str, Any]:
    """A release package declaring Find a Tender's extensions (`NOTICE_EXTENSIONS`)."""
    return release_package(releases, publisher=publisher, published=published, extensions=list(NOTICE_EXTENSIONS))


def check(package: Mapping[str, Any]) -> Check:
    result = validate_package(package)
    errors = tuple(f"{e.get('path', '')}: {e.get('description', e)}" for e in result["validation_errors"])
    invalid = tuple(f"{url}: {why}" for url, why in result["invalid_extensions"].items())
    return Check(errors, invalid)


def notice_type(release: Mapping[str, Any]) -> NoticeType | None:
    """Which notice a release is: the `noticeType` of the document whose id is the release's, in any of the
    release's `documents` arrays (the rule the UK extension's README recommends)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "documents" and isinstance(value, list):
                    found.extend(
                        d["noticeType"]
                        for d in value
                        if isinstance(d, dict) and d.get("id") == release.get("id") and "noticeType" in d
                    )
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(release)
    try:
        return NoticeType(found[0]) if found else None
    except ValueError:  # a notice type Commonweal does not build
        return None


def _published_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def tender_releases(tender_dir: Path, ocid_prefix: str, when: dt.datetime) -> list[dict[str, Any]]:
    """UK2 (if engagement is recorded), UK4, UK6 (for the lots whose evaluation is final with a winner, once the
    assessment summaries and award notice dates are recorded) and UK12 (if a decision not to award is recorded)."""
    from commonweal.io.notices import read_tender_settings
    from commonweal.services.evaluation import evaluate_folder

    settings = read_tender_settings(tender_dir)
    evaluation = evaluate_folder(tender_dir)
    tender = evaluation.tender
    notice = Notice(Organisation(tender.buyer, settings.buyer_identifier), ocid_prefix, when)
    label = str(tender_dir)
    try:
        releases = []
        if settings.facts.engagement is not None:
            releases.append(build.engagement_notice(tender, settings.facts.engagement, notice, settings.facts))
        releases.append(build.tender_notice(tender, settings.facts, notice))
        if settings.terminated_on is not None:
            releases.append(
                build.termination_notice(tender, settings.terminated_on, settings.termination_reason, notice)
            )
            return releases
        awards = build.lot_awards([lot.result for lot in evaluation.lots])
        if awards and settings.assessment_summaries_sent and settings.award_notice_date:
            facts = AwardFacts(
                settings.assessment_summaries_sent,
                standstill_period(settings.award_notice_date, bank_holidays()),
                settings.facts.above_threshold,
                settings.facts.category,
            )
            releases.append(build.award_notice(tender, awards, facts, notice))
    except ValueError as error:
        raise InputError([Problem(file=label, message=str(error))]) from None
    return releases


def _let(contract: Contract, settings: ContractNoticeSettings) -> LetContract:
    """A contract folder's contract with its notices.yaml: the supplier's identity and status, the procurement."""
    supplier = Organisation(contract.supplier, settings.supplier_identifier, settings.sme, settings.vcse,
                            settings.public_service_mutual, settings.supported_employment_provider)
    return LetContract(contract, supplier, settings.procurement, settings.signed_on, settings.above_threshold)


def contract_releases(contract_dir: Path, ocid_prefix: str, when: dt.datetime, as_of: dt.date) -> list[dict[str, Any]]:
    """UK7, UK9 (the contract review's KPI assessment as at `as_of`, where the contract has KPIs), UK10 (each
    variation s.75 says needs a change notice) and UK11 (if the contract's end is recorded)."""
    from commonweal.io.contracts import load_contract_folder
    from commonweal.io.notices import read_contract_settings

    settings = read_contract_settings(contract_dir)
    loaded = load_contract_folder(contract_dir, as_of)
    contract = loaded.contract
    let = _let(contract, settings)
    notice = Notice(Organisation(contract.buyer, settings.buyer_identifier), ocid_prefix, when)
    review = review_contract(
        contract,
        loaded.returns,
        loaded.variations,
        as_of,
        triggers=loaded.triggers,
        social_value=loaded.social_value,
        window_months=loaded.window_months,
    )
    try:
        releases = [build.contract_details_notice(let, notice)]
        if contract.kpis or settings.failures:
            releases.append(
                build.performance_notice(
                    let,
                    review.kpis,
                    (review.window_start, as_of),
                    notice,
                    settings.failures if settings.end is None else (),
                )
            )
        for variation_check in review.variations:
            if variation_check.change_notice_required:
                releases.append(build.change_notice(let, variation_check, loaded.variations, notice))
        if settings.end is not None:
            releases.append(build.contract_termination_notice(let, settings.end, notice))
    except ValueError as error:
        raise InputError([Problem(file=str(contract_dir), message=str(error))]) from None
    return releases


def planned_tender(tender_dir: Path) -> tuple[Any, Organisation]:
    """A planned procurement's tender folder, as the pipeline reads it: tender.yaml (the engine's own reader; its
    lots' budgets are the estimates) and notices.yaml (the day its tender notice is expected, its category, the
    buyer's identifier); no bids are read. Returns the domain `duties.PlannedTender` and the buyer."""
    from commonweal.domain.notices.duties import PlannedTender
    from commonweal.io.notices import read_tender_settings
    from commonweal.io.tender_folder import TENDER_FILE, read_tender_yaml

    tender, _ = read_tender_yaml(tender_dir / TENDER_FILE)
    settings = read_tender_settings(tender_dir)
    planned = PlannedTender(tender.reference or tender_dir.name, tender.title,
                            tuple(lot.budget for lot in tender.lots), settings.expected_notice,
                            settings.facts.category)
    return planned, Organisation(tender.buyer, settings.buyer_identifier)


def pipeline_releases(
    contract_dirs: Sequence[Path],
    ocid_prefix: str,
    when: dt.datetime,
    financial_year: int,
    lead_months: int | None,
    planned_dirs: Sequence[Path] = (),
) -> list[dict[str, Any]]:
    """UK1 for the financial year beginning 1 April `financial_year`, from the contracts expiring and the tenders
    planned (s.93): the same `duties.expiring_contract_entry`, `planned_entries` and `pipeline_entries` the
    workspace's pipeline uses. A planned tender without an estimated value or an expected notice day is refused,
    naming its folder: in a file the council can add them."""
    from commonweal.domain.notices.duties import (
        expiring_contract_entry,
        pipeline_entries,
        planned_entries,
        undated_entries,
    )
    from commonweal.io.contracts import load_contract_folder
    from commonweal.io.notices import NOTICES_FILE, read_contract_settings
    from commonweal.io.tender_folder import TENDER_FILE

    if contract_dirs and (lead_months is None or lead_months < 0):
        raise InputError(
            [
                Problem(
                    file="notices",
                    message="a pipeline notice listing contracts needs the lead time (months before "
                    "a contract's maximum term ends when its re-procurement is advertised)",
                )
            ]
        )
    if not contract_dirs and not planned_dirs:
        return []
    candidates = [
        expiring_contract_entry(load_contract_folder(f, when.date()).contract, lead_months or 0)
        for f in contract_dirs
    ]
    problems: list[Problem] = []
    buyer: Organisation | None = None
    for folder in planned_dirs:
        planned, buyer = planned_tender(folder)
        entries, no_value = planned_entries([planned])
        problems += [Problem(file=str(folder / TENDER_FILE), message=m, column="lots[].budget") for m in no_value]
        problems += [Problem(file=str(folder / NOTICES_FILE), message=m, column="expected_notice")
                     for m in undated_entries(entries)]
        candidates += entries
    if problems:
        raise InputError(problems)
    if contract_dirs:
        first = load_contract_folder(contract_dirs[0], when.date()).contract
        buyer = Organisation(first.buyer, read_contract_settings(contract_dirs[0]).buyer_identifier)
    assert buyer is not None  # there is a contract or a planned tender
    pipeline_id = f"{ocid_prefix}-pipeline-{financial_year}"
    return build.pipeline_notice(
        pipeline_entries(candidates, financial_year), Notice(buyer, ocid_prefix, when), pipeline_id
    )


def build_package(
    tender_dir: Path | None,
    contract_dirs: Sequence[Path],
    *,
    ocid_prefix: str = "",
    as_of: dt.date | None = None,
    published: dt.datetime | None = None,
    pipeline_year: int | None = None,
    lead_months: int | None = None,
    planned_dirs: Sequence[Path] = (),
) -> dict[str, Any]:
    """Every notice the folders support, as one release package; raises InputError unless libcoveocds finds 0
    errors. With `pipeline_year`, a pipeline notice (UK1) for that financial year too, listing the contract
    folders' contracts whose re-procurement falls in it (`lead_months` before each one's maximum term ends: the
    council's lead time, which Commonweal does not guess) and the planned tenders (`planned_dirs`) over £2 million
    whose tender notice is expected in it. Releases are dated one second apart in the order the
    notices are published, so compiling them (`commonweal ocds compile`) merges them in that order."""
    from commonweal.services.ocds import ocid_prefix as default_prefix

    when = published or _published_now()
    prefix = ocid_prefix or default_prefix()
    releases: list[dict[str, Any]] = []
    if tender_dir is not None:
        releases += tender_releases(tender_dir, prefix, when)
    for folder in contract_dirs:
        releases += contract_releases(folder, prefix, when, as_of or when.date())
    if pipeline_year is not None:
        releases += pipeline_releases(contract_dirs, prefix, when, pipeline_year, lead_months, planned_dirs)
    if not releases:
        raise InputError([Problem(file="notices", message="the folders give no notice to build (a pipeline notice "
                                  "lists only contracts over £2 million whose tender notice is expected in the 18 "
                                  "months from 1 April)")])
    for step, release in enumerate(releases):  # distinct dates in publication order, for the compile
        release["date"] = release_date(when + dt.timedelta(seconds=step))
    publisher = releases[0]["buyer"]["name"] if releases else ""
    package = notice_package(releases, publisher=publisher, published=release_date(when))
    verdict = check(package)
    if not verdict.valid:
        source = str(tender_dir or (contract_dirs[0] if contract_dirs else "notices"))
        raise InputError(
            [Problem(file=source, message=f"libcoveocds: {e}") for e in verdict.errors + verdict.invalid_extensions]
        )
    return package


def release_date(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class FileCheck:
    check: Check
    notices: tuple[tuple[str, str], ...]  # (release id, notice code or "?" when no notice document says)


def validate_file(path: Path) -> FileCheck:
    """Check a release package of notices (built here or elsewhere) offline: libcoveocds' verdict, and which notice
    each release is. Only the extensions Commonweal ships can be loaded; any other is reported, never fetched."""
    from commonweal.io.structured import load_json, read_bytes

    package = load_json(str(path), read_bytes(path, str(path)))
    if not isinstance(package, dict) or not isinstance(package.get("releases"), list):
        raise InputError([Problem(file=str(path), message="expected a release package (an object with releases)")])
    found = tuple(
        (str(r.get("id", "?")), (code.value if (code := notice_type(r)) else "?"))
        for r in package["releases"] if isinstance(r, dict)
    )
    return FileCheck(check(package), found)


# ---- transparency data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransparencyFiles:
    written: tuple[Path, ...]
    spend_rows: int
    contract_rows: int
    s70_rows: int
    unlinked: int
    compliance: dict[str, Any]


def store_payments(db: Path, start: dt.date, end: dt.date) -> list[Any]:
    """The spend store's payments dated `start` to `end` (Ibis on DuckDB), as `transparency.Payment`s."""
    from commonweal.analytics import spend as analytics
    from commonweal.domain.notices.transparency import Payment
    from commonweal.io.spend.store import SpendStore

    store = SpendStore(db)
    if not store.has("payments"):
        raise InputError([Problem(str(db), "holds no imported spend; run `commonweal spend import` first")])
    table = analytics.payments(analytics.connect(), store.dataset("payments"))
    return [Payment(r["date"], r["amount"], r["supplier_name"], bool(r["supplier_redacted"]), r["company_number"] or "",
                    r["service_area"] or "", r["description"] or "", r["expense_type"] or "",
                    r["transaction_id"] or "", f"{r['source_file']}, row {r['source_row']}")
            for r in analytics.to_records(analytics.dated_between(table, start, end)) if r["amount"] is not None]


def let_contracts(contract_dirs: Sequence[Path], as_of: dt.date) -> list[LetContract]:
    from commonweal.io.contracts import load_contract_folder
    from commonweal.io.notices import read_contract_settings

    return [_let(load_contract_folder(folder, as_of).contract, read_contract_settings(folder))
            for folder in contract_dirs]


@dataclass(frozen=True)
class TransparencyTables:
    """The transparency files of one period, computed before any is written or served: each file's columns and
    rows by name, and the s.69 summary."""

    tables: dict[str, tuple[tuple[str, ...], list[list[object]]]]
    compliance: dict[str, Any]

    def count(self, name: str) -> int:
        return len(self.tables[name][1])

    def content(self, name: str, fmt: str) -> bytes:
        """One file as CSV or XLSX (formula injection neutralised, `commonweal.io.export`)."""
        from commonweal.io.export import csv_bytes, xlsx_bytes

        header, rows = self.tables[name]
        return csv_bytes(header, rows) if fmt == "csv" else xlsx_bytes(name[:31], header, rows)


#: The transparency files, by name.
TRANSPARENCY_FILES = ("spend-over-500", "contracts-over-5000", "payments-over-30000", "unlinked-payments-over-30000")


def transparency_tables(payments: Sequence[Any], lets: Sequence[LetContract], start: dt.date,
                        end: dt.date) -> TransparencyTables:
    """The Local Government Transparency Code 2015 files (spend over £500 from `start` to `end`, contracts over
    £5,000 in force on `end`), the Procurement Act 2023 s.70 payments over £30,000 and every payment over £30,000
    that could not be linked to a contract and why, and the s.69 summary of the reporting period holding `end`."""
    from commonweal.domain.notices import transparency as t

    if end < start:
        raise InputError([Problem("transparency", f"the period ends ({end}) before it starts ({start})")])
    links = t.link_payments(payments, lets)
    tables = {
        "spend-over-500": (t.SPEND_COLUMNS, t.spend_rows(payments, start, end)),
        "contracts-over-5000": (t.CONTRACT_COLUMNS, t.contract_rows(lets, end)),
        "payments-over-30000": (t.S70_COLUMNS, t.s70_rows(links, start, end)),
        "unlinked-payments-over-30000": (t.UNLINKED_COLUMNS, t.unlinked_rows(links, start, end, t.S70_THRESHOLD)),
    }
    summary = t.s69_summary(links, end)
    compliance = {"period": [summary.start.isoformat(), summary.end.isoformat()],
                  "publish_by": summary.publish_by.isoformat(), "payments_under_contracts": summary.payments,
                  "total": summary.total, "payments_not_linked": summary.unlinked, "not_in_the_record": summary.missing}
    return TransparencyTables(tables, compliance)


def transparency_files(db: Path | None, contract_dirs: Sequence[Path], start: dt.date, end: dt.date,
                       out: Path) -> TransparencyFiles:
    """`transparency_tables` from the spend store and contract folders, each file as CSV and XLSX in `out`; the
    s.69 summary as JSON. Everything is computed before anything is written, and each file is written whole."""
    from commonweal.io.ocds.write import dumps

    if end < start:
        raise InputError([Problem("transparency", f"the period ends ({end}) before it starts ({start})")])
    payments = store_payments(db, start, end) if db is not None else []
    lets = let_contracts(contract_dirs, _published_now().date())  # returns are checked against today
    found = transparency_tables(payments, lets, start, end)
    contents: dict[str, bytes] = {}
    for name in TRANSPARENCY_FILES:
        contents[f"{name}.csv"] = found.content(name, "csv")
        contents[f"{name}.xlsx"] = found.content(name, "xlsx")
    contents["payments-compliance.json"] = dumps(found.compliance, indent=True)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in contents.items():
        partial = out / f".{name}.partial"
        partial.write_bytes(content)
        partial.replace(out / name)
        written.append(out / name)
    return TransparencyFiles(tuple(written), found.count("spend-over-500"), found.count("contracts-over-5000"),
                             found.count("payments-over-30000"), found.count("unlinked-payments-over-30000"),
                             found.compliance)
