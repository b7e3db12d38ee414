"""The tenders area's routes (each one listed in tests/web/test_authorisation_matrix.py)."""

from django.urls import path

from commonweal.web.tenders import views

tender = "tenders/<int:tender_id>/"

urlpatterns = [
    path("tenders/", views.tenders, name="tenders"),
    path(tender, views.tender, name="tender"),
    path(tender + "advance/", views.advance, name="advance"),
    path(tender + "declare/", views.declare, name="declare"),
    path(tender + "conflicts/<int:declaration_id>/", views.conflict, name="conflict"),
    path(tender + "evaluate/", views.evaluate, name="evaluate"),
    path(tender + "bids/<int:bid_id>/", views.score_bid, name="score_bid"),
    path(tender + "bids/<int:bid_id>/criteria/<int:criterion_id>/", views.score, name="score"),
    path(tender + "scores/submit/", views.submit_scores, name="submit_scores"),
    path(tender + "bids/<int:bid_id>/documents/", views.bid_documents, name="bid_documents"),
    path(tender + "documents/<int:document_id>/", views.bid_document, name="bid_document"),
    path(tender + "tender-documents/", views.tender_documents, name="tender_documents"),
    path(tender + "tender-documents/<int:document_id>/", views.tender_document, name="tender_document"),
    path(tender + "scores/upload/", views.upload_scores, name="upload_scores"),
    path(tender + "moderation/", views.moderation, name="moderation"),
    path(tender + "moderation/upload/", views.upload_scores, {"consensus": True}, name="upload_moderation"),
    path(tender + "moderation/<int:bid_id>/<int:criterion_id>/", views.moderate, name="moderate"),
    path(tender + "results/", views.results, name="results"),
    path("tenders/<int:tender_id>/results.<str:fmt>", views.results_export, name="results_export"),
    path(tender + "abnormally-low/<int:bid_id>/", views.abnormally_low, name="abnormally_low"),
    path(tender + "summaries/<int:bid_id>/", views.summary, name="summary"),
    path("tenders/<int:tender_id>/summaries/<int:bid_id>.pdf", views.summary_pdf, name="summary_pdf"),
    path(tender + "recommendation/", views.recommendation, name="recommendation"),
    path("tenders/<int:tender_id>/recommendation.pdf", views.recommendation_pdf, name="recommendation_pdf"),
    path(tender + "audit/", views.audit_trail, name="audit"),
    path("tenders/<int:tender_id>/audit.csv", views.audit_export, name="audit_export"),
    path(tender + "bids/new/", views.add_bid, name="add_bid"),
    path(tender + "edit/", views.edit, name="edit_tender"),
    path(tender + "edit/check/", views.check_tender_edit, name="check_tender_edit"),
    path("tenders/<int:tender_id>/folder.zip", views.tender_folder, name="tender_folder"),
    path("organisations/<slug:slug>/tenders/new/", views.upload, name="upload"),
    path("organisations/<slug:slug>/tenders/build/", views.build, name="build_tender"),
    path("organisations/<slug:slug>/tenders/build/check/", views.check_tender, name="check_tender"),
    path("tender-template.yaml", views.template_tender, name="template_tender"),
]
