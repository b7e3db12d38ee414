"""The member and cabinet report's sections, each fed by one function from (user, organisation slug, reporting
date) to `services.member_report.Section`s, reading each area's stored results through that area's data functions
(so the access layer decides what it may show): the roll-up and maturity (this area), the spend shares of SMEs,
VCSEs and local suppliers (the spend area's stored figures) and the riskiest suppliers and dependencies (the
supplier watchlist's stored assessments). A section whose area the person may not read says so instead."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from commonweal.domain.rag import Rag
from commonweal.domain.socialvalue.maturity import Level
from commonweal.domain.socialvalue.rollup import AsAt
from commonweal.services.member_report import (
    LOCAL_TITLE,
    SPEND_TITLE,
    SUPPLIERS_TITLE,
    Assessment,
    Section,
    SupplierRisk,
    delivery_section,
    local_section,
    maturity_section,
    report_html,
    report_pdf,
    report_xlsx,
    spend_section,
    supplier_section,
)
from commonweal.web.access import Forbidden, Visitor, organisation_access
from commonweal.web.models import Organisation
from commonweal.web.socialvalue import data
from commonweal.web.spend import data as spend
from commonweal.web.suppliers import data as suppliers
from commonweal.web.suppliers.models import WatchedSupplier
from commonweal.web.views import today

SectionSource = Callable[[Visitor, str, AsAt], Section]
FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _delivery(user: Visitor, slug: str, as_at: AsAt) -> list[Section]:
    found = data.rollup(user, slug, as_at)
    return [delivery_section("by-core-value", "Committed and delivered, by core value", "Core value",
                             found.by_core_value, as_at),
            delivery_section("by-contract", "Committed and delivered, by contract", "Contract", found.by_contract,
                             as_at)]


def _maturity(user: Visitor, slug: str, as_at: AsAt) -> list[Section]:
    history = data.maturity(user, slug).history
    return [maturity_section([Assessment(a.taken_on, cast(Level, a.level), a.mean_score) for a in history])]


# The riskiest suppliers the report lists (Commonweal default: a page's worth for members).
RISKIEST_SHOWN = 10


def _not_shown(id: str, title: str, readers: str) -> Section:
    return Section(id, title, f"Not shown: the organisation's {readers} see this section.", (), ())


def _spend(user: Visitor, slug: str, as_at: AsAt) -> list[Section]:
    (first_year, first_month), (last_year, last_month) = as_at.months
    period = f"April {first_year} to the end of {calendar.month_name[last_month]} {last_year}"
    try:
        _, stored = spend.figures(user, slug)
    except Forbidden:
        return [_not_shown("spend", SPEND_TITLE, "admins, commissioners and viewers"),
                _not_shown("local", LOCAL_TITLE, "admins, commissioners and viewers")]
    if stored is None:
        return [spend_section(period, []), local_section(period, None)]
    months = spend.Filters(f"{first_year}-{first_month:02d}", f"{last_year}-{last_month:02d}")
    figures = spend.filtered_report(stored, months)
    return [spend_section(period, [(r["label"], Decimal(r["total"])) for r in figures["shares"]]),
            local_section(period, figures["local"])]


def _risk(supplier: WatchedSupplier) -> SupplierRisk:
    assessment = getattr(supplier, "assessment", None)  # none until accounts are stored
    if assessment is None:
        return SupplierRisk(supplier.name, Rag.MISSING, None, "missing", "missing", "no accounts stored yet",
                            False)
    entry = assessment.result["register"][0]
    dependency = entry["dependency"] or {}
    reason = entry["reasons"][0]["reason"] if entry["reasons"] else "no reason recorded: every test passed"
    return SupplierRisk(supplier.name, Rag(assessment.rating),
                        Rag(assessment.previous_rating) if assessment.previous_rating else None,
                        suppliers.dependence(dependency.get("supplier_dependence", "missing")),
                        suppliers.dependence(dependency.get("council_dependence", "missing")), reason,
                        assessment.worsened)


def _suppliers(user: Visitor, slug: str, as_at: AsAt) -> list[Section]:
    try:
        found = suppliers.watchlist(user, slug).suppliers
    except Forbidden:
        return [_not_shown("suppliers", SUPPLIERS_TITLE, "commissioners and viewers")]
    return [supplier_section([_risk(s) for s in found], RISKIEST_SHOWN)]


SECTIONS: tuple[Callable[[Visitor, str, AsAt], list[Section]], ...] = (_delivery, _spend, _suppliers, _maturity)


@dataclass(frozen=True)
class Report:
    organisation: Organisation
    as_at: AsAt
    sections: list[Section]


def build(user: Visitor, slug: str, as_at: AsAt) -> Report:
    organisation = organisation_access(user, slug)
    return Report(organisation, as_at, [s for source in SECTIONS for s in source(user, slug, as_at)])


def download(user: Visitor, slug: str, as_at: AsAt, fmt: str) -> tuple[bytes, str, str]:
    """The report as a PDF or an XLSX workbook: (content, content type, file name)."""
    built = build(user, slug, as_at)
    name = f"{built.organisation.slug}-social-value-{as_at.label.replace('/', '-').replace(' ', '-')}.{fmt}"
    if fmt == "pdf":
        content = report_pdf(report_html(built.organisation.name, as_at, built.sections, today()))
    else:
        content = report_xlsx(built.organisation.name, as_at, built.sections)
    return content, FORMATS[fmt], name
