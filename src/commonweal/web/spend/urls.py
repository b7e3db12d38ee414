"""The spend area's routes (each one listed in tests/web/test_authorisation_matrix.py)."""

from django.urls import path

from commonweal.web.spend import views

spend = "organisations/<slug:slug>/spend/"

urlpatterns = [
    path("spend/", views.spend_home, name="spend_home"),
    path(spend, views.overview, name="spend"),
    path(spend + "imports/<int:import_id>/", views.spend_import, name="spend_import"),
    path(spend + "imports/<int:import_id>/rejected.csv", views.rejections, name="spend_rejections"),
    path(spend + "imports/<int:import_id>/mapping/", views.mapping, name="spend_mapping"),
    path(spend + "report/", views.report, name="spend_report"),
    path(spend + "suppliers/", views.reviews, name="spend_reviews"),
    path(spend + "partners/", views.partners, name="spend_partners"),
    path(spend + "local-areas/", views.local_areas, name="spend_local_areas"),
]
