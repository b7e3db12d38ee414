"""The people area's routes (each one listed in tests/web/test_authorisation_matrix.py)."""

from django.urls import path

from commonweal.web.models import Invitation
from commonweal.web.people import views

member = "organisations/<slug:slug>/members/<int:user_id>/"

urlpatterns = [
    path("organisations/<slug:slug>/members/", views.members, name="members"),
    path("organisations/<slug:slug>/members/invite/", views.invite, name="invite"),
    path("organisations/<slug:slug>/members/invitations/<int:invitation_id>/cancel/", views.cancel_invitation,
         name="cancel_invitation"),
    path(member, views.person, name="person"),
    path(member + "role/", views.person_role, name="person_role"),
    path(member + "remove/", views.person_remove, name="person_remove"),
    path(member + "active/", views.person_active, name="person_active"),
    path(member + "reset/", views.person_reset, name="person_reset"),
    path("people/join/<str:token>/", views.use_link, {"purpose": Invitation.JOIN}, name="join"),
    path("people/reset/<str:token>/", views.use_link, {"purpose": Invitation.RESET}, name="reset_password"),
    path("account/password/", views.password, name="password"),
    path("tenders/<int:tender_id>/team/", views.team, name="team"),
    path("tenders/<int:tender_id>/team/remove/", views.team_remove, name="team_remove"),
]
