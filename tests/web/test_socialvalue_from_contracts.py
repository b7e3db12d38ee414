"""The contracts area as a source of the social value roll-up: a contract's commitments (at its own proxies) and
the delivery lines of its counted returns, placed under the organisation's core values, recomputed inside the
contracts area's writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from commonweal.domain.contracts.model import ProviderReport
from commonweal.io.socialvalue import open_library
from commonweal.web.contracts import data as contracts
from commonweal.web.contracts.models import Contract
from commonweal.web.socialvalue import data
from commonweal.web.socialvalue.sources import financial_year

pytestmark = pytest.mark.db

NAME = "NBC-C-001 Home care, north locality"  # the demo's contract with social value commitments
JOBS, VOLUNTEERING = "Local jobs at the Real Living Wage", "Volunteering with community groups"


def _proxies() -> tuple[Decimal, Decimal]:
    library = open_library()
    return library.measure("EMP-JSA-FISCAL").proxy, library.measure("VOL-HOUR-ASHE2024").proxy


def _committed(rollup: data.RollUp, core_value: str) -> Decimal:
    return sum((r.committed for r in rollup.rows if r.contract == NAME and r.core_value == core_value), Decimal(0))


def test_the_rollup_shows_the_demo_contracts_commitments_and_returns(world, client_for) -> None:
    contract = Contract.objects.get(reference="NBC-C-001")
    year = financial_year(contract.start).year  # contract year 1 is the financial year it starts in
    emp, vol = _proxies()
    # as at the end of the financial year after: every demo return (four quarters, all past) is reported
    rollup = data.rollup(User.objects.get(username="viewer"), "northfield", data.AsAt(year + 1))
    total = {t.label: t for t in rollup.by_contract}[NAME]
    assert total.committed == total.due == 4 * emp + 400 * vol
    assert total.delivered == total.verified == 4 * (emp + 100 * vol)  # one start and 100 hours a quarter, verified
    assert _committed(rollup, JOBS) == 4 * emp and _committed(rollup, VOLUNTEERING) == 400 * vol
    # the returns fall in the financial years their periods end in
    ends = {financial_year(r.period_end).year for r in contract.returns.all()}
    assert {r.year for r in rollup.rows if r.contract == NAME and r.delivered} == ends
    assert not [r for r in rollup.rows if r.contract.startswith("SDC-")]  # Southdale's contract is Southdale's
    page = client_for("viewer").get(reverse("sv_delivery", args=["northfield"]),
                                    {"year": str(year + 1), "quarter": "4"}).content.decode()
    assert NAME in page


def test_a_changed_return_is_in_the_rollup_at_once(world) -> None:
    contract = Contract.objects.get(reference="NBC-C-001")
    emp, vol = _proxies()
    user = User.objects.get(username="shared.commissioner")
    access = contracts.contract_access(user, contract.pk, change=True)
    # the first quarter's return again: three starts instead of one, no volunteering, one line rejected
    contracts.save_return(access, contracts.ReturnValues(
        contract.start, "submitted", {},
        [("EMP-JSA-FISCAL", Decimal(3), "Payroll starter report", "verified"),
         ("VOL-HOUR-ASHE2024", Decimal(500), "No log", "rejected")],
        ProviderReport(), None), timezone.localdate())
    year = financial_year(contract.start).year
    total = {t.label: t for t in data.rollup(user, "northfield", data.AsAt(year + 1)).by_contract}[NAME]
    assert total.delivered == total.verified == 6 * emp + 300 * vol


def test_a_contract_below_its_social_value_profile_is_on_the_home_page(world, client_for) -> None:
    contract = Contract.objects.get(reference="NBC-C-001")
    home = reverse("home")
    assert "Social value below profile" not in client_for("shared.commissioner").get(home).content.decode()
    access = contracts.contract_access(User.objects.get(username="shared.commissioner"), contract.pk, change=True)
    # the first quarter's return again with nothing delivered: 3 of 4 starts and 300 of 400 hours, 75% of the £ due
    contracts.save_return(access, contracts.ReturnValues(contract.start, "submitted", {}, [], ProviderReport(), None),
                          timezone.localdate())
    for username in ("shared.commissioner", "contract.manager"):
        page = client_for(username).get(home).content.decode()
        assert "Social value below profile" in page and NAME in page, username
    assert "Social value below profile" not in client_for("viewer").get(home).content.decode()


def _stored(slug: str) -> tuple[list[dict[str, object]], list[dict[str, object]], dict[int, tuple[list, list]]]:
    """What the roll-up stores for an organisation: the lines of its contracts recorded from an upload, and each
    contract of the contracts area's own."""
    from commonweal.web.socialvalue.models import ContractRollUp, StoredRollUp

    stored = StoredRollUp.objects.get(organisation__slug=slug)
    return stored.committed, stored.delivered, {
        r.contract_id: (r.committed, r.delivered) for r in ContractRollUp.objects.filter(organisation__slug=slug)}


def test_a_contract_write_values_that_contract_alone_as_a_full_recomputation_would(world) -> None:
    """Each write to a contract revalues that contract only (a county's 5,000 contracts are not revalued on each
    return), moves the roll-up's version, and stores exactly what valuing every contract again stores."""
    from django.db import transaction

    from commonweal.web.socialvalue.models import ContractRollUp, StoredRollUp

    home_care = Contract.objects.get(reference="NBC-C-001")
    others = {r.contract_id: r.pk for r in ContractRollUp.objects.filter(organisation=home_care.organisation)
              .exclude(contract=home_care)}
    own_committed, own_delivered, _ = _stored("northfield")
    assert own_committed and others  # the demo has contracts of both kinds
    version = StoredRollUp.objects.get(organisation=home_care.organisation).computed_at
    test_a_changed_return_is_in_the_rollup_at_once(world)  # a return saved through the contracts area
    assert StoredRollUp.objects.get(organisation=home_care.organisation).computed_at != version
    # the other contracts' rows untouched (not even rewritten), the uploaded contracts' lines as they were
    assert {r.contract_id: r.pk for r in ContractRollUp.objects.filter(organisation=home_care.organisation)
            .exclude(contract=home_care)} == others
    incremental = _stored("northfield")
    assert incremental[:2] == (own_committed, own_delivered)
    with transaction.atomic():
        data.refresh_rollup(home_care.organisation)
    assert _stored("northfield") == incremental


def test_the_upgrade_moves_each_contracts_lines_out_of_the_organisations_row(world) -> None:
    """Migration socialvalue 0002: a deployment's stored roll-up held every line in the organisation's row; the
    upgrade leaves there the lines of contracts recorded from an upload and gives each contract its own row, as the
    writes now store them; its reverse puts them back."""
    import importlib

    from django.apps import apps

    from commonweal.web.socialvalue.models import ContractRollUp

    migration = importlib.import_module("commonweal.web.socialvalue.migrations.0002_contract_rollup")
    now = {slug: _stored(slug) for slug in ("northfield", "southdale")}
    migration.join(apps, None)
    ContractRollUp.objects.all().delete()  # the schema before had no such rows
    before = _stored("northfield")
    assert before[2] == {} and len(before[0]) > len(now["northfield"][0])
    migration.split(apps, None)
    assert {slug: _stored(slug) for slug in now} == now
