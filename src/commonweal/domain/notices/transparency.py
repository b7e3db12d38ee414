"""Transparency data a council publishes from its records: the Local Government Transparency Code 2015 files
(expenditure exceeding £500; contracts with a value exceeding £5,000) and the Procurement Act 2023 payments data
(s.70: payments over £30,000 under a public contract; s.69: the payments compliance notice).

What was verified (see docs/publishing.md, "Transparency data", for the sources and every search made): the Code's
two duties and thresholds ("each individual item of expenditure that exceeds £500"; "contracts ... with a value that
exceeds £5,000", Part 2, as councils quote them) and that they apply to England. The Code's field lists are
**partly verified**: the Code's own page (gov.uk, "Local government transparency code 2015") could be read only as
far as Part 1, so its paragraph numbers are not cited; the lists below are the ones councils quote from it word for
word and alike (expenditure: ashcumridley-pc.gov.uk, peacehaventowncouncil.gov.uk, somersetwestandtaunton.gov.uk;
contracts: bromsgrove.gov.uk, with the Code's footnote marker, hartleyparishcouncil.gov.uk, barnsley.gov.uk). A
value the record does not hold is left blank, never made up.

s.70(1)-(3) and s.69's reporting periods (six months ending 31 March and 30 September; notice within the 30 days
beginning with the period's last day) and reg 38 (the payments compliance notice's content) were read in
legislation.gov.uk. Which information s.70 "specified" is was not: it is set by the Procurement (Amendment)
Regulations 2026 (made in March 2026, inserting "provisions for publishing information about payments under public
contracts" into the Procurement Regulations 2024, per legislationtracker.co.uk and changeflow.com) and explained in
Cabinet Office guidance of 4 February 2026 (per brownejacobson.com), neither of whose text was read: the s.70
columns are **unverified**, Commonweal's choice until it is. s.69 applies in England from 1 January 2026 and s.70
from 1 April 2026 (SI 2025/1316, per secondary sources).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.contracts.model import add_months
from commonweal.domain.market.identifiers import company_number
from commonweal.domain.market.names import normalise_name
from commonweal.domain.notices.build import LetContract
from commonweal.domain.notices.duties import period_end

SPEND_THRESHOLD = Decimal(500)  # LGTC 2015: expenditure that exceeds £500
CONTRACT_THRESHOLD = Decimal(5000)  # LGTC 2015: contracts with a value that exceeds £5,000
S70_THRESHOLD = Decimal(30000)  # PA 2023 s.70(1): "any payment of more than £30,000"
S69_FROM = dt.date(2026, 1, 1)  # in force in England (SI 2025/1316, secondary sources)
S70_FROM = dt.date(2026, 4, 1)  # in force in England (SI 2025/1316, secondary sources)
PUBLISH_WITHIN_DAYS = 30  # ss.69-70: "the period of 30 days beginning with the last day" of the period


@dataclass(frozen=True)
class Payment:
    """One payment from the spend store (`commonweal.io.spend`), with where it was read."""

    date: dt.date | None
    amount: Decimal
    supplier: str
    redacted: bool = False
    company: str = ""
    department: str = ""
    purpose: str = ""
    expense_type: str = ""
    reference: str = ""  # the council's transaction id
    source: str = ""  # file and row


SPEND_COLUMNS = (
    "Date",
    "Department",
    "Beneficiary",
    "Summary of purpose",
    "Amount",
    "Irrecoverable VAT",
    "Merchant category",
    "Transaction",
)


def spend_rows(payments: Sequence[Payment], start: dt.date, end: dt.date) -> list[list[object]]:
    """Each payment exceeding £500 dated from `start` to `end` inclusive, as the Code's columns. The spend store
    holds no irrecoverable VAT or merchant category: those cells stay blank."""
    return [
        [
            p.date,
            p.department,
            "Redacted" if p.redacted else p.supplier,
            p.purpose or p.expense_type,
            p.amount,
            "",
            "",
            p.reference,
        ]
        for p in sorted(payments, key=lambda p: (p.date or dt.date.min, p.reference))
        if p.date is not None and start <= p.date <= end and p.amount > SPEND_THRESHOLD
    ]


CONTRACT_COLUMNS = (
    "Reference",
    "Title",
    "Department",
    "Description",
    "Supplier",
    "Supplier registration number",
    "Value",
    "Irrecoverable VAT",
    "Start date",
    "End date",
    "Review date",
    "Procurement route",
    "SME",
    "VCSE",
)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def contract_rows(lets: Sequence[LetContract], as_of: dt.date, department: str = "") -> list[list[object]]:
    """Every contract with a value exceeding £5,000 in force on `as_of`. The route is "Published invitation to
    tender" where the contract names the procurement it was let from, else blank (not known from the record)."""
    rows: list[list[object]] = []
    for let in sorted(lets, key=lambda x: x.contract.id):
        c = let.contract
        if c.value <= CONTRACT_THRESHOLD or not c.start <= as_of <= c.term_end:
            continue
        rows.append(
            [
                c.id,
                c.title,
                department,
                c.title,
                let.supplier.name,
                let.supplier.identifier,
                c.value,
                "",
                c.start,
                c.end,
                "",
                "Published invitation to tender" if let.procurement else "",
                _yes_no(let.supplier.sme),
                _yes_no(let.supplier.vcse),
            ]
        )
    return rows


@dataclass(frozen=True)
class Link:
    """A payment and the contract it was made under, or why none could be found."""

    payment: Payment
    contract: LetContract | None
    reason: str


def _same_supplier(payment: Payment, let: LetContract) -> bool:
    ours = company_number(payment.company) if payment.company else None
    identifier = let.supplier.identifier
    theirs = company_number(identifier.removeprefix("GB-COH-")) if identifier.startswith("GB-COH-") else None
    if ours is not None and theirs is not None:
        return ours == theirs
    return bool(normalise_name(payment.supplier)) and normalise_name(payment.supplier) == normalise_name(
        let.supplier.name
    )


def link_payments(payments: Sequence[Payment], lets: Sequence[LetContract]) -> list[Link]:
    """Link each payment to the contract it was made under: the same supplier (company number where both have
    one, else the same normalised name, `commonweal.domain.market.names`), paid within the contract's term, and,
    when the supplier holds several such contracts, the payment's purpose or reference naming the contract."""
    links = []
    for p in payments:
        if p.redacted:
            links.append(Link(p, None, "the supplier's name is redacted, so no contract can be matched"))
            continue
        mine = [let for let in lets if _same_supplier(p, let)]
        if not mine:
            links.append(Link(p, None, "no contract with this supplier is on record"))
            continue
        live = [let for let in mine if p.date is not None and let.contract.start <= p.date <= let.contract.term_end]
        if not live:
            links.append(
                Link(
                    p,
                    None,
                    "the payment is dated outside the term of every contract with this supplier"
                    if p.date
                    else "the payment has no single date",
                )
            )
            continue
        named = [let for let in live if let.contract.id in f"{p.purpose} {p.reference}"]
        if len(live) == 1:
            links.append(Link(p, live[0], "supplier and date"))
        elif len(named) == 1:
            links.append(Link(p, named[0], "supplier, date and contract reference"))
        else:
            links.append(
                Link(
                    p,
                    None,
                    f"{len(live)} contracts with this supplier were in force and the payment names none of them",
                )
            )
    return links


def quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return first, add_months(first, 3) - dt.timedelta(days=1)


S70_COLUMNS = ("Payment date", "Amount", "Supplier", "Contract", "Contract title", "Matched by", "Publish by")


def s70_rows(links: Sequence[Link], start: dt.date, end: dt.date) -> list[list[object]]:
    """Payments over £30,000 under a public contract, dated `start` to `end`, from 1 April 2026, each with the
    last day to publish it (the 30 days beginning with the last day of its quarter, s.70(2))."""
    rows: list[list[object]] = []
    for link in links:
        p = link.payment
        if link.contract is None or p.date is None or p.amount <= S70_THRESHOLD:
            continue
        if not (start <= p.date <= end and p.date >= S70_FROM):
            continue
        rows.append(
            [
                p.date,
                p.amount,
                p.supplier,
                link.contract.contract.id,
                link.contract.contract.title,
                link.reason,
                period_end(quarter(p.date)[1], PUBLISH_WITHIN_DAYS),
            ]
        )
    return sorted(rows, key=lambda r: (str(r[0]), str(r[3])))


UNLINKED_COLUMNS = ("Payment date", "Amount", "Supplier", "Reference", "Source", "Why it could not be linked")


def unlinked_rows(
    links: Sequence[Link], start: dt.date, end: dt.date, above: Decimal = Decimal(0)
) -> list[list[object]]:
    """Every payment in the period (over `above`) that could not be linked to a contract, with the reason."""
    return [
        [lk.payment.date, lk.payment.amount, lk.payment.supplier, lk.payment.reference, lk.payment.source, lk.reason]
        for lk in links
        if lk.contract is None
        and lk.payment.amount > above
        and (lk.payment.date is None or start <= lk.payment.date <= end)
    ]


def s69_period(day: dt.date) -> tuple[dt.date, dt.date]:
    """The s.69 reporting period holding `day`: six months ending 31 March or 30 September."""
    if 4 <= day.month <= 9:
        return dt.date(day.year, 4, 1), dt.date(day.year, 9, 30)
    year = day.year if day.month >= 10 else day.year - 1
    return dt.date(year, 10, 1), dt.date(year + 1, 3, 31)


@dataclass(frozen=True)
class ComplianceSummary:
    """What the record can say for a payments compliance notice (s.69, reg 38) for one reporting period."""

    start: dt.date
    end: dt.date
    publish_by: dt.date
    payments: int
    total: Decimal
    unlinked: int
    missing: tuple[str, ...]


def s69_summary(links: Sequence[Link], day: dt.date) -> ComplianceSummary:
    """The reporting period holding `day`: payments made under public contracts (linked), their total, how many
    payments could not be linked, and what reg 38(2) asks that the spend store cannot answer."""
    start, end = s69_period(day)
    start = max(start, S69_FROM)
    inside = [lk for lk in links if lk.payment.date is not None and start <= lk.payment.date <= end]
    linked = [lk for lk in inside if lk.contract is not None]
    missing = (
        "reg 38(2)(c)(i)-(ii): the average days to pay and the shares paid within 30, 31-60 and 61 or more days "
        "count from the invoice day, which the spend store does not hold",
        "reg 38(2)(d): the share of sums payable not paid within the period needs the invoices still unpaid",
        "reg 38(2)(e): the finance director's approval, name and job title",
    )
    return ComplianceSummary(
        start,
        end,
        period_end(end, PUBLISH_WITHIN_DAYS),
        len(linked),
        sum((lk.payment.amount for lk in linked), Decimal("0.00")),
        len(inside) - len(linked),
        missing,
    )
