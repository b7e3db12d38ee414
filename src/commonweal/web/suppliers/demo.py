"""The demo watchlist: Northfield watches the example suppliers (`examples/suppliers/`): Greenway (green),
Keystone (red all along) and Harbourside, which worsens from green to red, so the home page shows its alert."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from commonweal.domain.resilience import Accounts
from commonweal.io.accounts import read_accounts
from commonweal.web import audit
from commonweal.web.models import Organisation
from commonweal.web.suppliers.data import refresh, store_years
from commonweal.web.suppliers.models import WatchedSupplier
from commonweal.web.views import today

EXAMPLES = Path(settings.REPO_DIR) / "examples" / "suppliers"
# what Northfield buys from each (examples/suppliers/contracts.csv, plus Harbourside's)
DEPENDENCY: dict[str, dict[str, object]] = {
    "Greenway Community Care Ltd": {"tier": "medium", "critical": True, "annual_contract_value": Decimal(1200000),
                                    "council_spend_with_supplier": Decimal(1200000),
                                    "council_spend_in_service_area": Decimal(6000000)},
    "Keystone Outsourcing plc": {"tier": "high", "critical": True, "annual_contract_value": Decimal(25000000),
                                 "council_spend_with_supplier": Decimal(25000000),
                                 "council_spend_in_service_area": Decimal(40000000)},
    "Harbourside Home Support Ltd": {"tier": "medium", "critical": True, "annual_contract_value": Decimal(800000),
                                     "council_spend_with_supplier": Decimal(800000),
                                     "council_spend_in_service_area": Decimal(6000000)},
}


@transaction.atomic
def seed(organisation: Organisation) -> list[WatchedSupplier]:
    accounts: list[Accounts] = [*read_accounts(EXAMPLES / "accounts.csv"), *read_accounts(EXAMPLES / "worsening.csv")]
    watched = []
    for name, dependency in DEPENDENCY.items():
        supplier, _ = WatchedSupplier.objects.get_or_create(
            organisation=organisation, name=name, defaults={**dependency, "added_on": today()})
        mine = [a for a in accounts if a.supplier == name]
        numbers = [a.company_number for a in mine if a.company_number]
        if numbers and not supplier.company_number:
            supplier.company_number = numbers[-1]
            supplier.save(update_fields=["company_number"])
        audit.record("demo", "supplier_watched", {"supplier": name, "company_number": supplier.company_number,
                                                  "tier": supplier.tier, "critical": supplier.critical},
                     organisation=organisation)
        store_years(supplier, mine, "examples/suppliers (demo)")
        refresh(supplier)
        watched.append(supplier)
    return watched
