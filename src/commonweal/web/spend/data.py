"""The spend area's reads and writes. Each starts from the one access layer (`organisation_access`): an
organisation's spend is seen by its organisation-wide roles (admin, commissioner, viewer); its commissioners upload
files, state a file's columns and decide look-alike supplier names; its admins and commissioners set its local
postcode areas. Every change is saved with its audit entry in one transaction. The import itself runs in the worker
(`commonweal.web.spend.worker`), never in a request.

Changes to the stored figures take the organisation's row lock first (`_lock`), so a worker storing an import's
figures and a person changing the local areas never cross: the figures always carry the areas last saved.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commonweal.domain.lifecycle import Role
from commonweal.domain.market import concentration as conc
from commonweal.domain.market.locality import Locality, local_share, parse_local_areas
from commonweal.web import audit
from commonweal.web.access import Forbidden, NotFound, Refused, Visitor, organisation_access, signed_in
from commonweal.web.models import Organisation
from commonweal.web.spend.models import LocalAreas, SpendFigures, SpendImport, SupplierReview

READERS = (Role.ADMIN, Role.COMMISSIONER, Role.VIEWER)
WRITERS = (Role.COMMISSIONER,)
# who sets the organisation's local postcode areas: its admins (who keep its settings) and its commissioners (who
# keep its spend)
SETTERS = (Role.ADMIN, Role.COMMISSIONER)
# The fields a person may state on the mapping screen (the column map's), with their labels.
MAPPED_FIELDS = {"amount": "Amount paid", "supplier_name": "Supplier (payee) name", "date": "Payment date",
                 "service_area": "Service area", "supplier_id": "Supplier identifier"}


def spend_folder(organisation: Organisation) -> Path:
    """The organisation's spend files: `uploads/` (each file as uploaded) and `store/` (the Parquet spend store)."""
    return Path(settings.COMMONWEAL_SPEND_DIR) / organisation.slug


def store_folder(organisation: Organisation) -> Path:
    return spend_folder(organisation) / "store"


def upload_path(job: SpendImport) -> Path:
    suffix = Path(job.file_name).suffix.lower()
    return spend_folder(job.organisation) / "uploads" / f"{job.pk}-{job.sha256[:16]}{suffix}"


def readable(user: Visitor, slug: str) -> Organisation:
    return organisation_access(user, slug, *READERS)


def organisations(user: Visitor) -> list[Organisation]:
    """The organisations whose spend the person may see."""
    member = signed_in(user)
    return list(Organisation.objects.filter(memberships__user=member,
                                            memberships__role__in=[r.value for r in READERS])
                .distinct().order_by("name"))


def imports(user: Visitor, slug: str) -> tuple[Organisation, list[SpendImport]]:
    organisation = readable(user, slug)
    found = list(SpendImport.objects.filter(organisation=organisation).defer("report", "problems")
                 .select_related("uploaded_by").order_by("-pk"))
    return organisation, found


def spend_import(user: Visitor, slug: str, import_id: int) -> tuple[Organisation, SpendImport]:
    organisation = readable(user, slug)
    job = SpendImport.objects.filter(organisation=organisation, pk=import_id).first()
    if job is None:
        raise NotFound("no such import")
    return organisation, job


@audit.retrying
def upload(user: Visitor, slug: str, name: str, content: bytes) -> SpendImport:
    """Queue one spend file for import: the file is kept as uploaded and the worker reads it."""
    organisation = organisation_access(user, slug, *WRITERS)
    member = signed_in(user)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        job = SpendImport.objects.create(organisation=organisation, uploaded_by=member, file_name=name,
                                         sha256=digest, size=len(content),
                                         rows_expected=max(content.count(b"\n"), 1))
        path = upload_path(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        audit.record(member.get_username(), "spend_uploaded", {"file": name, "sha256": digest, "bytes": len(content)},
                     organisation=organisation)
    return job


@audit.retrying
def state_mapping(user: Visitor, slug: str, import_id: int, column_map: Mapping[str, Any]) -> SpendImport:
    """The person's statement of a file's layout (from the mapping screen); the import is queued again with it."""
    organisation = organisation_access(user, slug, *WRITERS)
    member = signed_in(user)
    with transaction.atomic():
        job = SpendImport.objects.select_for_update().filter(organisation=organisation, pk=import_id).first()
        if job is None:
            raise NotFound("no such import")
        if job.status not in (SpendImport.NEEDS_MAPPING, SpendImport.FAILED):
            raise Refused([f"this import is {job.get_status_display().lower()}: its columns can be stated only "
                           "when it stopped to ask"])
        job.column_map = dict(column_map)
        job.status = SpendImport.PENDING
        job.problems = []
        job.save(update_fields=["column_map", "status", "problems"])
        audit.record(member.get_username(), "spend_mapping_stated", {"file": job.file_name, **job.column_map},
                     organisation=organisation)
    return job


def figures(user: Visitor, slug: str) -> tuple[Organisation, SpendFigures | None]:
    organisation = readable(user, slug)
    return organisation, SpendFigures.objects.filter(organisation=organisation).first()


@dataclass(frozen=True)
class Filters:
    """The spend report's filters: months from and to (`yyyy-mm`, inclusive) and a service area."""

    period_from: str = ""
    period_to: str = ""
    service_area: str = ""

    def keeps(self, cell: Mapping[str, Any]) -> bool:
        period = cell["period"]
        return ((not self.period_from or (period and period >= self.period_from))
                and (not self.period_to or (period and period <= self.period_to))
                and (not self.service_area or cell["service_area"] == self.service_area))


def filtered_report(stored: SpendFigures, filters: Filters, top: int = 15) -> dict[str, Any]:
    """The report's figures for the filtered months and service, added up from the stored cells: shares by
    supplier type, top suppliers, spend by month and the concentration of the chosen spend (HHI, bands cited by
    `domain.market.concentration`). Suppliers here are names as normalised; the whole report joins names a
    reviewer or an identifier says are one organisation."""
    cells = [c for c in stored.cells if filters.keeps(c)]
    total = sum((Decimal(c["total"]) for c in cells), Decimal(0))
    by_label: dict[str, Decimal] = defaultdict(Decimal)
    by_supplier: dict[str, Decimal] = defaultdict(Decimal)
    label_of: dict[str, str] = {}
    by_period: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    local_of: dict[str, str] = {}  # a supplier's locality is the same in each of its cells
    unknown = Locality.UNKNOWN.value
    payments = 0
    for cell in cells:
        amount = Decimal(cell["total"])
        # cells stored before localities were kept have none: unknown, until the next import, review or change
        local_of[cell["supplier"]] = cell.get("local", unknown)
        by_label[cell["label"]] += amount
        by_supplier[cell["supplier"]] += amount
        label_of[cell["supplier"]] = cell["label"]
        by_period[(cell["period"], cell["label"])] += amount
        payments += cell["payments"]
    shares = [{"label": label, "total": str(value), "share": float(value / total) if total else None}
              for label, value in sorted(by_label.items(), key=lambda kv: -kv[1])]
    top_suppliers = [{"supplier": key, "label": label_of[key], "total": str(value),
                      "share": float(value / total) if total else None}
                     for key, value in sorted(by_supplier.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    series = [{"period": period or "(no month)", "label": label, "total": str(value)}
              for (period, label), value in sorted(by_period.items())]
    concentration = conc.concentration(filters.service_area or "all services", dict(by_supplier))
    local = local_share(((key, value, local_of[key]) for key, value in by_supplier.items()),
                        stored.report.get("local", {}).get("local_areas", []))
    return {"total": str(total), "payments": payments, "shares": shares, "top_suppliers": top_suppliers,
            "series": series, "local": local.as_data(),
            "concentration": {"hhi": float(concentration.hhi), "band": concentration.band,
                              "source": concentration.band_source, "suppliers": concentration.suppliers,
                              "top1_share": float(concentration.top1_share),
                              "top5_share": float(concentration.top5_share)}}


def filter_choices(stored: SpendFigures | None) -> tuple[list[str], list[str]]:
    """The months and service areas the stored figures hold, for the filters' choices."""
    if stored is None:
        return [], []
    months = sorted({c["period"] for c in stored.cells if c["period"]})
    services = sorted({c["service_area"] for c in stored.cells if c["service_area"]})
    return months, services


def reviews(user: Visitor, slug: str) -> tuple[Organisation, list[dict[str, Any]], list[SupplierReview]]:
    """The look-alike names the last report listed for review, less those decided, and the decisions."""
    organisation, stored = figures(user, slug)
    decided = list(SupplierReview.objects.filter(organisation=organisation).select_related("decided_by")
                   .order_by("-decided_on", "-pk"))
    pairs = {(r.left, r.right) for r in decided}
    candidates = [c for c in (stored.report.get("review_candidates", []) if stored else [])
                  if (c["left"], c["right"]) not in pairs]
    return organisation, candidates, decided


@audit.retrying
def decide_review(user: Visitor, slug: str, left: str, right: str, same: bool, reason: str) -> SupplierReview:
    """A reviewer's decision on two look-alike names, stored, audited and applied to the stored figures."""
    from commonweal.services import spend as service

    organisation = organisation_access(user, slug, *WRITERS)
    member = signed_in(user)
    with transaction.atomic():
        _lock(organisation)
        stored = SpendFigures.objects.select_for_update().filter(organisation=organisation).first()
        listed = {(c["left"], c["right"]) for c in (stored.report.get("review_candidates", []) if stored else [])}
        if (left, right) not in listed:
            raise Refused([f"'{left}' and '{right}' are not a pair listed for review"], ["pair"])
        if SupplierReview.objects.filter(organisation=organisation, left=left, right=right).exists():
            raise Refused(["this pair is already decided"], ["pair"])
        today = timezone.localdate()
        review = SupplierReview.objects.create(organisation=organisation, left=left, right=right, same=same,
                                               reason=reason, decided_by=member, decided_on=today)
        service.review_suppliers(store_folder(organisation), left, right, same=same,
                                 decided_by=member.get_username(), reason=reason, today=today)
        audit.record(member.get_username(), "supplier_review_decided",
                     {"left": left, "right": right, "same": same, "reason": reason}, organisation=organisation)
        refresh_figures(organisation)
    return review


def _lock(organisation: Organisation) -> None:
    """The lock every change of the stored figures takes first (see the module's docstring)."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def local_areas(organisation: Organisation) -> list[str]:
    """The organisation's local postcode areas and districts (none until someone sets them)."""
    found = LocalAreas.objects.filter(organisation=organisation).values_list("areas", flat=True).first()
    return list(found or [])


def refresh_figures(organisation: Organisation) -> SpendFigures:
    """Compute the organisation's report from its store and keep it (after an import or a review), each supplier's
    locality under the organisation's local areas."""
    from commonweal.services import spend as service

    areas = local_areas(organisation)
    computed = service.spend_figures(store_folder(organisation), local_areas=areas)
    with transaction.atomic():
        _lock(organisation)
        if (now := local_areas(organisation)) != areas:  # changed while the figures were computed
            computed = service.with_local_areas(computed, now)
        # the report as JSON holds it (dates and amounts as text); the cells are text and integers already, and a
        # county's year has some 160,000 of them
        report = json.loads(json.dumps(computed["report"], default=str))
        stored, _ = SpendFigures.objects.update_or_create(
            organisation=organisation, defaults={"report": report, "cells": computed["cells"]})
    return stored


def local_areas_setting(user: Visitor, slug: str) -> tuple[Organisation, LocalAreas | None]:
    organisation = readable(user, slug)
    return organisation, LocalAreas.objects.filter(organisation=organisation).select_related("changed_by").first()


@audit.retrying
def set_local_areas(user: Visitor, slug: str, areas: Sequence[str]) -> LocalAreas:
    """Save the organisation's local postcode areas (checked by `domain.market.locality`'s rules) and recompute the
    stored figures' local share under them, in the same transaction as the audit entry."""
    organisation = organisation_access(user, slug, *SETTERS)
    member = signed_in(user)
    checked, problems = parse_local_areas(",".join(areas))
    if problems:
        raise Refused(problems, ["areas"] * len(problems))
    with transaction.atomic():
        _lock(organisation)
        before = local_areas(organisation)
        setting, _ = LocalAreas.objects.update_or_create(
            organisation=organisation, defaults={"areas": list(checked), "changed_by": member})
        stored = SpendFigures.objects.filter(organisation=organisation).first()
        if stored is not None:
            _relocalise(organisation, stored, checked)
        audit.record(member.get_username(), "local_areas_changed", {"areas": list(checked), "before": before},
                     organisation=organisation)
    return setting


def _relocalise(organisation: Organisation, stored: SpendFigures, areas: Sequence[str]) -> None:
    """The stored figures under new local areas: from the suppliers' postcodes they keep, without the store; from
    the store when they were computed before postcodes were kept."""
    from commonweal.services import spend as service

    if "supplier_postcodes" not in stored.report:
        refresh_figures(organisation)
        return
    figures = service.with_local_areas({"report": stored.report, "cells": stored.cells}, areas)
    stored.report, stored.cells = figures["report"], figures["cells"]
    stored.save(update_fields=["report", "cells", "computed_at"])


def partners(user: Visitor, slug: str, service_area: str, value: Decimal, lots: int,
             local_areas: Iterable[str]) -> dict[str, Any]:
    """Community partners and lotting advice for a service from the organisation's spend (run on request: the
    question is the person's)."""
    from commonweal.io.errors import InputError
    from commonweal.services import spend as service

    organisation = readable(user, slug)
    if not SpendFigures.objects.filter(organisation=organisation).exists():
        raise Refused(["no spend has been imported yet"], ["service"])
    try:
        return service.partners(store_folder(organisation), service_area, value, lots=lots,
                                local_areas=list(local_areas))
    except InputError as exc:
        raise Refused([p.message for p in exc.problems], ["service"] * len(exc.problems)) from exc


def may_write(user: Visitor, organisation: Organisation, roles: Sequence[Role] = WRITERS) -> bool:
    try:
        organisation_access(user, organisation.slug, *roles)
    except (Forbidden, NotFound):
        return False
    return True
