"""What the suppliers area stores: the watchlist, each supplier's accounts by year, and its stored assessment
(computed by `data.refresh` whenever its accounts or dependency figures change, never per page view)."""

from __future__ import annotations

from django.db import models

from commonweal.domain.rag import Rag
from commonweal.domain.resilience import ContractTier

RAG_CHOICES = [(r.value, r.value) for r in Rag]
TIER_CHOICES = [(t.value, t.value) for t in ContractTier]


class WatchedSupplier(models.Model):
    """A supplier an organisation depends on, with what it knows of the dependency (figures in £, blank unknown).

    `service_area` names the council's service area in the spend store, for the council-dependence figures."""

    organisation = models.ForeignKey("web.Organisation", on_delete=models.PROTECT, related_name="watched_suppliers")
    name = models.CharField(max_length=200)
    company_number = models.CharField(max_length=8, blank=True)
    tier = models.CharField(max_length=10, choices=TIER_CHOICES, default=ContractTier.MEDIUM.value)
    critical = models.BooleanField(default=False)
    annual_contract_value = models.DecimalField(max_digits=17, decimal_places=2, null=True, blank=True)
    council_spend_with_supplier = models.DecimalField(max_digits=17, decimal_places=2, null=True, blank=True)
    council_spend_in_service_area = models.DecimalField(max_digits=17, decimal_places=2, null=True, blank=True)
    service_area = models.CharField(max_length=200, blank=True)
    added_on = models.DateField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("organisation", "name"), name="watched_supplier_name"),)
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class SupplierAccounts(models.Model):
    """One year of a watched supplier's accounts: each figure as an exact decimal string (absent: not known)."""

    supplier = models.ForeignKey(WatchedSupplier, on_delete=models.CASCADE, related_name="accounts")
    year_end = models.DateField()
    figures = models.JSONField()
    source = models.CharField(max_length=300)  # the file it came from, with its SHA-256

    class Meta:
        constraints = (models.UniqueConstraint(fields=("supplier", "year_end"), name="supplier_accounts_year"),)
        ordering = ("year_end",)


class SupplierAssessment(models.Model):
    """The stored assessment of a watched supplier: its rating now, the rating of the year before (the trend),
    the warning signs new this year, and the plain data the pages show."""

    supplier = models.OneToOneField(WatchedSupplier, on_delete=models.CASCADE, related_name="assessment")
    rating = models.CharField(max_length=10, choices=RAG_CHOICES)
    previous_rating = models.CharField(max_length=10, choices=RAG_CHOICES, blank=True)
    worsened = models.BooleanField(default=False)
    new_warnings = models.JSONField(default=list)
    result = models.JSONField()
    inputs_sha256 = models.CharField(max_length=64)
