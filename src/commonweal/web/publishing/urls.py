"""The publishing area's routes (each one listed in tests/web/test_authorisation_matrix.py)."""

from django.urls import path

from commonweal.web.publishing import views

notice = "publishing/<slug:slug>/<str:source>/<str:key>/notices/<str:code>/"

urlpatterns = [
    path("publishing/", views.index, name="publishing_index"),
    path("publishing/<slug:slug>/", views.calendar, name="publishing"),
    path("publishing/<slug:slug>/settings/", views.settings, name="publishing_settings"),
    path("publishing/<slug:slug>/tenders/<int:tender_id>/facts/", views.facts, name="notice_facts"),
    path("publishing/<slug:slug>/contracts/<int:contract_id>/facts/", views.contract_facts,
         name="contract_notice_facts"),
    path("publishing/<slug:slug>/contracts/<int:contract_id>/failures/", views.failures,
         name="performance_failures"),
    path("publishing/<slug:slug>/pipeline/<int:year>/", views.pipeline, name="pipeline_year"),
    path("publishing/<slug:slug>/transparency/", views.transparency, name="transparency"),
    path("publishing/<slug:slug>/transparency/<str:file>.<str:fmt>", views.transparency_download,
         name="transparency_download"),
    path(notice, views.preview, name="notice_preview"),
    path(notice + "package.json", views.download, name="notice_download"),
    path(notice + "record/", views.record, name="notice_record"),
]
