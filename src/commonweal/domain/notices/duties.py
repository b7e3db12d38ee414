"""The duty calendar: which notice is due, for which tender or contract, by when, under which section.

A duty is due by a date where the Act (or, marked so, a secondary source) fixes one, and otherwise "before" an
event (the tender notice before bids are invited, the contract award notice before the contract is entered into,
the change notice before the modification). A duty is overdue when its date has passed, or when the event it
had to precede has happened, and no publication of it is recorded. A notice with no deadline found (UK12) is
never shown as overdue. Deadlines and their status are in `kinds`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.contracts.model import Contract, Variation, add_months
from commonweal.domain.contracts.ratings import s52_applies
from commonweal.domain.lifecycle import ORDER, Stage
from commonweal.domain.notices.build import PipelineEntry
from commonweal.domain.notices.kinds import NoticeType

#: Procurement Act 2023 s.93(2): the pipeline notice is due "before the end of the period of 56 days beginning
#: with the first day of the financial year" (1 April): 26 May, as Find a Tender states it.
PIPELINE_DAYS = 56
#: Find a Tender: a pipeline notice lists contracts over £2 million whose tender or transparency notice is
#: expected in the 18 months starting 1 April; it is required of an authority that expects to pay more than
#: £100 million under relevant contracts in the financial year (s.93(1)).
PIPELINE_CONTRACT_VALUE = Decimal(2_000_000)
PIPELINE_AUTHORITY_SPEND = Decimal(100_000_000)
PIPELINE_MONTHS = 18
#: The tender stages a pipeline notice lists as planned: s.93 covers contracts for which the authority intends to
#: publish a tender notice, and a tender open for bids (or any later stage) has had its tender notice published.
PLANNED_STAGES = (Stage.DRAFT,)
#: s.80(1): a contract termination notice within "the period of 30 days beginning with the day on which a public
#: contract is terminated". The same 30-day count for a contract details notice after signature is secondary.
THIRTY_DAYS = 30
#: s.71(2) assessments at least once in every twelve months of the contract (secondary sources, see `kinds`).
PERFORMANCE_MONTHS = 12
#: A performance notice about a breach or failure to improve (s.71(4)-(5)) within 30 days of it: a secondary
#: source (Capital Law, in `pa2023-notices.md`), unverified.
FAILURE_DAYS = 30


def period_end(first_day: dt.date, days: int) -> dt.date:
    """The last day of a period of `days` days beginning with `first_day` (the Act's way of counting)."""
    return first_day + dt.timedelta(days=days - 1)


@dataclass(frozen=True)
class Duty:
    notice: NoticeType
    subject: str  # the tender's or contract's reference
    title: str
    due: dt.date | None  # the last day, where one is fixed
    when: str  # the deadline in words
    overdue: bool
    published_on: dt.date | None = None  # a recorded publication

    @property
    def basis(self) -> str:
        return self.notice.kind.basis


def _reached(stage: Stage, step: Stage) -> bool:
    return ORDER.index(stage) >= ORDER.index(step)


@dataclass(frozen=True)
class TenderState:
    """What the duty calendar reads of a tender: its stage, the contract award notice's recorded publication day
    (which starts standstill), whether preliminary market engagement was carried out, and any decision not to
    award (s.55)."""

    reference: str
    title: str
    stage: Stage
    award_notice_date: dt.date | None = None
    engagement: bool = False
    terminated_on: dt.date | None = None


def tender_duties(tender: TenderState, published: dict[NoticeType, dt.date], today: dt.date) -> list[Duty]:
    """The tender-based notices: UK2 (when engagement was carried out), UK4, UK6 and UK12 (when the council has
    decided not to award)."""
    duties = []

    def add(code: NoticeType, due: dt.date | None, when: str, late: bool) -> None:
        done = published.get(code)
        duties.append(
            Duty(code, tender.reference, tender.title, due, when, overdue=done is None and late, published_on=done)
        )

    advertised = _reached(tender.stage, Stage.OPEN)
    if tender.engagement:
        add(NoticeType.UK2, None, "before the tender notice", advertised or NoticeType.UK4 in published)
    if tender.terminated_on is not None:
        add(NoticeType.UK12, None, f"no deadline found (decision recorded {tender.terminated_on.isoformat()})", False)
        if not advertised:
            return duties
    add(NoticeType.UK4, None, "when the tender is advertised, before bids are invited", advertised)
    if _reached(tender.stage, Stage.AWARD_RECOMMENDED) and tender.terminated_on is None:
        day = tender.award_notice_date
        when = (
            f"on {day.isoformat()}, the day standstill begins (s.51(2))"
            if day
            else "after the assessment summaries are sent, before the contract is entered into (s.50)"
        )
        add(NoticeType.UK6, day, when, day is not None and day < today)
    return duties


@dataclass(frozen=True)
class ContractState:
    """What the duty calendar reads of a contract: signature, the last performance notice, its variations and
    whether (and when) it ended."""

    contract: Contract
    signed_on: dt.date | None = None
    last_assessment: dt.date | None = None
    variations: tuple[Variation, ...] = ()
    change_notice_required: Collection[str] = ()  # variation ids s.75 says need a change notice
    ended_on: dt.date | None = None
    # the day of each performance failure (s.71(4)-(5)) recorded since the last performance notice
    unreported_failures: tuple[dt.date, ...] = ()


def contract_duties(
    state: ContractState, published: dict[tuple[NoticeType, str], dt.date], today: dt.date
) -> list[Duty]:
    """UK7 (30 days after signature, secondary), UK9 (every 12 months where s.52(1) KPIs were set), UK10 (before
    each variation that needs one) and UK11 (30 days beginning with the day the contract ended, s.80(1))."""
    c = state.contract
    duties = []

    def add(code: NoticeType, key: str, due: dt.date | None, when: str, late: bool) -> None:
        done = published.get((code, key))
        duties.append(
            Duty(
                code,
                c.id,
                c.title + (f" ({key})" if key else ""),
                due,
                when,
                overdue=done is None and late,
                published_on=done,
            )
        )

    start = state.signed_on or c.start
    details_due = period_end(start, THIRTY_DAYS)
    add(
        NoticeType.UK7,
        "",
        details_due,
        f"by {details_due.isoformat()}, 30 days after signature (secondary source: unverified)",
        details_due < today,
    )
    if (s52_applies(c) or state.unreported_failures) and (state.ended_on is None or state.ended_on > today):
        base = state.last_assessment or c.start
        due = add_months(base, PERFORMANCE_MONTHS)
        when = f"by {due.isoformat()}, 12 months after the last assessment"
        if state.unreported_failures:
            failed = period_end(min(state.unreported_failures), FAILURE_DAYS)
            if not s52_applies(c) or failed < due:
                due = failed
                when = (f"by {due.isoformat()}, 30 days after a performance failure (s.71(4)-(5); the 30 days are "
                        "from a secondary source: unverified)")
        add(NoticeType.UK9, "", due, when, due < today)
    for variation in state.variations:
        if variation.id in state.change_notice_required:
            add(
                NoticeType.UK10,
                variation.id,
                variation.agreed_on,
                f"before the modification agreed on {variation.agreed_on.isoformat()} (s.75(1))",
                variation.agreed_on <= today,
            )
    if state.ended_on is not None:
        due = period_end(state.ended_on, THIRTY_DAYS)
        add(
            NoticeType.UK11,
            "",
            due,
            f"by {due.isoformat()}, within 30 days beginning with the day it ended (s.80(1))",
            due < today,
        )
    return duties


def financial_year(day: dt.date) -> int:
    """The financial year holding `day`, named by the calendar year in which it begins on 1 April."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def pipeline_duty(year: int, applies: bool | None, published_on: dt.date | None, today: dt.date) -> Duty | None:
    """The pipeline notice (UK1) of the financial year beginning 1 April `year`: due by the 56th day (s.93(2)) where
    the council considers it will pay more than £100 million under relevant contracts in the year (s.93(1)); none
    where it does not; and, until the council has said which, a duty that says so and is never overdue (whether
    s.93 applies is the council's judgement, never guessed)."""
    if applies is False:
        return None
    due = pipeline_due(year)
    label = financial_year_label(year)
    title = f"Pipeline notice, financial year {label}"
    if applies is None:
        return Duty(NoticeType.UK1, label, title, due, f"by {due.isoformat()} if the council expects to pay more "
                    "than £100 million under relevant contracts in the year (s.93(1)): not yet recorded whether it "
                    "does", overdue=False, published_on=published_on)
    return Duty(NoticeType.UK1, label, title, due, f"by {due.isoformat()}, within the 56 days beginning with "
                "1 April (s.93(2))", overdue=published_on is None and due < today, published_on=published_on)


def pipeline_due(financial_year: int) -> dt.date:
    """The last day for the pipeline notice of the financial year beginning 1 April `financial_year`."""
    return period_end(dt.date(financial_year, 4, 1), PIPELINE_DAYS)


def pipeline_entries(candidates: Sequence[PipelineEntry], financial_year: int) -> list[PipelineEntry]:
    """The contracts a pipeline notice lists: estimated value over £2 million, tender (or transparency) notice
    expected in the 18 months starting 1 April of `financial_year`. A candidate whose expected date is not recorded
    (a planned tender) is listed, last, without one: the caller says the date is missing."""
    start = dt.date(financial_year, 4, 1)
    end = add_months(start, PIPELINE_MONTHS)
    return sorted(
        (c for c in candidates if c.value > PIPELINE_CONTRACT_VALUE
         and (c.expected_notice is None or start <= c.expected_notice < end)),
        key=lambda c: (c.expected_notice or dt.date.max, c.reference),
    )


def planned_tender_value(lot_budgets: Sequence[Decimal | None]) -> Decimal | None:
    """A planned tender's estimated value: the sum of its lots' budgets (the council's estimates); None where any
    lot, or the tender itself, has none (a partial sum would understate it)."""
    if not lot_budgets or any(b is None for b in lot_budgets):
        return None
    return sum((b for b in lot_budgets if b is not None), Decimal(0))


@dataclass(frozen=True)
class PlannedTender:
    """A procurement the council plans to advertise, as the pipeline reads it: a draft tender in the workspace
    (`PLANNED_STAGES`) or a tender folder given to `commonweal notices build --planned`. `expected_notice` is the
    day its tender notice is expected (the council's; none where not recorded)."""

    reference: str
    title: str
    lot_budgets: tuple[Decimal | None, ...]
    expected_notice: dt.date | None = None
    category: str = ""


def planned_entries(planned: Sequence[PlannedTender]) -> tuple[list[PipelineEntry], list[str]]:
    """The planned tenders as pipeline candidates (`pipeline_entries` then keeps those over £2 million expected in
    the 18 months), valued at the sum of their lots' budgets (`planned_tender_value`); and a problem naming each
    whose value is not recorded, never dropped silently. The one reading of planned tenders, for the workspace and
    the CLI."""
    entries, problems = [], []
    for p in planned:
        value = planned_tender_value(p.lot_budgets)
        if value is None:
            problems.append(f"Tender {p.reference} ({p.title}): no estimated value recorded (a budget on each of its "
                            "lots), so whether the pipeline lists it (over £2 million) cannot be said")
        else:
            entries.append(PipelineEntry(p.reference, p.title, value, p.expected_notice, category=p.category))
    return entries, problems


def undated_entries(entries: Sequence[PipelineEntry]) -> list[str]:
    """What a pipeline notice is missing about the entries it lists: each planned tender with no day recorded for
    its tender notice (the notice then gives none, never a guessed one)."""
    return [f"Tender {e.reference}: no date recorded for when its tender notice is expected; the notice gives none"
            for e in entries if e.expected_notice is None]


def expiring_contract_entry(contract: Contract, lead_months: int) -> PipelineEntry:
    """A pipeline entry re-procuring an expiring contract: its tender notice expected `lead_months` before the
    contract's maximum term ends (a lead time the council sets: Commonweal has no rule for it)."""
    return PipelineEntry(
        reference=f"{contract.id}-reprocurement",
        title=f"Re-procurement: {contract.title}",
        value=contract.value,
        expected_notice=add_months(contract.term_end, -lead_months),
        category=contract.kind.value,
        replaces_contract=contract.id,
    )
