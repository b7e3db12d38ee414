"""The public area's routes (each one listed in tests/web/test_authorisation_matrix.py): the public pages under
/public/ (no sign-in), and the council's pipeline in the workspace."""

from django.urls import path

from commonweal.web.public import views

council = "public/<slug:slug>/"
pipeline = "organisations/<slug:slug>/opportunities/"

urlpatterns = [
    path("public/", views.index, name="public_index"),
    path(council, views.council, name="public_council"),
    path(council + "opportunities/<int:opportunity_id>/", views.opportunity, name="public_opportunity"),
    path(council + "opportunities/<int:opportunity_id>/interest/", views.register_interest, name="register_interest"),
    path("public/<slug:slug>/opportunities.<str:fmt>", views.download, name="public_download"),
    path(council + "contracts/", views.contracts, name="public_contracts"),
    path(council + "contracts/<int:contract_id>/", views.contract, name="public_contract"),
    path("public/<slug:slug>/contracts.<str:fmt>", views.contracts_download, name="public_contracts_download"),
    path(pipeline, views.pipeline, name="opportunities"),
    path(pipeline + "<int:opportunity_id>/", views.opportunity_detail, name="opportunity"),
    path(pipeline + "<int:opportunity_id>/lots/", views.opportunity_lot, name="opportunity_lot"),
    path(pipeline + "<int:opportunity_id>/tender/", views.opportunity_tender, name="opportunity_tender"),
]
