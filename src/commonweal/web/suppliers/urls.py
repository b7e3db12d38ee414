"""The suppliers area's routes (each one listed in tests/web/test_authorisation_matrix.py)."""

from django.urls import path

from commonweal.web.suppliers import views

urlpatterns = [
    path("suppliers/", views.watchlists, name="suppliers"),
    path("suppliers/<slug:slug>/", views.watchlist, name="watchlist"),
    path("suppliers/<slug:slug>/add/", views.add, name="supplier_add"),
    path("suppliers/<slug:slug>/<int:supplier_id>/", views.supplier, name="supplier"),
    path("suppliers/<slug:slug>/<int:supplier_id>/accounts/", views.accounts, name="supplier_accounts"),
    path("suppliers/<slug:slug>/<int:supplier_id>/dependency/", views.dependency, name="supplier_dependency"),
]
