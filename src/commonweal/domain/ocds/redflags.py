"""Procurement red flags over OCDS compiled releases, following the Open Contracting Partnership's Cardinal.

Method and defaults: Cardinal (open-contracting/cardinal-rs), documented at
https://cardinal.readthedocs.io/en/latest/cli/indicators/ (one page per code, e.g. `.../indicators/R/003.html`;
source `docs/cli/indicators/R/<code>.md` in the repository). Each indicator here keeps Cardinal's code, method,
exclusions and default threshold; a default Cardinal does not set is labelled "Commonweal default".

Outlier fences (R024, R038, R048, R058) are Tukey's fences, Q1 - 1.5 IQR and Q3 + 1.5 IQR, with quartiles
computed as Cardinal does through the statrs crate: Hyndman and Fan's definition 8,
h = (n + 1/3) p + 1/3. A configured threshold replaces the fence, as in Cardinal. Commonweal rule (ours, not
Cardinal's): a value must also lie strictly beyond the quartile (above Q3, below Q1), so that when most values are
equal (IQR = 0, e.g. every buyer disqualifies nothing) the fence does not flag them all.

Statuses follow the OCDS codelists: a bid is *submitted* when its status is pending, valid or disqualified; an
award is *final* when active, cancelled or unsuccessful. Publishers that use other words are mapped first
(`RedFlagSettings.bid_statuses`, as Cardinal's `prepare` command does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

SUBMITTED = frozenset({"pending", "valid", "disqualified"})
FINAL_AWARD = frozenset({"active", "cancelled", "unsuccessful"})


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    method: str
    source: str


def _cardinal(code: str) -> str:
    return f"Cardinal {code}: https://cardinal.readthedocs.io/en/latest/cli/indicators/R/{code[1:]}.html"


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator("R003", "Short submission period",
                  "Tender period (end - start) in whole days is below the threshold, for open procedures only.",
                  _cardinal("R003")),
        Indicator("R018", "Single bid received",
                  "Only one tenderer submitted a bid in a competitive (open or selective) procedure.",
                  _cardinal("R018")),
        Indicator("R024", "Price close to winning bid",
                  "(second-lowest valid bid - winning bid) / winning bid is at or below the lower fence.",
                  _cardinal("R024")),
        Indicator("R028", "Identical bid prices",
                  "Different tenderers submitted bids with the same price.", _cardinal("R028")),
        Indicator("R030", "Late bid won",
                  "A valid bid dated after the tender period's end is from a supplier of an active award.",
                  _cardinal("R030")),
        Indicator("R035", "All except winning bid disqualified",
                  "One tenderer has valid bids, it is the supplier of every active award, and at least the threshold "
                  "number of other tenderers had bids disqualified.", _cardinal("R035")),
        Indicator("R036", "Lowest bid disqualified",
                  "There is an active award and the lowest submitted bid is disqualified.", _cardinal("R036")),
        Indicator("R038", "Excessive disqualified bids",
                  "Disqualified / submitted bids per buyer, procuring entity or tenderer is at or above the upper "
                  "fence.", _cardinal("R038")),
        Indicator("R048", "Heterogeneous supplier",
                  "Distinct top-level item classifications (first digits) awarded to a supplier across processes "
                  "is at or above the upper fence.", _cardinal("R048")),
        Indicator("R058", "Heavily discounted bid",
                  "(second-lowest valid bid - winning bid) / winning bid is at or above the upper fence.",
                  _cardinal("R058")),
    )
}


@dataclass(frozen=True)
class RedFlagSettings:
    """Thresholds and options; Cardinal's defaults unless labelled otherwise. None means "use the fence"."""

    currency: str | None = None  # Cardinal: the main currency; the first currency seen when unset
    r003_threshold_days: int = 15  # Cardinal R003 default
    r003_procurement_methods: frozenset[str] = frozenset({"open"})  # Cardinal R003: excluded unless open
    r018_procurement_methods: frozenset[str] = frozenset({"open", "selective"})  # Cardinal R018 default
    r024_threshold: Decimal | None = None  # Cardinal R024: lower fence by default
    r035_threshold: int = 1  # Cardinal R035 default
    r038_threshold: Decimal | None = None  # Cardinal R038: upper fence by default
    r038_minimum_submitted_bids: int = 2  # Cardinal R038 default
    r038_minimum_contracting_processes: int = 2  # Cardinal R038 default
    r048_threshold: int | None = None  # Cardinal R048: upper fence by default
    r048_digits: int = 2  # Cardinal R048 default
    r058_threshold: Decimal | None = None  # Cardinal R058: upper fence by default
    # Publisher words -> OCDS bid status, as Cardinal's `prepare` codelist mapping. Commonweal default: none.
    bid_statuses: Mapping[str, str] = field(default_factory=dict)
    # Commonweal option (off by default): treat a bid as disqualified when its tenderer's award is unsuccessful,
    # for publishers such as Prozorro (2017) that record disqualification on the award, not the bid.
    disqualified_by_unsuccessful_award: bool = False
    enabled: frozenset[str] = frozenset(INDICATORS)


@dataclass(frozen=True)
class Flag:
    code: str
    value: Decimal
    detail: str


@dataclass(frozen=True)
class Fence:
    q1: Decimal | None
    q3: Decimal | None
    fence: Decimal


@dataclass(frozen=True)
class RedFlagReport:
    """Flags per contracting process (ocid), per organisation ("Buyer"/"ProcuringEntity"/"Tenderer", id),
    and the quartiles and fences used."""

    processes: dict[str, tuple[Flag, ...]]
    organisations: dict[tuple[str, str], tuple[Flag, ...]]
    fences: dict[str, Fence]
    checked: int


# ---- reading a compiled release ------------------------------------------------------------------------------


def _amount(value: Any) -> tuple[Decimal, str | None] | None:
    if not isinstance(value, Mapping):
        return None
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float | str | Decimal):
        return None
    try:
        # str() keeps a float's shortest repr, so 2910.0 is exactly 2910.0, not its binary expansion
        return Decimal(str(amount)), value.get("currency")
    except InvalidOperation:
        return None


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _organisation_id(org: Any) -> str | None:
    """An organisation reference's `id`; without one, its `identifier` as `scheme-id` (the org-id.guide form),
    which is how Prozorro (2017) names bid tenderers and matches its award suppliers' ids."""
    if not isinstance(org, Mapping):
        return None
    if org.get("id") not in (None, ""):
        return str(org["id"])
    identifier = org.get("identifier")
    if isinstance(identifier, Mapping) and identifier.get("scheme") and identifier.get("id") not in (None, ""):
        return f"{identifier['scheme']}-{identifier['id']}"
    return None


@dataclass(frozen=True)
class _Bid:
    tenderers: frozenset[str]
    status: str
    amount: Decimal | None
    currency: str | None
    date: datetime | None


@dataclass(frozen=True)
class _Process:
    ocid: str
    method: str | None
    buyer: str | None
    procuring_entity: str | None
    bids: tuple[_Bid, ...]
    awards: tuple[Mapping[str, Any], ...]
    tender: Mapping[str, Any]

    @property
    def awards_final(self) -> bool:
        return all(award.get("status") in FINAL_AWARD for award in self.awards)

    @property
    def active_awards(self) -> list[Mapping[str, Any]]:
        return [award for award in self.awards if award.get("status") == "active"]

    def suppliers(self, award: Mapping[str, Any]) -> list[str]:
        return [s for s in (_organisation_id(x) for x in award.get("suppliers") or []) if s is not None]

    @property
    def submitted(self) -> list[_Bid]:
        return [bid for bid in self.bids if bid.status in SUBMITTED]


def _process(release: Mapping[str, Any], settings: RedFlagSettings) -> _Process:
    tender = release.get("tender") if isinstance(release.get("tender"), Mapping) else {}
    assert isinstance(tender, Mapping)
    awards = tuple(a for a in release.get("awards") or [] if isinstance(a, Mapping))
    unsuccessful: set[str | None] = set()
    if settings.disqualified_by_unsuccessful_award:
        for award in awards:
            if award.get("status") == "unsuccessful":
                unsuccessful.update(_organisation_id(s) for s in award.get("suppliers") or [])
    bids = []
    details = (release.get("bids") or {}).get("details") if isinstance(release.get("bids"), Mapping) else None
    for detail in details or []:
        if not isinstance(detail, Mapping):
            continue
        tenderers = frozenset(t for t in (_organisation_id(x) for x in detail.get("tenderers") or []) if t)
        status = str(detail.get("status"))
        status = settings.bid_statuses.get(status, status)
        if tenderers & unsuccessful:
            status = "disqualified"
        money = _amount(detail.get("value"))
        bids.append(_Bid(tenderers, status, money[0] if money else None, money[1] if money else None,
                         _when(detail.get("date"))))
    buyer = release.get("buyer")
    return _Process(
        ocid=str(release.get("ocid")),
        method=tender.get("procurementMethod"),
        buyer=_organisation_id(buyer),
        procuring_entity=_organisation_id(tender.get("procuringEntity")),
        bids=tuple(bids),
        awards=awards,
        tender=tender,
    )


# ---- statistics ----------------------------------------------------------------------------------------------

_THIRD = Decimal(1) / Decimal(3)


def quantile(values: Sequence[Decimal], p: Decimal) -> Decimal:
    """Hyndman and Fan definition 8, as statrs' `quantile` (which Cardinal uses): h = (n + 1/3) p + 1/3."""
    data = sorted(values)
    n = len(data)
    h = (n + _THIRD) * p + _THIRD
    whole = int(h)
    if whole <= 0 or p == 0:
        return data[0]
    if whole >= n or p == 1:
        return data[-1]
    low, high = data[whole - 1], data[whole]
    return low + (h - whole) * (high - low)


def fences(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(q1, q3, lower fence, upper fence): Tukey's fences at 1.5 IQR."""
    q1, q3 = quantile(values, Decimal("0.25")), quantile(values, Decimal("0.75"))
    iqr = q3 - q1
    return q1, q3, q1 - Decimal("1.5") * iqr, q3 + Decimal("1.5") * iqr


# ---- indicators ----------------------------------------------------------------------------------------------


def _r003(p: _Process, s: RedFlagSettings) -> Flag | None:
    if p.method not in s.r003_procurement_methods:
        return None
    period = p.tender.get("tenderPeriod") or {}
    start, end = _when(period.get("startDate")), _when(period.get("endDate"))
    if start is None or end is None or (start.tzinfo is None) != (end.tzinfo is None):
        return None
    days = (end - start).days
    if days < s.r003_threshold_days:
        return Flag("R003", Decimal(1), f"tender period {days} days < {s.r003_threshold_days}")
    return None


def _r018(p: _Process, s: RedFlagSettings) -> Flag | None:
    if p.method not in s.r018_procurement_methods:
        return None
    if p.bids:
        tenderers = set().union(*(bid.tenderers for bid in p.submitted)) if p.submitted else set()
        count = len(tenderers)
    else:
        number = p.tender.get("numberOfTenderers")
        if not isinstance(number, int):
            return None
        count = number
    if count == 1:
        return Flag("R018", Decimal(1), f"one tenderer in a {p.method} procedure")
    return None


def _difference(p: _Process, currency: str | None) -> Decimal | None:
    """(second-lowest valid bid - winning bid) / winning bid, under Cardinal R024/R058's exclusions."""
    if not p.awards_final or len(p.active_awards) != 1:
        return None
    suppliers = p.suppliers(p.active_awards[0])
    if len(suppliers) != 1:
        return None
    winner: Decimal | None = None
    others: list[Decimal] = []
    for bid in p.bids:
        if bid.status != "valid" or len(bid.tenderers) != 1 or bid.amount is None:
            continue
        if currency is not None and bid.currency != currency:
            continue
        if suppliers[0] in bid.tenderers:
            winner = bid.amount
        else:
            others.append(bid.amount)
    if winner is None or not others or winner == 0:
        return None
    lowest = min(others)
    if lowest < winner:  # the lowest bid did not win: the award criteria are not price only
        return None
    return (lowest - winner) / winner


def _r028(p: _Process, s: RedFlagSettings) -> Flag | None:
    prices: dict[tuple[Decimal, str | None], set[frozenset[str]]] = defaultdict(set)
    for bid in p.submitted:
        if bid.amount is not None and bid.tenderers:
            prices[(bid.amount, bid.currency)].add(bid.tenderers)
    same = sorted(f"{amount} {currency or ''}".strip() for (amount, currency), who in prices.items() if len(who) > 1)
    if same:
        return Flag("R028", Decimal(1), "identical prices from different tenderers: " + ", ".join(same))
    return None


def _r030(p: _Process, s: RedFlagSettings) -> Flag | None:
    end = _when((p.tender.get("tenderPeriod") or {}).get("endDate"))
    if end is None:
        return None
    winners = {s for award in p.active_awards for s in p.suppliers(award)}
    for bid in p.bids:
        if (
            bid.status == "valid" and bid.date is not None and (bid.date.tzinfo is None) == (end.tzinfo is None)
            and bid.date > end and bid.tenderers & winners
        ):
            return Flag("R030", Decimal(1), f"winning bid dated {bid.date.isoformat()} after the deadline")
    return None


def _r035(p: _Process, s: RedFlagSettings) -> Flag | None:
    if not p.awards_final:
        return None
    valid = set().union(*(b.tenderers for b in p.bids if b.status == "valid")) if p.bids else set()
    if len(valid) != 1:
        return None
    suppliers = {x for award in p.active_awards for x in p.suppliers(award)}
    if suppliers != valid:
        return None
    disqualified = {t for b in p.bids if b.status == "disqualified" for t in b.tenderers} - valid
    if len(disqualified) >= s.r035_threshold:
        return Flag("R035", Decimal(len(disqualified)), f"{len(disqualified)} other tenderers disqualified")
    return None


def _r036(p: _Process, s: RedFlagSettings) -> Flag | None:
    if not p.active_awards:
        return None
    priced = [bid for bid in p.submitted if bid.amount is not None]
    if not priced:
        return None
    lowest = min(bid.amount for bid in priced if bid.amount is not None)
    if any(bid.amount == lowest and bid.status == "disqualified" for bid in priced):
        return Flag("R036", Decimal(1), f"the lowest bid ({lowest}) was disqualified")
    return None


_PER_PROCESS: dict[str, Callable[[_Process, RedFlagSettings], Flag | None]] = {
    "R003": _r003, "R018": _r018, "R028": _r028, "R030": _r030, "R035": _r035, "R036": _r036,
}


def _outliers(
    code: str,
    values: Mapping[Any, Decimal],
    threshold: Decimal | None,
    high: bool,
    fences_used: dict[str, Fence],
) -> dict[Any, Decimal]:
    if not values:
        return {}
    if threshold is not None:
        fence = Fence(None, None, threshold)
    else:
        q1, q3, lower, upper = fences(list(values.values()))
        fence = Fence(q1, q3, upper if high else lower)
    fences_used[code] = fence
    if high:
        return {k: v for k, v in values.items() if v >= fence.fence and (fence.q3 is None or v > fence.q3)}
    return {k: v for k, v in values.items() if v <= fence.fence and (fence.q1 is None or v < fence.q1)}


def red_flags(releases: Iterable[Mapping[str, Any]], settings: RedFlagSettings | None = None) -> RedFlagReport:
    """Run the enabled indicators over compiled releases; every process checked appears in the report."""
    s = settings or RedFlagSettings()
    on = s.enabled
    processes: dict[str, list[Flag]] = {}
    organisations: dict[tuple[str, str], list[Flag]] = defaultdict(list)
    differences: dict[str, Decimal] = {}
    ratios: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (group, id) -> [disqualified, submitted]
    ocids_per: dict[tuple[str, str], set[str]] = defaultdict(set)
    varieties: dict[str, set[str]] = defaultdict(set)
    currency = s.currency
    for release in releases:
        p = _process(release, s)
        flags = processes.setdefault(p.ocid, [])
        for code, indicator in _PER_PROCESS.items():
            if code in on:
                flag = indicator(p, s)
                if flag is not None:
                    flags.append(flag)
        if currency is None:
            currency = next((bid.currency for bid in p.bids if bid.currency), None)
        difference = _difference(p, currency)
        if difference is not None:
            differences[p.ocid] = difference
        for bid in p.submitted:
            disqualified = int(bid.status == "disqualified")
            keys = [("Buyer", p.buyer), ("ProcuringEntity", p.procuring_entity)]
            keys += [("Tenderer", t) for t in bid.tenderers]
            for group, key in keys:
                if key is not None:
                    ratios[(group, key)][0] += disqualified
                    ratios[(group, key)][1] += 1
                    ocids_per[(group, key)].add(p.ocid)
        for award in p.active_awards:
            suppliers = p.suppliers(award)
            if len(suppliers) != 1:
                continue  # Cardinal R048: awards to several suppliers are excluded
            for item in award.get("items") or []:
                code_id = ((item or {}).get("classification") or {}).get("id")
                if isinstance(code_id, str) and code_id[: s.r048_digits].isdigit():
                    varieties[suppliers[0]].add(code_id[: s.r048_digits])

    fences_used: dict[str, Fence] = {}
    if "R024" in on:
        for ocid, value in _outliers("R024", differences, s.r024_threshold, False, fences_used).items():
            processes[ocid].append(Flag("R024", value, f"second-lowest valid bid is {value:.4%} above the winner"))
    if "R058" in on:
        for ocid, value in _outliers("R058", differences, s.r058_threshold, True, fences_used).items():
            processes[ocid].append(Flag("R058", value, f"second-lowest valid bid is {value:.4%} above the winner"))
    if "R038" in on:
        for group in ("Buyer", "ProcuringEntity", "Tenderer"):  # Cardinal: one fence per group
            minimum = s.r038_minimum_submitted_bids if group == "Tenderer" else s.r038_minimum_contracting_processes
            eligible = {
                key: Decimal(d) / Decimal(n)
                for key, (d, n) in ratios.items()
                if key[0] == group and (n if group == "Tenderer" else len(ocids_per[key])) >= minimum
            }
            for key, value in _outliers(f"R038 {group}", eligible, s.r038_threshold, True, fences_used).items():
                organisations[key].append(Flag("R038", value, f"{value:.2%} of submitted bids disqualified"))
    if "R048" in on:
        counts = {key: Decimal(len(codes)) for key, codes in varieties.items()}
        threshold = Decimal(s.r048_threshold) if s.r048_threshold is not None else None
        for key, value in _outliers("R048", counts, threshold, True, fences_used).items():
            organisations[("Tenderer", key)].append(Flag("R048", value, f"{value} distinct item divisions awarded"))
    return RedFlagReport(
        processes={ocid: tuple(flags) for ocid, flags in processes.items()},
        organisations={key: tuple(flags) for key, flags in organisations.items()},
        fences=fences_used,
        checked=len(processes),
    )
