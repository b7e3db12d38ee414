"""The roll-up's second source: the contracts area's records. A let contract's social value commitments (carried
over from the winning bid, each valued at its own proxy) and the social value delivery lines of its returns, so the
roll-up by contract, core value and year covers the contracts under management as well as those recorded here
from an upload. `data.refresh_rollup` reads every contract's whenever it recomputes, and `data.contract_changed` one
contract's inside each write of the contracts area that changes a contract or a return
(`commonweal.web.contracts.data.refresh`).

Placing in time (Commonweal's reading, as `data.record_contract` does for uploads): contract year 1 is the
financial year the contract starts in; a return counts in the financial year and quarter its period ends in (a
return is reported when its period is over). Draft returns are unfinished and are left out (`Return.COUNTED`); a
rejected delivery line never counts (`rollup.roll_up`); the council verifying a return verifies its claims
(`_verification`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import cast

from commonweal.domain.socialvalue.delivery import Verification
from commonweal.domain.socialvalue.library import Library, Measure
from commonweal.domain.socialvalue.rollup import AsAt, CommittedLine, DeliveredLine, ValuedLine, value_lines
from commonweal.web.contracts.models import Contract, Delivery, Return
from commonweal.web.models import Organisation


def financial_year(day: dt.date) -> AsAt:
    """The financial year and quarter `day` falls in (April to March; Q1 = April to June)."""
    year = day.year if day.month >= 4 else day.year - 1
    return AsAt(year, (day.month - 4) % 12 // 3 + 1)


def contract_name(contract: Contract) -> str:
    """How the roll-up names a contract of the contracts area: its reference and title."""
    return named(contract.reference, contract.title)


def named(reference: str, title: str) -> str:
    """`contract_name` from the two fields alone (a page that reads them as values, not as a Contract)."""
    return f"{reference} {title}"


def _verification(line: Delivery) -> Verification:
    """A claim's verification: the council verifying a provider's return (`contracts.data.check_return`) verifies
    the evidence of every claim in it not rejected one by one, as the provider's portal tells it ("your social value
    figures count once the council has verified their evidence")."""
    if line.ret.status == Return.VERIFIED and line.verification == "unverified":
        return "verified"
    return cast(Verification, line.verification)


def from_contracts(organisation: Organisation, library: Library, core_value_of: Mapping[str, str],
                   contract_id: int | None = None) -> dict[int, tuple[tuple[ValuedLine, ...], tuple[ValuedLine, ...]]]:
    """By contract, every commitment and counted delivery line of the organisation's contracts (`contract_id`: of that
    one alone), valued by the one valuation at the contract's own proxies (a measure the contract did not commit to
    at the library's), placed under the core value its measure serves. Three queries whatever the number of
    contracts."""
    contracts = Contract.objects.filter(organisation=organisation)
    deliveries_of = Delivery.objects.filter(ret__contract__organisation=organisation, ret__status__in=Return.COUNTED)
    if contract_id is not None:
        contracts, deliveries_of = contracts.filter(pk=contract_id), deliveries_of.filter(ret__contract_id=contract_id)
    deliveries: dict[int, list[tuple[Delivery, dt.date]]] = {}
    for d in deliveries_of.select_related("ret").only("measure", "quantity", "verification", "ret__contract_id",
                                                      "ret__period_end", "ret__status"):
        deliveries.setdefault(d.ret.contract_id, []).append((d, d.ret.period_end))
    found: dict[int, tuple[tuple[ValuedLine, ...], tuple[ValuedLine, ...]]] = {}
    for contract in contracts.prefetch_related("commitments").only("pk", "reference", "title", "start"):
        name = contract_name(contract)
        first = financial_year(contract.start).year
        commitments = list(contract.commitments.all())
        own: dict[str, Measure] = {}
        for c in commitments:
            own.setdefault(c.measure, c.as_measure())
        valuing = Library(name=name, version="as the contract",
                          measures=(*own.values(), *(m for m in library.measures if m.id not in own)))
        promised = [CommittedLine(name, c.measure, first + c.year - 1, c.quantity) for c in commitments]
        # a line for a measure known nowhere has no £ to add (the contracts area refuses such lines when entered)
        returned = [DeliveredLine(name, d.measure, when.year, when.quarter, d.quantity, _verification(d))
                    for d, period_end in deliveries.get(contract.pk, []) if d.measure in valuing
                    for when in (financial_year(period_end),)]
        found[contract.pk] = value_lines(promised, returned, valuing, core_value_of)
    return found
