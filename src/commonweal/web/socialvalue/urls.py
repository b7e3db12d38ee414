"""The social value area's routes (each one listed in tests/web/test_authorisation_matrix.py)."""

from django.urls import path

from commonweal.web.socialvalue import views

org = "social-value/<slug:slug>/"

urlpatterns = [
    path("social-value/", views.index, name="socialvalue"),
    path(org, views.overview, name="sv_overview"),
    path(org + "core-values/new/", views.core_value_new, name="sv_core_value_new"),
    path(org + "core-values/<int:value_id>/", views.core_value, name="sv_core_value"),
    path(org + "core-values/<int:value_id>/remove/", views.core_value_remove, name="sv_core_value_remove"),
    path(org + "measures/", views.measures, name="sv_measures"),
    path(org + "measures/import/", views.library_import, name="sv_library_import"),
    path(org + "ppn-002/", views.ppn002, name="sv_ppn002"),
    path(org + "delivery/", views.delivery, name="sv_delivery"),
    path(org + "delivery/record/", views.contract_record, name="sv_contract_record"),
    path(org + "sroi/", views.sroi, name="sv_sroi"),
    path(org + "sroi/<int:programme_id>/", views.sroi_programme, name="sv_sroi_programme"),
    path(org + "maturity/", views.maturity, name="sv_maturity"),
    path(org + "report/", views.member_report, name="sv_report"),
    path(org + "report/<str:document>/", views.member_report_download, name="sv_report_download"),
    path("tenders/<int:tender_id>/social-value/", views.tender, name="sv_tender"),
    path("tenders/<int:tender_id>/social-value/<int:selection_id>/remove/", views.tender_remove,
         name="sv_tender_remove"),
]
