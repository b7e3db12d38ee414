"""The contracts area's routes (each one listed in tests/web/test_authorisation_matrix.py)."""

from django.urls import path

from commonweal.web.contracts import views

organisation = "organisations/<slug:slug>/contracts/"
contract = "contracts/<int:contract_id>/"
review = contract + "reviews/<int:review_id>/"

urlpatterns = [
    path("contracts/", views.contracts, name="contracts"),
    path(organisation, views.register, name="contracts_register"),
    path("organisations/<slug:slug>/contracts.<str:fmt>", views.export, name="contracts_export"),
    path(organisation + "dashboard/", views.dashboard, name="contracts_dashboard"),
    path(organisation + "new/", views.create, name="contract_create"),
    path(organisation + "import/", views.import_register, name="contracts_import"),
    path(organisation + "import-folder/", views.import_folder, name="contract_folder_import"),
    path(contract, views.contract, name="contract"),
    path(contract + "managers/", views.manager, name="contract_manager"),
    path(contract + "kpis/", views.kpis, name="contract_kpis"),
    path(contract + "kpis/exemption/", views.kpi_exemption, name="contract_kpi_exemption"),
    path(contract + "returns/new/", views.new_return, name="contract_return"),
    path(contract + "returns/upload/", views.upload_returns, name="contract_returns_upload"),
    path(contract + "evidence/<int:evidence_id>/", views.evidence, name="contract_evidence"),
    path(contract + "evidence/<int:evidence_id>/delete/", views.delete_evidence, name="contract_evidence_delete"),
    path(contract + "variations/", views.variations, name="contract_variations"),
    path(contract + "review-pack/", views.review_pack, name="contract_pack"),
    path("contracts/<int:contract_id>/review-pack.pdf", views.review_pack_pdf, name="contract_pack_pdf"),
    path(contract + "reviews/new/", views.open_review, name="contract_review_open"),
    path(review, views.review, name="contract_review"),
    path(review + "meeting/", views.meeting, name="contract_review_meeting"),
    path(review + "options/", views.option, name="contract_review_option"),
    path(review + "decision/", views.decision, name="contract_review_decision"),
    path(review + "actions/", views.action, name="contract_review_action"),
    path(contract + "actions/<int:action_id>/done/", views.action_done, name="contract_action_done"),
]
