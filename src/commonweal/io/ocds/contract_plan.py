"""Read `contracts.yaml`: what a council adds to a tender folder after the award, for OCDS publication.

Layout (one entry per awarded lot; every key is checked and every problem reported at once):

    contracts:
      - lot: "1"
        id: FBC-ASC-2026-014-lot-1-contract
        title: Home care, north locality
        status: active            # OCDS contractStatus: pending, active, cancelled, terminated
        value: 3740000.00         # pounds, exact
        start: 2027-04-01
        end: 2032-03-31
        date_signed: 2027-02-15
        supplier: {scale: sme, vcse: true}
        kpis:
          - {id: KPI-1, title: Visits started on time, unit: percent, target: 95,
             actuals: [{period_start: 2027-04-01, period_end: 2027-06-30, value: 93.5}]}
        social_value:
          commitments:
            - {id: SV-1, measure: Local people employed (FTE), unit: FTE, quantity: 25, value: 550000}
          delivery:
            - {commitment: SV-1, period_start: 2027-04-01, period_end: 2027-06-30, quantity: 11,
               evidence: Payroll extract}
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from commonweal.domain.ocds.mapping import (
    Commitment,
    ContractPlan,
    Delivery,
    Metric,
    Money,
    Observation,
    PublishedContract,
)
from commonweal.io.errors import ProblemCollector

CONTRACT_STATUSES = ("pending", "active", "cancelled", "terminated")
SCALES = ("micro", "sme", "large")


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text, so a bad one is reported with its key, not a traceback."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.problems = ProblemCollector()

    def fail(self, where: str, message: str) -> None:
        self.problems.add(self.file, message, column=where)

    def text(self, entry: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
        value = entry.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required")
            return ""
        return str(value)

    def decimal(self, entry: dict[str, Any], key: str, where: str, *, required: bool = False) -> Decimal | None:
        value = entry.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required (a number)")
            return None
        if isinstance(value, bool):
            self.fail(f"{where}.{key}", f"expected a number, found {value!r}")
            return None
        try:
            # YAML reads 93.5 as a float; its shortest text is the number the council wrote
            return Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{where}.{key}", f"expected a number, found {value!r}")
            return None

    def day(self, entry: dict[str, Any], key: str, where: str, *, required: bool = False) -> date | None:
        value = entry.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required (a date, YYYY-MM-DD)")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{where}.{key}", f"expected a date as YYYY-MM-DD, found {value!r}")
            return None

    def items(self, entry: dict[str, Any], key: str, where: str) -> list[tuple[str, dict[str, Any]]]:
        value = entry.get(key) or []
        path = f"{where}.{key}" if where else key
        if not isinstance(value, list):
            self.fail(path, "expected a list")
            return []
        out = []
        for n, item in enumerate(value, start=1):
            if isinstance(item, dict):
                out.append((f"{path}[{n}]", item))
            else:
                self.fail(f"{path}[{n}]", "expected a mapping")
        return out


def read_contract_plans(path: Path) -> dict[str, ContractPlan]:
    """The contract plans per lot; raises InputError naming the file and key for every problem."""
    file = str(path)
    r = _Reader(file)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        r.problems.add(file, f"not valid YAML: {getattr(error, 'problem', error)}",
                       row=mark.line + 1 if mark else None)
        r.problems.raise_if_any()
    if not isinstance(data, dict) or not isinstance(data.get("contracts"), list):
        r.problems.add(file, "expected a mapping with a `contracts` list")
        r.problems.raise_if_any()
    plans: dict[str, ContractPlan] = {}
    for where, entry in r.items(data, "contracts", ""):
        lot = r.text(entry, "lot", where, required=True)
        status = r.text(entry, "status", where) or "active"
        if status not in CONTRACT_STATUSES:
            r.fail(f"{where}.status", f"expected one of {', '.join(CONTRACT_STATUSES)}, found {status!r}")
        supplier = entry.get("supplier") or {}
        scale = supplier.get("scale") if isinstance(supplier, dict) else None
        if scale is not None and scale not in SCALES:
            r.fail(f"{where}.supplier.scale", f"expected one of {', '.join(SCALES)}, found {scale!r}")
        vcse = supplier.get("vcse") if isinstance(supplier, dict) else None
        if vcse is not None and not isinstance(vcse, bool):
            r.fail(f"{where}.supplier.vcse", f"expected true or false, found {vcse!r}")
        metrics = []
        for kwhere, kpi in r.items(entry, "kpis", where):
            kid = r.text(kpi, "id", kwhere, required=True)
            observations = []
            target = r.decimal(kpi, "target", kwhere)
            if target is not None:
                observations.append(Observation(id=f"{kid}-target", kind="target", measure=target))
            for awhere, actual in r.items(kpi, "actuals", kwhere):
                measure = r.decimal(actual, "value", awhere, required=True)
                start, end = r.day(actual, "period_start", awhere), r.day(actual, "period_end", awhere)
                if measure is not None:
                    label = end.isoformat() if end else str(len(observations))
                    observations.append(Observation(id=f"{kid}-{label}", kind="actual", measure=measure,
                                                    period_start=start, period_end=end))
            metrics.append(Metric(id=kid, title=r.text(kpi, "title", kwhere), unit=r.text(kpi, "unit", kwhere),
                                  observations=tuple(observations)))
        social = entry.get("social_value") or {}
        commitments = []
        for cwhere, c in r.items(social, "commitments", f"{where}.social_value"):
            value = r.decimal(c, "value", cwhere)
            commitments.append(Commitment(
                id=r.text(c, "id", cwhere, required=True), measure=r.text(c, "measure", cwhere, required=True),
                unit=r.text(c, "unit", cwhere), quantity=r.decimal(c, "quantity", cwhere),
                value=Money(value) if value is not None else None, description=r.text(c, "description", cwhere),
            ))
        known = {c.id for c in commitments}
        delivery = []
        for dwhere, d in r.items(social, "delivery", f"{where}.social_value"):
            commitment = r.text(d, "commitment", dwhere, required=True)
            if commitment and commitment not in known:
                r.fail(f"{dwhere}.commitment", f"no commitment with id {commitment!r} in this contract")
            start = r.day(d, "period_start", dwhere, required=True)
            end = r.day(d, "period_end", dwhere, required=True)
            value = r.decimal(d, "value", dwhere)
            if start and end:
                delivery.append(Delivery(
                    id=f"{commitment}-{end.isoformat()}", commitment=commitment, period_start=start, period_end=end,
                    quantity=r.decimal(d, "quantity", dwhere), value=Money(value) if value is not None else None,
                    evidence=r.text(d, "evidence", dwhere),
                ))
        amount = r.decimal(entry, "value", where)
        if lot in plans:
            r.fail(f"{where}.lot", f"lot {lot!r} has two contracts")
        plans[lot] = ContractPlan(
            lot=lot,
            contract=PublishedContract(
                id=r.text(entry, "id", where, required=True),
                award_id="",  # set by the export, which names the award
                title=r.text(entry, "title", where),
                status=status,
                value=Money(amount) if amount is not None else None,
                period_start=r.day(entry, "start", where),
                period_end=r.day(entry, "end", where),
                date_signed=r.day(entry, "date_signed", where),
                metrics=tuple(metrics),
                commitments=tuple(commitments),
                delivery=tuple(delivery),
            ),
            supplier_scale=scale,
            supplier_vcse=vcse,
        )
    r.problems.raise_if_any()
    return plans
