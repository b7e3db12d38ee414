"""The member and cabinet report's sections, each fed by one function from (user, organisation slug, reporting
date) to a `services.member_report.Section`, reading through this area's data functions (so the access layer
decides what it may show). Other areas add their sections here with one line each: the spend shares of SMEs,
VCSEs and local suppliers (spend) and the riskiest suppliers and dependencies (suppliers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from commonweal.domain.socialvalue.maturity import Level
from commonweal.domain.socialvalue.rollup import AsAt
from commonweal.services.member_report import (
    Assessment,
    Section,
    delivery_section,
    maturity_section,
    report_html,
    report_pdf,
    report_xlsx,
)
from commonweal.web.access import Visitor, organisation_access
from commonweal.web.models import Organisation
from commonweal.web.socialvalue import data
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


SECTIONS: tuple[Callable[[Visitor, str, AsAt], list[Section]], ...] = (_delivery, _maturity)


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
