"""What the contracts area stores: let contracts of an organisation, their KPIs, the social value carried over from
the winning bid, periodic returns, variations, and the renegotiation workflow (reviews, options, decisions and
actions). Read and write only through `commonweal.web.contracts.data`, which starts from the access layer.

Fields a notice needs (publishing reads these: UK7 contract details, UK9 contract performance, UK10 change,
UK11 termination) are kept as plain columns: dates, value, supplier and its identifier, KPI ratings per period
(`PeriodRating`), and each variation with its check."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import models

from commonweal.domain.contracts.model import (
    ContractKind,
    Direction,
    Frequency,
    ModificationGround,
    Verification,
)
from commonweal.domain.contracts.ratings import Rating
from commonweal.domain.contracts.review import OPTIONS
from commonweal.domain.contracts.triggers import Side
from commonweal.domain.rag import COLOURS
from commonweal.domain.socialvalue.library import Licence, Measure
from commonweal.web.models import StoredDocument


def _money(**options: Any) -> Any:
    """Pounds and pence."""
    return models.DecimalField(max_digits=16, decimal_places=2, **options)


def _amount(**options: Any) -> Any:
    """A measured figure (a KPI result, a quantity, a percentage), exact to six places."""
    return models.DecimalField(max_digits=20, decimal_places=6, **options)


def _choices(enum: Iterable[StrEnum]) -> list[tuple[str, str]]:
    return [(e.value, e.value.replace("_", " ").capitalize()) for e in enum]


RATING_CHOICES = _choices(Rating)
OPTION_CHOICES = [(o.id, o.title) for o in OPTIONS]


class Contract(models.Model):
    """A let contract under management (the domain's `commonweal.domain.contracts.model.Contract`, stored)."""

    organisation = models.ForeignKey("web.Organisation", on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # the Transparency Code's "local authority department responsible"; the register filters by it
    service = models.CharField(max_length=200, blank=True)
    supplier = models.CharField(max_length=300)
    # a Companies House or charity number, or any other registration the supplier holds
    supplier_identifier = models.CharField(max_length=100, blank=True)
    sme = models.BooleanField(default=False)
    vcse = models.BooleanField(default=False)
    value = _money()
    irrecoverable_vat = _money(null=True, blank=True)
    start = models.DateField()
    end = models.DateField()
    maximum_end = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=_choices(ContractKind))
    frequency = models.CharField(max_length=10, choices=_choices(Frequency))
    light_touch = models.BooleanField(default=False)
    # Procurement Act 2023 s.52(1): why performance could not appropriately be assessed by KPIs, where so
    kpi_exemption_reason = models.TextField(blank=True)
    price_indexation_pct = _amount(null=True, blank=True)
    tender_volume_per_period = _amount(null=True, blank=True)
    financial_rating = models.CharField(max_length=5, choices=_choices(reversed(COLOURS)), blank=True)
    financial_rating_basis = models.CharField(max_length=300, blank=True)
    threshold_amount = _money(null=True, blank=True)
    threshold_source = models.CharField(max_length=300, blank=True)
    # where it came from: an awarded tender's lot and winning bid, or an import
    tender = models.ForeignKey("web.Tender", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey("web.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey("web.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=200, blank=True)
    # the contract's own review thresholds where they differ from the Commonweal defaults, as exact text (from a
    # contract folder's `policy:`; `commonweal.domain.contracts.review.policy_overrides`)
    policy = models.JSONField(default=dict, blank=True)
    # stored results of the review, computed when an input changes (`data.refresh`), never per page view
    rating = models.CharField(max_length=25, choices=RATING_CHOICES, default=Rating.OTHER.value)
    triggers_fired = models.PositiveIntegerField(default=0)
    provider_triggers_fired = models.PositiveIntegerField(default=0)
    sv_committed = _money(default=0)
    sv_due = _money(default=0)
    sv_delivered = _money(default=0)
    review = models.JSONField(default=dict, blank=True)
    reviewed_as_of = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="contract_reference")]
        # the register's order (end date, then reference) and its list of services are read from these indexes
        indexes = [
            models.Index(fields=["organisation", "end", "reference"]),
            models.Index(fields=["organisation", "service"]),
            models.Index(fields=["organisation", "rating"]),
            models.Index(fields=["organisation", "supplier"]),
            models.Index(fields=["organisation", "value"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ContractRole(models.Model):
    """A person's role on one contract: its contract manager (enters returns, runs reviews)."""

    MANAGER = "contract_manager"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contract_roles")
    role = models.CharField(max_length=20, choices=[(MANAGER, "Contract manager")], default=MANAGER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "user", "role"], name="one_contract_role")]


class Kpi(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="kpis")
    code = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    target = _amount()
    direction = models.CharField(max_length=20, choices=_choices(Direction))
    tolerance = _amount()
    inadequate_beyond = _amount()
    unit = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["contract", "code"], name="kpi_code")]


class Commitment(models.Model):
    """A social value commitment carried over from the winning bid, with the proxy £ per unit it was valued at
    (the social value library's measure, or the bid's own price per unit): the one valuation is recomputed from
    these by `commonweal.domain.socialvalue.commitments.value_units`."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="commitments")
    measure = models.CharField(max_length=60)
    measure_name = models.CharField(max_length=300)
    unit = models.CharField(max_length=60, blank=True)
    quantity = _amount()
    year = models.PositiveIntegerField()
    proxy = _amount(null=True, blank=True)
    source_title = models.CharField(max_length=300, blank=True)
    # the council's core value (or the library's theme) the measure serves, for the dashboard
    core_value = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["year", "measure"]

    def as_measure(self) -> Measure:
        """The measure as the contract values it: its own proxy (the library's at award, or the bid's price)."""
        return Measure(id=self.measure, theme=self.core_value, outcome="", name=self.measure_name, unit=self.unit,
                       source_title=self.source_title, licence=Licence.from_text("as the contract"), proxy=self.proxy)


class Return(models.Model):
    """One period's return: KPI results, the provider's costs and volumes, social value delivery. Entered by a
    contract manager, or submitted by the provider in its portal (`submitted_for` "provider"), which the council then
    verifies, queries or rejects with a reason the provider sees and can respond to."""

    DRAFT, SUBMITTED, VERIFIED, QUERIED, REJECTED = "draft", "submitted", "verified", "queried", "rejected"
    STATUSES = [(s, s.capitalize()) for s in (DRAFT, SUBMITTED, VERIFIED, QUERIED, REJECTED)]
    # statuses whose figures the ratings read (a draft is unfinished; a rejected return is not evidence)
    COUNTED = (SUBMITTED, VERIFIED, QUERIED)

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="returns")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=STATUSES, default=SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    submitted_for = models.CharField(
        max_length=10, choices=[("council", "Council"), ("provider", "Provider")], default="council"
    )
    cost_growth_pct = _amount(null=True, blank=True)
    volume = _amount(null=True, blank=True)
    workforce_fte = _amount(null=True, blank=True)
    vacancies = _amount(null=True, blank=True)
    margin_pct = _amount(null=True, blank=True)
    cost = _money(null=True, blank=True)
    cost_pressures = models.TextField(blank=True)
    # the council's check of a provider's return: its reason to query or reject (shown to the provider), and the
    # provider's response to it
    check_reason = models.TextField(blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    provider_response = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period_start"]
        constraints = [models.UniqueConstraint(fields=["contract", "period_start"], name="one_return_per_period")]


class KpiResult(models.Model):
    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="results")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="results")
    actual = _amount()
    note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ret", "kpi"], name="one_result_per_kpi")]


class Delivery(models.Model):
    """Social value the provider claims delivered in the period, with its evidence and the council's
    verification (only verified delivery counts)."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="deliveries")
    measure = models.CharField(max_length=60)
    quantity = _amount()
    evidence = models.TextField(blank=True)
    verification = models.CharField(max_length=10, choices=_choices(Verification))


class Evidence(StoredDocument):
    """An evidence file of a return, for one of its lines (a KPI's code or a committed social value measure) or
    the whole return (`line` empty), added by the council's contract people or the contract's provider. Stored and
    served by the one document store (`commonweal.web.documents`), per organisation under the media root; seen only
    through `data.evidence_file`. It outlives a resubmitted return's lines, which are replaced."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="evidence")
    line = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["line", "pk"]


class PeriodRating(models.Model):
    """The contract's reg 39(5) rating for one return period, stored by `data.refresh` (a contract performance
    notice reads these)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="period_ratings")
    period_start = models.DateField()
    period_end = models.DateField()
    rating = models.CharField(max_length=25, choices=RATING_CHOICES)
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["period_start"]
        indexes = [models.Index(fields=["period_start", "contract"])]


class Variation(models.Model):
    """One entry of the variations log, with the result of the Procurement Act 2023 ss.74-77 check stored when it
    was recorded (`commonweal.domain.contracts.modifications`)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="variations")
    code = models.CharField(max_length=60)
    agreed_on = models.DateField()
    description = models.TextField()
    value_change = _money()
    term_change_months = models.IntegerField()
    ground = models.CharField(max_length=20, choices=_choices(ModificationGround))
    schedule_8_paragraph = models.PositiveIntegerField(null=True, blank=True)
    changes_scope = models.BooleanField(default=False)
    favours_supplier = models.BooleanField(default=False)
    changes_overall_nature = models.BooleanField(default=False)
    linked_to = models.CharField(max_length=60, blank=True)
    change_notice_published = models.BooleanField(default=False)
    # the check's result
    ground_status = models.CharField(max_length=20, blank=True)
    change_notice_required = models.BooleanField(default=False)
    flags = models.JSONField(default=list)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agreed_on", "code"]
        constraints = [models.UniqueConstraint(fields=["contract", "code"], name="variation_code")]


class Review(models.Model):
    """A contract review: renegotiation as a workflow, opened from a trigger or by hand."""

    OPEN, DECIDED = "open", "decided"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(max_length=10, choices=[(OPEN, "Open"), (DECIDED, "Decided")], default=OPEN)
    reason = models.TextField()
    trigger = models.CharField(max_length=60, blank=True)
    opened_on = models.DateField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    meeting_on = models.DateField(null=True, blank=True)
    attendees = models.TextField(blank=True)
    meeting_notes = models.TextField(blank=True)
    decision = models.CharField(max_length=30, choices=[*OPTION_CHOICES, ("no_change", "No change")], blank=True)
    decision_reason = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-opened_on", "-pk"]


class ReviewOption(models.Model):
    """An option considered for one side, with its legal basis."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="options")
    side = models.CharField(max_length=10, choices=_choices(Side))
    option = models.CharField(max_length=30, choices=OPTION_CHOICES)
    legal_basis = models.TextField()
    notes = models.TextField(blank=True)


class Action(models.Model):
    """A follow-up action from a review, with its owner and due date (on the owner's home page when due)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contract_actions")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
