"""The spend area's records: each uploaded file's import (also the job the worker runs), the stored figures of
the organisation's spend report (computed when an import, a review or the local areas change them, never per page
view), the reviewers' decisions on look-alike supplier names, and the organisation's local postcode areas."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SpendImport(models.Model):
    """One uploaded spend file and its import: a job in the database-backed queue (`spend.worker`)."""

    PENDING, RUNNING, NEEDS_MAPPING, DONE, FAILED = "pending", "running", "needs_mapping", "done", "failed"
    STATUSES = [(PENDING, "Waiting to import"), (RUNNING, "Importing"), (NEEDS_MAPPING, "Needs its columns stated"),
                (DONE, "Imported"), (FAILED, "Not imported")]

    organisation = models.ForeignKey("web.Organisation", on_delete=models.PROTECT, related_name="spend_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=STATUSES, default=PENDING)
    # what the person stated on the mapping screen: {"columns": {field: header}, "header_row", "date_order",
    # "period"} (the `--column-map` file's keys)
    column_map = models.JSONField(default=dict)
    rows_done = models.BigIntegerField(default=0)
    rows_expected = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(null=True)
    # the queue's lease: the claim's own token, refreshed while the import runs; a running job whose heartbeat is
    # older than the lease (its worker killed, the machine restarted) is queued again, up to the attempt limit
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True)
    processing_seconds = models.FloatField(null=True)
    report = models.JSONField(null=True)  # the import report: mapping, confidence, every rejected row and reason
    problems = models.JSONField(default=list)  # why the file as a whole was not imported
    sample = models.JSONField(default=list)  # the file's first rows, for the mapping screen

    class Meta:
        indexes = [models.Index(fields=["status", "id"])]


class SpendFigures(models.Model):
    """An organisation's spend report as computed after its last import or review (plain JSON)."""

    organisation = models.OneToOneField("web.Organisation", on_delete=models.CASCADE, related_name="spend_figures")
    computed_at = models.DateTimeField(auto_now=True)
    report = models.JSONField(default=dict)
    # spend by month, service area, supplier and supplier type: what the filtered pages add up
    cells = models.JSONField(default=list)


class SupplierReview(models.Model):
    """A reviewer's decision on two look-alike supplier names: one organisation (`same`) or two."""

    organisation = models.ForeignKey("web.Organisation", on_delete=models.PROTECT, related_name="supplier_reviews")
    left = models.CharField(max_length=300)
    right = models.CharField(max_length=300)
    same = models.BooleanField()
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "left", "right"], name="one_review_per_pair")]


class LocalAreas(models.Model):
    """The organisation's own list of local postcode areas and districts (`domain.market.locality`): what the spend
    figures' local share and the community partner finder count as local. Commonweal ships no list: a county's and
    a city's "local" differ."""

    organisation = models.OneToOneField("web.Organisation", on_delete=models.CASCADE, related_name="local_areas")
    areas = models.JSONField(default=list)  # entries as `parse_local_areas` returns them: capitals, each once
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)
