"""The public area's forms: registering interest (no sign-in) and the council's pipeline. Each is checked (lengths,
choices, valid Unicode, a real email address and date) before any data function runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from commonweal.web.contracts.data import STATUSES, Filters
from commonweal.web.forms import GovukErrors, iso_date, page_field, text_field, valid_text
from commonweal.web.public.models import InterestKind, Purpose, Status


def _choice(choices: list[tuple[str, Any]], message: str) -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices, error_messages={"required": message, "invalid_choice": message})


class InterestForm(GovukErrors, forms.Form):
    organisation_name = text_field("your organisation's name", max_length=200)
    kind = _choice(InterestKind.choices, "Select what kind of organisation you are")
    purpose = _choice(Purpose.choices, "Select what you are interested in")
    contact_name = text_field("your name", max_length=150)
    email = forms.EmailField(
        max_length=254,
        validators=[valid_text],
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    note = text_field("a message", required=False, max_length=2000)


def _tender_field() -> forms.IntegerField:
    """One of the council's tenders by its id, or none (the data function refuses another council's)."""
    message = "Select one of the council's tenders, or none"
    return forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                              error_messages={"invalid": message, "min_value": message, "max_value": message})


class OpportunityForm(GovukErrors, forms.Form):
    title = text_field("the title", max_length=300)
    overview = text_field("a summary")
    closes_on = forms.CharField(
        required=False,
        max_length=10,
        validators=[valid_text],
        error_messages={"max_length": "Enter the closing date as a date, for example 2027-03-31"},
    )
    status = _choice(
        [(s.value, s.label) for s in (Status.DRAFT, Status.PLANNED, Status.OPEN)],
        "Select whether to publish the opportunity",
    )
    tender = _tender_field()

    def clean_closes_on(self) -> dt.date | None:
        value = self.cleaned_data["closes_on"]
        if not value:
            return None
        try:
            return iso_date(value)
        except ValueError as exc:
            raise ValidationError("Enter the closing date as a date, for example 2027-03-31") from exc


class StatusForm(GovukErrors, forms.Form):
    status = _choice(Status.choices, "Select the opportunity's status")


class TenderLinkForm(GovukErrors, forms.Form):
    tender = _tender_field()


class LotForm(GovukErrors, forms.Form):
    title = text_field("the lot's title", max_length=300)
    suited = forms.MultipleChoiceField(
        required=False,
        choices=[("smes", "Suited to SMEs"), ("vcses", "Suited to VCSEs")],
        error_messages={"invalid_choice": "Select SMEs, VCSEs, both or neither"},
    )


class ContractFilterForm(GovukErrors, forms.Form):
    """The public contracts register's filters (GET): unknown values are errors, never silently dropped. No
    filter by the council's own rating: only ratings a published performance notice covers are public."""

    status = _choice([("", "Any"), *STATUSES.items()], "Select a status")
    service = text_field("a service", required=False, max_length=200)
    supplier = text_field("a supplier", required=False, max_length=300)
    sme = forms.BooleanField(required=False)
    vcse = forms.BooleanField(required=False)
    page = page_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False

    def filters(self) -> Filters:
        given = self.cleaned_data
        return Filters(status=given["status"], service=given["service"], supplier=given["supplier"],
                       sme=given["sme"], vcse=given["vcse"])
