"""What a council manages after award: the contract, its KPIs, the social value promised in the winning bid,
the periodic returns the provider sends in, and the log of variations.

Plain frozen dataclasses; the rules that read them live in `ratings`, `social_value`, `triggers`,
`modifications` and `review`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from commonweal.domain.rag import Rag
from commonweal.domain.socialvalue.commitments import Commitment, value_units
from commonweal.domain.socialvalue.library import Licence, Measure

#: Procurement Act 2023 s.52(1): a public contract with an estimated value of more than £5 million needs at
#: least three KPIs set before it is entered into. Both figures are the Act's, not ours.
S52_VALUE_THRESHOLD = Decimal("5000000")
S52_MINIMUM_KPIS = 3


class Direction(StrEnum):
    """Whether a KPI is met by reaching at least its target or by staying at most at it."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class ContractKind(StrEnum):
    """Goods, services or works: the Act's safe-harbour percentages differ (s.74(4)(a), s.75(2)(a))."""

    GOODS = "goods"
    SERVICES = "services"
    WORKS = "works"


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"

    @property
    def months(self) -> int:
        return 1 if self is Frequency.MONTHLY else 3


class Verification(StrEnum):
    """Where the council has got to in checking a social value claim; only verified delivery counts. The same
    words as the social value module's delivery returns (`commonweal.domain.socialvalue.delivery`)."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Kpi:
    """A key performance indicator: "a factor or measure against which a supplier's performance of a contract
    can be assessed" (Procurement Act 2023 s.52).

    `tolerance` is how far short of the target (in the KPI's own unit) still counts as *approaching target*;
    `inadequate_beyond` is how far short counts as *significantly below* it (the Procurement Regulations 2024
    reg 39(5) wording). Both are set by the council per KPI, normally in the contract's KPI schedule.
    """

    id: str
    title: str
    target: Decimal
    direction: Direction
    tolerance: Decimal
    inadequate_beyond: Decimal
    unit: str = ""

    def shortfall(self, actual: Decimal) -> Decimal:
        """How far `actual` falls short of the target, in the KPI's unit; zero or negative means met."""
        if self.direction is Direction.HIGHER_IS_BETTER:
            return self.target - actual
        return actual - self.target


@dataclass(frozen=True)
class SocialValueCommitment:
    """One social value promise carried over from the winning bid: the social value module's `Commitment`
    (`quantity` of a measure in contract year `year`, year 1 being the first twelve months from the start date)
    and the library `Measure` it is valued with.

    There is one valuation of a commitment, the social value module's (`value_units`: quantity × the measure's
    proxy, to the penny); committed, due and delivered £ all use it. A record-only measure is tracked in units and
    adds £0.
    """

    commitment: Commitment
    measure: Measure

    @classmethod
    def bid_priced(cls, measure: str, quantity: Decimal, year: int, value: Decimal, unit: str = "",
                   supplier: str = "", lot: str = "") -> SocialValueCommitment:
        """A commitment listed in contract.yaml as the winning bid priced it (`value` £ for `quantity`): valued
        with a measure whose proxy is the bid's own £ per unit, so no new proxy value enters at this stage."""
        proxy = value / quantity if quantity else Decimal(0)
        priced = Measure(id=measure, theme="", outcome="", name=measure, unit=unit,
                         source_title="the winning bid's own price per unit (contract.yaml commitments)",
                         licence=Licence.from_text("as the contract"), proxy=proxy)
        return cls(Commitment(bidder=supplier, lot=lot, measure_id=measure, quantity=quantity, year=year), priced)

    @property
    def measure_id(self) -> str:
        return self.commitment.measure_id

    @property
    def quantity(self) -> Decimal:
        return self.commitment.quantity

    @property
    def year(self) -> int:
        return self.commitment.year

    @property
    def unit(self) -> str:
        return self.measure.unit

    @property
    def value(self) -> Decimal | None:
        """£ committed; None for a record-only measure."""
        return value_units(self.quantity, self.measure)

    def value_of(self, quantity: Decimal) -> Decimal:
        """£ of `quantity` units (due or delivered) at the same valuation; £0 for a record-only measure."""
        return value_units(quantity, self.measure) or Decimal("0.00")


@dataclass(frozen=True)
class Contract:
    """A let contract under management.

    `value` is the estimated value on award (Procurement Act 2023 s.4); `maximum_end` is the end of the maximum
    term provided for on award, including extension options (the base of the s.74(3)(a) and s.75(2)(b) term
    tests). `threshold_amount` is the Schedule 1 threshold for this type of contract, entered by the council with
    its source, for the s.74(4)(b) below-threshold test; Commonweal ships no threshold figure.
    """

    id: str
    title: str
    buyer: str
    supplier: str
    value: Decimal
    start: dt.date
    end: dt.date
    kind: ContractKind
    frequency: Frequency
    kpis: tuple[Kpi, ...]
    lot: str | None = None
    maximum_end: dt.date | None = None
    light_touch: bool = False
    commitments: tuple[SocialValueCommitment, ...] = ()
    kpi_exemption_reason: str | None = None
    price_indexation_pct: Decimal | None = None
    tender_volume_per_period: Decimal | None = None
    financial_rating: Rag | None = None  # the supplier's financial standing: entered, or resilience's
    financial_rating_basis: str = ""  # where the rating came from, or why there is none
    threshold_amount: Decimal | None = None
    threshold_source: str | None = None

    @property
    def term_end(self) -> dt.date:
        return self.maximum_end or self.end


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period, first day to last day inclusive."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.start.month == self.end.month and self.start.year == self.end.year:
            return self.start.strftime("%Y-%m")
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def with_unit(amount: object, unit: str) -> str:
    """`95 %` reads oddly: a percent sign sits on the number, any other unit after a space."""
    if not unit:
        return f"{amount}"
    return f"{amount}{unit}" if unit == "%" else f"{amount} {unit}"


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved on by whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last_day))


def period_starting(start: dt.date, frequency: Frequency) -> Period:
    return Period(start=start, end=add_months(start, frequency.months) - dt.timedelta(days=1))


#: Commonweal default: a return is late once its period has been over for this many days (not a legal figure;
#: councils set their own in the contract; `first_missing_period` takes it as a parameter).
RETURN_GRACE_DAYS = 30


def first_missing_period(start: dt.date, frequency: Frequency, last_period_end: dt.date | None, today: dt.date,
                         grace_days: int = RETURN_GRACE_DAYS) -> Period | None:
    """The first reporting period after the latest return (or from the contract's first month when there is none)
    that ended more than `grace_days` before `today`: its return is late. None when nothing is late yet."""
    first = start.replace(day=1) if last_period_end is None else last_period_end + dt.timedelta(days=1)
    period = period_starting(first, frequency)
    return period if period.end + dt.timedelta(days=grace_days) < today else None


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (the day after the last day of a term)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


@dataclass(frozen=True)
class KpiMeasurement:
    kpi: str
    actual: Decimal
    note: str = ""


@dataclass(frozen=True)
class SocialValueDelivery:
    """Delivery the provider claims against a commitment's measure, with its evidence and verification."""

    measure: str
    quantity: Decimal
    evidence: str
    verification: Verification


@dataclass(frozen=True)
class ProviderReport:
    """The provider's own account of the period: what is not working for them. Every figure is optional
    because margin in particular is only shared where the provider chooses to share it."""

    cost_growth_pct: Decimal | None = None
    volume: Decimal | None = None
    workforce_fte: Decimal | None = None
    vacancies: Decimal | None = None
    margin_pct: Decimal | None = None
    cost_pressures: str = ""


@dataclass(frozen=True)
class Return:
    """One periodic (monthly or quarterly) return from the provider."""

    period: Period
    measurements: tuple[KpiMeasurement, ...] = ()
    deliveries: tuple[SocialValueDelivery, ...] = ()
    provider: ProviderReport = field(default_factory=ProviderReport)


class ModificationGround(StrEnum):
    """The route under Procurement Act 2023 s.74 the council relies on for a variation."""

    PERMITTED = "schedule_8"  # s.74(1)(a): a permitted modification under Schedule 8
    NOT_SUBSTANTIAL = "not_substantial"  # s.74(1)(b)
    BELOW_THRESHOLD = "below_threshold"  # s.74(1)(c)
    LIGHT_TOUCH = "light_touch"  # s.74(2)


@dataclass(frozen=True)
class Variation:
    """One entry in the variations log.

    `value_change` is the change in the contract's estimated value (£, negative for a reduction);
    `term_change_months` the change in its maximum term. `changes_scope`, `favours_supplier` and
    `changes_overall_nature` record the council's own judgement on the material tests in s.74(3)(b), s.74(3)(c)
    and s.74(4): those are judgements, not arithmetic, so Commonweal records them rather than guessing.
    `linked_to` names an earlier variation this one could reasonably have been made together with (s.75(4)).
    """

    id: str
    agreed_on: dt.date
    description: str
    value_change: Decimal
    term_change_months: int
    ground: ModificationGround
    schedule_8_paragraph: int | None = None
    changes_scope: bool = False
    favours_supplier: bool = False
    changes_overall_nature: bool = False
    linked_to: str | None = None
    change_notice_published: bool = False
