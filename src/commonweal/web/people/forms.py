"""The people area's forms. Each one validates everything it is given (length, choices, valid Unicode) before any
data function runs, and lists its errors for the GOV.UK error summary, each linked to its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from commonweal.domain.lifecycle import Role
from commonweal.web.forms import PASSWORD_MAX_CHARS, GovukErrors, text_field, valid_text
from commonweal.web.people.data import ORGANISATION_ROLES


def _text(label: str, max_length: int, *validators: Any) -> forms.CharField:
    text = text_field(label.lower(), max_length=max_length)
    text.validators += validators
    return text


ROLE_LABELS = {Role.ADMIN: "Admin: manages the organisation's people and sees its audit trail; no bid content",
               Role.COMMISSIONER: "Commissioner: runs every tender of the organisation",
               Role.VIEWER: "Viewer: reads every tender of the organisation"}


class InviteForm(GovukErrors, forms.Form):
    username = _text("User name", 150, UnicodeUsernameValidator(
        message="Enter a user name of letters, digits and @ . + - _ only"))
    display_name = _text("Full name", 150)
    role = forms.ChoiceField(
        choices=[("member", "Member: works only on the tenders a commissioner gives them a role on"),
                 *[(r.value, ROLE_LABELS[r]) for r in ORGANISATION_ROLES]],
        error_messages={"required": "Select what the person will do",
                        "invalid_choice": "Select what the person will do"})

    def chosen_role(self) -> Role | None:
        value = self.cleaned_data["role"]
        return None if value == "member" else Role(value)


class RoleForm(GovukErrors, forms.Form):
    action = forms.ChoiceField(choices=[("give", "Give"), ("remove", "Remove")],
                               error_messages={"required": "Choose to give or remove the role",
                                               "invalid_choice": "Choose to give or remove the role"})
    role = forms.ChoiceField(choices=[(r.value, r.value.capitalize()) for r in ORGANISATION_ROLES],
                             error_messages={"required": "Select a role", "invalid_choice": "Select a role"})


class ActiveForm(GovukErrors, forms.Form):
    active = forms.ChoiceField(choices=[("yes", "Reactivate"), ("no", "Deactivate")],
                               error_messages={"required": "Choose to deactivate or reactivate the account",
                                               "invalid_choice": "Choose to deactivate or reactivate the account"})


class ConfirmForm(GovukErrors, forms.Form):
    """A destructive action (removing a member, issuing a reset link) needs its button's own confirmation value."""

    confirm = forms.ChoiceField(choices=[("yes", "Yes")], error_messages={
        "required": "Confirm with the button", "invalid_choice": "Confirm with the button"})


class NewPasswordForm(GovukErrors, forms.Form):
    """A new password, checked by Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) against the
    person it is for."""

    password1 = forms.CharField(label="New password", max_length=PASSWORD_MAX_CHARS, strip=False,
                                validators=[valid_text],
                                error_messages={"required": "Enter a new password"})
    password2 = forms.CharField(label="Confirm the new password", max_length=PASSWORD_MAX_CHARS, strip=False,
                                validators=[valid_text], error_messages={"required": "Confirm the new password"})

    def __init__(self, person: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            try:
                password_validation.validate_password(first, self.person)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ChangePasswordForm(GovukErrors, PasswordChangeForm):
    """Django's own form: the old password, then the new one twice through the validators."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            assert isinstance(field, forms.CharField)
            field.validators += [MaxLengthValidator(PASSWORD_MAX_CHARS), valid_text]
            field.error_messages["required"] = f"Enter {str(field.label).lower()}"


class TeamForm(GovukErrors, forms.Form):
    """Give or remove a role on a tender (the tender's team page)."""

    username = _text("Member", 150)
    role = forms.ChoiceField(error_messages={"required": "Select a role", "invalid_choice": "Select a role"})

    def __init__(self, roles: tuple[Role, ...], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [(r.value, r.value.capitalize()) for r in roles]

    def chosen_role(self) -> Role:
        return Role(self.cleaned_data["role"])
