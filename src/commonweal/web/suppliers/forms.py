"""The suppliers area's forms: every POST of its pages, checked (lengths, choices, amounts, valid Unicode) before
any data function runs; errors for the GOV.UK error summary, each linked to its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from commonweal.domain.market.identifiers import company_number
from commonweal.domain.resilience import ContractTier
from commonweal.web.forms import UploadForm, file_field, text_field

TIER_LABELS = {ContractTier.HIGH: "High: a critical contract, tested most strictly",
               ContractTier.MEDIUM: "Medium", ContractTier.LOW: "Low"}
UNITS = (("£", "Pounds"), ("£m", "Millions of pounds"))
# the largest amount the watchlist stores (DecimalField max_digits=17, decimal_places=2)
MAX_AMOUNT = Decimal("999999999999999.99")


def _amount(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        required=False, min_value=Decimal(0), max_value=MAX_AMOUNT, max_digits=17, decimal_places=2,
        error_messages={"invalid": f"Enter {label} in pounds, such as 1200000 or 1200000.50",
                        "min_value": f"Enter {label} of zero or more",
                        "max_value": f"Enter {label} below £1,000,000,000,000,000",
                        "max_digits": f"Enter {label} below £1,000,000,000,000,000",
                        "max_decimal_places": f"Enter {label} in pounds and pence, at most 2 decimal places",
                        "max_whole_digits": f"Enter {label} below £1,000,000,000,000,000"})


class DependencyForm(forms.Form):
    """What the organisation knows of its dependency on the supplier, and the supplier's on it."""

    tier = forms.ChoiceField(choices=[(t.value, TIER_LABELS[t]) for t in ContractTier], error_messages={
        "required": "Choose how critical the contract is", "invalid_choice": "Choose how critical the contract is"})
    critical = forms.ChoiceField(choices=[("no", "No"), ("yes", "Yes")], error_messages={
        "required": "Say whether the service is critical", "invalid_choice": "Say whether the service is critical"})
    annual_contract_value = _amount("the annual contract value")
    council_spend_with_supplier = _amount("the council's spend with the supplier")
    council_spend_in_service_area = _amount("the council's spend in the service area")
    service_area = text_field("the service area", required=False, max_length=200)

    def fields_for_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["critical"] = data["critical"] == "yes"
        return data


class AddSupplierForm(DependencyForm):
    name = text_field("the supplier's name", max_length=200)
    company_number = text_field("the company number", required=False, max_length=20)

    field_order = ("name", "company_number", "tier", "critical", "annual_contract_value",
                   "council_spend_with_supplier", "council_spend_in_service_area", "service_area")

    def clean_company_number(self) -> str:
        raw: str = self.cleaned_data.get("company_number", "")
        if not raw:
            return ""
        found = company_number(raw)
        if found is None:
            raise ValidationError("Enter a Companies House number: 8 characters, such as 01234567 or SC123456")
        return found


class AccountsUploadForm(UploadForm):
    accounts = file_field("an accounts file", required=True, suffixes=("csv", "xlsx", "html", "xhtml", "htm", "zip"))
    unit = forms.ChoiceField(choices=UNITS, initial="£", error_messages={
        "required": "Choose the unit of the amounts", "invalid_choice": "Choose the unit of the amounts"})
