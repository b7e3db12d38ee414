"""The providers area's forms: every POST of its pages, checked (lengths, choices, valid Unicode) before any data
function runs, with errors for the GOV.UK error summary (the people area's `GovukErrors`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from commonweal.web.contracts.data import CHECKS
from commonweal.web.forms import USERNAME_MAX_CHARS, GovukErrors, text_field
from commonweal.web.providers.models import ConcernKind, ProviderKind
from commonweal.web.tenders.forms import DocumentForm, PricedForm

NAME_MAX_CHARS = 200  # web.Organisation.name


class InviteBidderForm(GovukErrors, forms.Form):
    provider = text_field("the provider's name", max_length=NAME_MAX_CHARS)
    kind = forms.ChoiceField(
        choices=ProviderKind.choices,
        error_messages={
            "required": "Select what kind of organisation the provider is",
            "invalid_choice": "Select what kind of organisation the provider is",
        },
    )
    username = text_field("the contact's user name", max_length=USERNAME_MAX_CHARS)
    display_name = text_field("the contact's full name", max_length=150)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        username = self.fields["username"]
        username.validators.append(
            UnicodeUsernameValidator(message="Enter a user name of letters, digits and @ . + - _ only")
        )


class QuestionForm(GovukErrors, forms.Form):
    question = text_field("your question")


class AnswerForm(GovukErrors, forms.Form):
    published_question = text_field("the question as it will be published")
    answer = text_field("the answer")

    def summary(self) -> list[dict[str, str]]:
        # each question's form is prefixed, so its fields' ids are too
        return [{**e, "href": "#" + self.add_prefix(e["href"][1:])} for e in super().summary()]


class LinkContractForm(GovukErrors, forms.Form):
    provider = text_field("the provider's name", max_length=NAME_MAX_CHARS)


class CheckReturnForm(GovukErrors, forms.Form):
    status = forms.ChoiceField(
        choices=[(s, s.capitalize()) for s in CHECKS],
        error_messages={
            "required": "Choose verified, queried or rejected",
            "invalid_choice": "Choose verified, queried or rejected",
        },
    )
    reason = text_field("the reason the provider will see", required=False)


class ResponseForm(GovukErrors, forms.Form):
    response = text_field("your response")


class ConcernForm(GovukErrors, forms.Form):
    kind = forms.ChoiceField(
        choices=ConcernKind.choices,
        error_messages={"required": "Choose what is not working", "invalid_choice": "Choose what is not working"},
    )
    description = text_field("what is not working, and what you propose")


class BidderUploadsForm(GovukErrors, forms.Form):
    allowed = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={
            "required": "Select whether bidders upload their own documents",
            "invalid_choice": "Select whether bidders upload their own documents",
        },
    )


class OwnBidDocumentForm(GovukErrors, DocumentForm):
    """A bidder's own document: the tenders area's `DocumentForm` (the file, what it is, the criterion) and which of
    its bids it belongs to."""

    bid = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": "Select the lot you are bidding for",
            "invalid_choice": "Select the lot you are bidding for",
        },
    )

    def __init__(self, *args: Any, bids: Sequence[int], criteria: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, criteria=criteria, **kwargs)
        self.fields["bid"].choices = [(str(b), str(b)) for b in bids]  # type: ignore[attr-defined]


class StartBidForm(GovukErrors, PricedForm):
    """A bidder starting its own bid: the lot and the price (or each price element's), checked as the council's bid
    form checks them (`PricedForm`)."""

    lot = forms.TypedChoiceField(
        coerce=int,
        error_messages={"required": "Select the lot you are bidding for",
                        "invalid_choice": "Select a lot you have no bid in yet"},
    )

    def __init__(self, *args: Any, lots: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [(str(i), str(i)) for i in lots]  # type: ignore[attr-defined]


class RatingCommentForm(GovukErrors, forms.Form):
    comment = text_field("your comment on the ratings")
