"""The spend area's forms: each checks everything it is given (lengths, choices, valid Unicode, file size and
name) before any data function runs, and lists its errors for the GOV.UK error summary, each linked to its field."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from commonweal.domain.market.locality import parse_local_areas
from commonweal.io.spend.reader import table_problem
from commonweal.io.spend.values import DATE_ORDERS
from commonweal.web.forms import GovukErrors, text_field, text_problem
from commonweal.web.spend.data import MAPPED_FIELDS

SPEND_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".ods")
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


class UploadForm(GovukErrors, forms.Form):
    content = b""  # the file's bytes, once checked
    spend_file = forms.FileField(required=True, allow_empty_file=False, max_length=255, error_messages={
        "required": "Choose a spend file", "invalid": "Choose a spend file", "missing": "Choose a spend file",
        "empty": "The chosen file is empty", "max_length": "The file's name must be 255 characters or fewer"})

    def clean_spend_file(self) -> Any:
        upload = self.cleaned_data["spend_file"]
        name = upload.name or ""
        if text_problem(name):
            raise ValidationError("The file's name must be valid Unicode text")
        if not name.lower().endswith(SPEND_SUFFIXES):
            raise ValidationError("Choose a spend file: a .csv, .xlsx, .xls or .ods file")
        limit = settings.COMMONWEAL_SPEND_UPLOAD_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise ValidationError(f"The file is larger than the {limit:,}-byte limit")
        self.content = upload.read()
        if (problem := table_problem(name, self.content)) is not None:
            raise ValidationError(f"The file {problem}")
        return upload


def _month(label: str) -> forms.CharField:
    return forms.CharField(required=False, max_length=7, validators=[_valid_month],
                           error_messages={"max_length": f"Enter {label} as a year and month, for example 2024-04"})


def _valid_month(value: str) -> None:
    if value and not _MONTH.fullmatch(value):
        raise ValidationError("Enter the month as a year and month, for example 2024-04")


class MappingForm(GovukErrors, forms.Form):
    """The mapping screen: the header row, the column of each field, the date order and the period."""

    header_row = forms.IntegerField(required=False, min_value=1, max_value=1_048_576, error_messages={
        "invalid": "Enter the header row as a whole number", "min_value": "The header row is 1 or more",
        "max_value": "The header row is at most 1,048,576"})
    date_order = forms.ChoiceField(required=False, choices=[("", "Detect"), *((o, o) for o in DATE_ORDERS)],
                                   error_messages={"invalid_choice": "Choose day first (dmy) or month first (mdy)"})
    period = _month("the month")

    def __init__(self, headers: list[str], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", "Detect"), *((h, h) for h in headers if h)]
        for name, label in MAPPED_FIELDS.items():
            self.fields[name] = forms.ChoiceField(required=False, choices=choices, label=label, error_messages={
                "invalid_choice": f"Choose the {label.lower()} column from the file's header"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(n) for n in (*MAPPED_FIELDS, "header_row", "date_order",
                                                                "period")):
            self.add_error("amount", "State at least one thing: a column, the header row, the date order or the "
                                     "month; the file could not be read without it")
        return cleaned

    def column_map(self) -> dict[str, Any]:
        data = self.cleaned_data
        stated: dict[str, Any] = {"columns": {n: data[n] for n in MAPPED_FIELDS if data.get(n)}}
        if data.get("header_row"):
            stated["header_row"] = data["header_row"]
        if data.get("date_order"):
            stated["date_order"] = data["date_order"]
        if data.get("period"):
            stated["period"] = data["period"]
        return stated


class ReportFilterForm(GovukErrors, forms.Form):
    period_from = _month("the first month")
    period_to = _month("the last month")
    service_area = text_field("the service area", required=False, max_length=300)


class ReviewForm(GovukErrors, forms.Form):
    left = text_field("the first name", max_length=300)
    right = text_field("the second name", max_length=300)
    decision = forms.ChoiceField(choices=[("same", "One organisation"), ("different", "Two organisations")],
                                 error_messages={"required": "Choose whether the names are one organisation",
                                                 "invalid_choice": "Choose whether the names are one organisation"})
    reason = text_field("the reason for the decision", max_length=2000)


class PartnersForm(GovukErrors, forms.Form):
    service = text_field("the service area", max_length=300)
    value = forms.DecimalField(min_value=Decimal("0.01"), max_value=Decimal("9999999999999.99"), decimal_places=2,
                               error_messages={"required": "Enter the contract's annual value in pounds",
                                               "invalid": "Enter the annual value in pounds, for example 250000",
                                               "min_value": "The annual value must be more than £0",
                                               "max_value": "The annual value is too large",
                                               "max_decimal_places": "Enter the value in pounds and pence"})
    lots = forms.IntegerField(min_value=1, max_value=50, initial=1, error_messages={
        "required": "Enter the number of lots", "invalid": "Enter the number of lots as a whole number",
        "min_value": "Enter at least 1 lot", "max_value": "Enter at most 50 lots"})
    local_areas = text_field("the local postcode areas", required=False, max_length=2000)

    def clean_local_areas(self) -> tuple[str, ...]:
        return _local_areas(self.cleaned_data["local_areas"])


def _local_areas(text: str) -> tuple[str, ...]:
    """The areas as `domain.market.locality` reads them; its problems as the field's errors."""
    areas, problems = parse_local_areas(text)
    if problems:
        raise ValidationError(problems)
    return areas


class LocalAreasForm(GovukErrors, forms.Form):
    """The organisation's local postcode areas, or, said explicitly (`none`), no areas (the local share is then
    unknown): an empty form sets nothing."""

    areas = text_field("the local postcode areas", required=False, max_length=2000)
    none = forms.BooleanField(required=False)

    def clean_areas(self) -> tuple[str, ...]:
        return _local_areas(self.cleaned_data["areas"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "areas" in cleaned and bool(cleaned["areas"]) is bool(cleaned.get("none")):
            self.add_error("areas", "Enter the local postcode areas, or choose to set none, not both"
                           if cleaned["areas"] else "Enter the local postcode areas, or choose to set none")
        return cleaned
