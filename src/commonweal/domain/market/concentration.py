"""How concentrated a service's spend is, and where the council depends on one supplier.

The Herfindahl-Hirschman Index is the sum of the squared percentage shares (0..10,000). Its bands come from
competition authorities' merger guidelines, cited with each band set below; they were written for markets, and
Commonweal applies them to a council's own spend in a service as a signal, not a legal test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.numbers import money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class HhiBands:
    """Upper limits of the lower bands, lowest first, and the names of all bands (one more name than limits)."""

    source: str
    limits: tuple[int, ...]
    names: tuple[str, ...]

    def band(self, hhi: Decimal) -> str:
        for limit, name in zip(self.limits, self.names, strict=False):
            if hhi <= limit:
                return name
        return self.names[-1]


# Competition Commission and Office of Fair Trading, Merger Assessment Guidelines (CC2 / OFT1254, September
# 2010), paragraph 5.3.5: an HHI above 1,000 "may be regarded as concentrated", above 2,000 "highly
# concentrated". Adopted by the CMA in 2014; its 2021 guidelines (CMA129) no longer state bands.
UK_CC_OFT_2010 = HhiBands("CC2/OFT1254 Merger Assessment Guidelines (2010), para 5.3.5",
                          (1000, 2000), ("not concentrated", "concentrated", "highly concentrated"))
# U.S. Department of Justice and Federal Trade Commission, Merger Guidelines (2023), Guideline 1 (section 2.1):
# a market with an HHI greater than 1,800 is highly concentrated.
US_DOJ_FTC_2023 = HhiBands("US DOJ/FTC Merger Guidelines (2023), Guideline 1, s. 2.1",
                           (1800,), ("not highly concentrated", "highly concentrated"))
# U.S. DOJ/FTC Horizontal Merger Guidelines (2010), section 5.3: unconcentrated below 1,500, moderately
# concentrated 1,500 to 2,500, highly concentrated above 2,500.
US_DOJ_FTC_2010 = HhiBands("US DOJ/FTC Horizontal Merger Guidelines (2010), s. 5.3",
                           (1500, 2500), ("unconcentrated", "moderately concentrated", "highly concentrated"))
BAND_SETS = {"uk-2010": UK_CC_OFT_2010, "us-2023": US_DOJ_FTC_2023, "us-2010": US_DOJ_FTC_2010}
# Commonweal default: an alert when one supplier takes at least this share of a service area's spend.
DEFAULT_DEPENDENCY_SHARE = Decimal("0.25")


def shares(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Each supplier's share of the positive total (credits net off within a supplier first; a supplier whose
    net is not positive has no share)."""
    positive = {k: v for k, v in amounts.items() if v > 0}
    total = sum(positive.values(), Decimal(0))
    if total == 0:
        return {}
    return {k: v / total for k, v in positive.items()}


def hhi(amounts: Mapping[str, Decimal]) -> Decimal:
    """Sum of squared percentage shares: one supplier = 10,000; four equal suppliers = 4 x 25^2 = 2,500."""
    return sum(((s * HUNDRED) ** 2 for s in shares(amounts).values()), Decimal(0))


def top_n_share(amounts: Mapping[str, Decimal], n: int) -> Decimal:
    """Share of spend taken by the `n` largest suppliers."""
    return sum(sorted(shares(amounts).values(), reverse=True)[:n], Decimal(0))


def concentration_curve(amounts: Mapping[str, Decimal]) -> list[tuple[int, Decimal]]:
    """(number of suppliers, cumulative share) from the largest supplier down."""
    running = Decimal(0)
    curve = []
    for rank, share in enumerate(sorted(shares(amounts).values(), reverse=True), start=1):
        running += share
        curve.append((rank, running))
    return curve


@dataclass(frozen=True)
class Concentration:
    service_area: str
    total: Decimal
    suppliers: int
    top1_share: Decimal
    top5_share: Decimal
    hhi: Decimal
    band: str
    band_source: str


def concentration(service_area: str, amounts: Mapping[str, Decimal],
                  bands: HhiBands = UK_CC_OFT_2010) -> Concentration:
    value = hhi(amounts)
    return Concentration(service_area, sum((v for v in amounts.values() if v > 0), Decimal(0)),
                         len(shares(amounts)), top_n_share(amounts, 1), top_n_share(amounts, 5),
                         value.quantize(Decimal("0.1")), bands.band(value), bands.source)


@dataclass(frozen=True)
class DependencyAlert:
    service_area: str
    supplier: str
    amount: Decimal
    share: Decimal
    threshold: Decimal

    def message(self) -> str:
        return (f"{self.supplier} takes {self.share:.0%} of {self.service_area} spend ({money(self.amount)}); "
                f"alert at {self.threshold:.0%} (Commonweal default, configurable)")


def dependency_alerts(by_service: Mapping[str, Mapping[str, Decimal]],
                      threshold: Decimal = DEFAULT_DEPENDENCY_SHARE,
                      excluded: Sequence[str] = ()) -> list[DependencyAlert]:
    """Suppliers taking at least `threshold` of a service area's spend, largest share first. `excluded` names
    (e.g. redacted or card-scheme pseudo-suppliers) are not alerted on."""
    alerts = []
    for service, amounts in by_service.items():
        for supplier, share in shares(amounts).items():
            if share >= threshold and supplier not in excluded:
                alerts.append(DependencyAlert(service, supplier, amounts[supplier], share, threshold))
    return sorted(alerts, key=lambda a: (-a.share, a.service_area, a.supplier))
