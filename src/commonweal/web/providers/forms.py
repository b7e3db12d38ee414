"""The providers area's forms: every POST of its pages, checked (lengths, choices, valid Unicode) before any data
function runs, with errors for the GOV.UK error summary (the people area's `GovukErrors`)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from commonweal.web.contracts.data import CHECKS
from commonweal.web.forms import USERNAME_MAX_CHARS, GovukErrors, text_field
from commonweal.web.providers.models import ConcernKind, ProviderKind

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
