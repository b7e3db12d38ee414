"""The people pages: an organisation's members, invitations, roles, deactivation and password links; the tender's
team; a person's own password. Every POST goes through a form in `forms.py`; every read and change through
`people.data` (organisation admins) or `commonweal.web.tenders.data` (a tender's commissioners)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.domain.lifecycle import Role
from commonweal.web.access import Access, NotFound, Refused, organisation_access, tender_access
from commonweal.web.forms import GovukErrors
from commonweal.web.models import Invitation
from commonweal.web.people import data as people
from commonweal.web.people import forms
from commonweal.web.tenders import data
from commonweal.web.views import page, scoped

# -- an organisation's people (admins) -----------------------------------------------------------------------------


@scoped
@require_safe
def members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, found = people.people(request.user, slug)
    return page(request, "web/people/members.html", f"{organisation.name}: people", organisation=organisation,
                people=found, invitations=people.pending_invitations(request.user, slug))


@scoped
@require_http_methods(["POST"])
def cancel_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    form = forms.ConfirmForm(request.POST)
    if not form.is_valid():
        organisation, found = people.people(request.user, slug)
        return page(request, "web/people/members.html", f"{organisation.name}: people", status=400,
                    organisation=organisation, people=found,
                    invitations=people.pending_invitations(request.user, slug), errors=form.summary())
    cancelled = people.cancel_invitation(request.user, slug, invitation_id)
    messages.success(request, f"The invitation for {cancelled.username} is cancelled: its link no longer works")
    return redirect("members", slug)


def _link_page(request: HttpRequest, issued: people.IssuedLink, organisation: object) -> HttpResponse:
    """The one time a link is shown: never cached, never stored in the session."""
    name = "join" if issued.purpose == Invitation.JOIN else "reset_password"
    return page(request, "web/people/link.html",
                "Invitation created" if issued.purpose == Invitation.JOIN else "Password reset link created",
                issued=issued, organisation=organisation,
                link=request.build_absolute_uri(reverse(name, args=[issued.token])))


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_access(request.user, slug, Role.ADMIN)
    form = forms.InviteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            issued = people.invite(request.user, slug, form.cleaned_data["username"],
                                   form.cleaned_data["display_name"], form.chosen_role())
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            return _link_page(request, issued, organisation)
    return page(request, "web/people/invite.html", f"Invite a person to {organisation.name}",
                status=400 if form.errors else 200, organisation=organisation, form=form,
                errors=form.summary(), invite_days=settings.COMMONWEAL_INVITATION_DAYS)


def _person_page(request: HttpRequest, slug: str, user_id: int, form: GovukErrors | None = None,
                 field: str = "") -> HttpResponse:
    organisation, found = people.person(request.user, slug, user_id)
    errors = form.summary() if form is not None else []
    return page(request, "web/people/person.html", found.display_name or found.username,
                status=400 if errors else 200, organisation=organisation, person=found, errors=errors,
                tender_roles=people.tender_roles(request.user, slug, user_id),
                roles=people.ORGANISATION_ROLES, form=form, field=field)


@scoped
@require_safe
def person(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    return _person_page(request, slug, user_id)


@scoped
@require_http_methods(["POST"])
def person_role(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    _, found = people.person(request.user, slug, user_id)
    form = forms.RoleForm(request.POST)
    if form.is_valid():
        role = Role(form.cleaned_data["role"])
        try:
            if form.cleaned_data["action"] == "give":
                people.give_role(request.user, slug, user_id, role)
            else:
                people.remove_role(request.user, slug, user_id, role)
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            done = "is now" if form.cleaned_data["action"] == "give" else "is no longer"
            messages.success(request, f"{found.username} {done} {role.value}")
            return redirect("person", slug, user_id)
    return _person_page(request, slug, user_id, form, "role")


@scoped
@require_http_methods(["POST"])
def person_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    organisation, found = people.person(request.user, slug, user_id)
    form = forms.ConfirmForm(request.POST)
    if form.is_valid():
        try:
            people.remove_member(request.user, slug, user_id)
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, f"{found.username} is no longer a member of {organisation.name}")
            return redirect("members", slug)
    return _person_page(request, slug, user_id, form, "confirm")


@scoped
@require_http_methods(["POST"])
def person_active(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    _, found = people.person(request.user, slug, user_id)
    form = forms.ActiveForm(request.POST)
    if form.is_valid():
        active = form.cleaned_data["active"] == "yes"
        try:
            people.set_active(request.user, slug, user_id, active)
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, f"{found.username}'s account is {'active' if active else 'deactivated'}")
            return redirect("person", slug, user_id)
    return _person_page(request, slug, user_id, form, "active")


@scoped
@require_http_methods(["POST"])
def person_reset(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    organisation, _ = people.person(request.user, slug, user_id)
    form = forms.ConfirmForm(request.POST)
    if form.is_valid():
        try:
            issued = people.reset_link(request.user, slug, user_id)
        except Refused as refused:
            form.refused(refused.problems, ("confirm",) * len(refused.problems))
        else:
            return _link_page(request, issued, organisation)
    return _person_page(request, slug, user_id, form, "confirm")


# -- one-time links (no sign-in needed) -----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def use_link(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    """An invitation (choose a password, join, and be signed in) or a reset link (choose a new password)."""
    try:
        link = people.open_link(token, purpose)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    person = link.user or User(username=link.username, first_name=link.display_name)
    form = forms.NewPasswordForm(person, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            member = people.use_link(token, purpose, form.cleaned_data["password1"])
        except NotFound as exc:  # used meanwhile by another request
            raise Http404(str(exc)) from exc
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            login(request, member, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {link.organisation.name}" if purpose == Invitation.JOIN
                             else "Your new password is set")
            return redirect("home")
    title = f"Join {link.organisation.name}" if purpose == Invitation.JOIN else "Choose a new password"
    response = page(request, "web/people/set_password.html", title, status=400 if form.errors else 200, link=link,
                    form=form, errors=form.summary(), action=request.path)
    response["Cache-Control"] = "no-store"  # the one-time link is in the address; the visitor is not signed in
    return response


# -- the signed-in person's own password -----------------------------------------------------------------------------


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def password(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = forms.ChangePasswordForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        people.change_password(user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)  # stay signed in here; other sessions end
        messages.success(request, "Your password has been changed")
        return redirect("home")
    return page(request, "web/people/password.html", "Change your password", status=400 if form.errors else 200,
                form=form, errors=form.summary())


# -- a tender's team (commissioners) --------------------------------------------------------------------------------


def _team_page(request: HttpRequest, access: Access, form: forms.TeamForm | None = None,
               removal: forms.TeamForm | None = None) -> HttpResponse:
    errors = [*(form.summary() if form else []), *(removal.summary() if removal else [])]
    return page(request, "web/people/team.html", "Tender team", status=400 if errors else 200, access=access,
                members=data.team(access), roles=data.TENDER_ROLES, errors=errors, form=form)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def team(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    if request.method != "POST":
        return _team_page(request, access)
    form = forms.TeamForm(data.TENDER_ROLES, request.POST)
    if form.is_valid():
        try:
            data.assign_role(access, form.cleaned_data["username"], form.chosen_role())
        except Refused as refused:
            form.refused(refused.problems, ("username",) * len(refused.problems))
        else:
            messages.success(request, f"{form.cleaned_data['username']} is now {form.cleaned_data['role']} on this "
                                      "tender")
            return redirect("team", tender_id)
    return _team_page(request, access, form)


@scoped
@require_http_methods(["POST"])
def team_remove(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    form = forms.TeamForm(data.TENDER_ROLES, request.POST)
    if form.is_valid():
        try:
            data.remove_tender_role(access, form.cleaned_data["username"], form.chosen_role())
        except Refused as refused:
            form.refused(refused.problems, ("username",) * len(refused.problems))
        else:
            messages.success(request, f"{form.cleaned_data['username']} is no longer {form.cleaned_data['role']} "
                                      "on this tender")
            return redirect("team", tender_id)
    return _team_page(request, access, removal=form)
