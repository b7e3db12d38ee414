"""What the social value area stores. Each row belongs to one organisation (directly, or through its tender or its
contract); read and write them only through `commonweal.web.socialvalue.data`, which starts from the access layer.

An organisation's own licensed library (TOM System, HACT values) is stored as the file it uploaded and is read
only for that organisation: it is never shown to another organisation or exported beyond its own pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CoreValue(models.Model):
    """One of an organisation's core values (at most five: Commonweal default, `domain.socialvalue.core_values`),
    mapped to outcomes and measures of its library, with why they are proportionate."""

    organisation = models.ForeignKey("web.Organisation", on_delete=models.CASCADE, related_name="core_values")
    title = models.CharField(max_length=200)
    outcomes = models.JSONField(default=list)
    measures = models.JSONField(default=list)
    proportionality = models.TextField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "title"], name="one_core_value_title")]


class OwnLibrary(models.Model):
    """An organisation's own licensed measures library, as uploaded (one per organisation; a new import replaces
    it). Its measures are added to the open library's for that organisation only."""

    organisation = models.OneToOneField("web.Organisation", on_delete=models.CASCADE, related_name="own_library")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=60)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    content_hash = models.CharField(max_length=64)
    measure_count = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now=True)


class ModelImport(models.Model):
    """The full Social Value Model (PPN 002) as an organisation imported it from a file of the shipped layout."""

    organisation = models.OneToOneField("web.Organisation", on_delete=models.CASCADE, related_name="ppn002_model")
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    content_hash = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now=True)


class TenderMeasure(models.Model):
    """A measure a tender asks bidders to commit to, chosen from one of its organisation's core values, with the
    Procurement Act 2023 s.23(2)(a) and (d) reasons."""

    tender = models.ForeignKey("web.Tender", on_delete=models.CASCADE, related_name="social_value_measures")
    core_value = models.ForeignKey(CoreValue, on_delete=models.PROTECT, related_name="tender_measures")
    measure_id = models.CharField(max_length=100)
    relevance = models.TextField()
    proportionality = models.TextField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["tender", "measure_id"], name="one_tender_measure")]


class ContractCommitments(models.Model):
    """A let contract's social value: the winning bid's commitments and the supplier's returns, as lines valued
    when they (or the library, or the core values) change, so no page values them."""

    organisation = models.ForeignKey("web.Organisation", on_delete=models.CASCADE,
                                     related_name="contract_commitments")
    title = models.CharField(max_length=200)
    supplier = models.CharField(max_length=300)
    first_year = models.PositiveIntegerField()  # the financial year of contract year 1 (2026 = 2026/27)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "title"], name="one_contract_title")]


class CommitmentLine(models.Model):
    contract = models.ForeignKey(ContractCommitments, on_delete=models.CASCADE, related_name="commitments")
    measure_id = models.CharField(max_length=100)
    year = models.PositiveIntegerField()  # financial year
    quantity = models.DecimalField(max_digits=20, decimal_places=4)
    owner = models.TextField(blank=True)
    milestone = models.TextField(blank=True)


class DeliveryLine(models.Model):
    contract = models.ForeignKey(ContractCommitments, on_delete=models.CASCADE, related_name="deliveries")
    measure_id = models.CharField(max_length=100)
    year = models.PositiveIntegerField()  # financial year
    quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=20, decimal_places=4)
    evidence = models.TextField(blank=True)
    verification = models.CharField(max_length=12)


class StoredRollUp(models.Model):
    """The roll-up's valued rows for an organisation (`domain.socialvalue.rollup`) from the contracts recorded here
    from an upload (each contract of the contracts area has its own, `ContractRollUp`), and the version of the whole
    roll-up (`computed_at`): recomputed inside every write that changes their inputs (the core values, the
    organisation's library, these contracts), and `computed_at` moved by each write to one of its contracts."""

    organisation = models.OneToOneField("web.Organisation", on_delete=models.CASCADE, related_name="rollup")
    # `domain.socialvalue.rollup.ValuedLine`s as plain JSON (exact decimal strings): each commitment and each
    # return valued and placed under its core value, so a report for any date sums them without the library
    committed = models.JSONField(default=list)
    delivered = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)


class ContractRollUp(models.Model):
    """One contract's valued lines (`sources.from_contracts`), as `StoredRollUp` holds them: stored inside each write
    that changes the contract (`data.contract_changed`), so that write values one contract, not every contract of
    the organisation."""

    contract = models.OneToOneField("contracts.Contract", on_delete=models.CASCADE, related_name="rollup")
    organisation = models.ForeignKey("web.Organisation", on_delete=models.CASCADE, related_name="+")
    committed = models.JSONField(default=list)
    delivered = models.JSONField(default=list)


class SroiProgramme(models.Model):
    """A programme's impact map as uploaded, and its SROI result computed once at upload."""

    organisation = models.ForeignKey("web.Organisation", on_delete=models.CASCADE, related_name="sroi_programmes")
    name = models.CharField(max_length=200)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    result = models.JSONField(default=dict)  # `services.socialvalue.sroi_data`
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]


class MaturityAssessment(models.Model):
    """One self-assessment: the answers as given on the day, kept so maturity can be followed over time."""

    organisation = models.ForeignKey("web.Organisation", on_delete=models.CASCADE,
                                     related_name="maturity_assessments")
    taken_on = models.DateField()
    answers = models.JSONField(default=dict)  # question id -> level
    level = models.CharField(max_length=20)
    mean_score = models.DecimalField(max_digits=4, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_on", "id"]
