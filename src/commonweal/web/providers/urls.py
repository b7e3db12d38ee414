"""The providers area's routes (each one listed in tests/web/test_authorisation_matrix.py)."""

from django.urls import path

from commonweal.web.providers import views

tender = "tenders/<int:tender_id>/"

urlpatterns = [
    path(tender + "bidders/", views.bidders, name="bidders"),
    path(tender + "clarifications/", views.clarifications, name="clarifications"),
    path(tender + "bidders/uploads/", views.bidder_uploads, name="bidder_uploads"),
    path(
        tender + "clarifications/<int:clarification_id>/answer/",
        views.answer_clarification,
        name="answer_clarification",
    ),
    path("contracts/<int:contract_id>/provider/", views.contract_provider, name="contract_provider"),
    path("portal/", views.portal, name="portal"),
    path("portal/contracts/", views.portal_contracts, name="portal_contracts"),
    path(
        "contracts/<int:contract_id>/returns/<int:return_id>/check/", views.check_return, name="contract_return_check"
    ),
    path("portal/contracts/<int:contract_id>/", views.portal_contract, name="portal_contract"),
    path("portal/contracts/<int:contract_id>/concern/", views.portal_concern, name="portal_concern"),
    path("portal/contracts/<int:contract_id>/ratings/", views.portal_ratings, name="portal_ratings"),
    path("portal/contracts/<int:contract_id>/returns/new/", views.portal_return, name="portal_return"),
    path("portal/contracts/<int:contract_id>/returns/upload/", views.portal_returns_upload,
         name="portal_returns_upload"),
    path(
        "portal/contracts/<int:contract_id>/returns/<int:return_id>/respond/",
        views.portal_return_respond,
        name="portal_return_respond",
    ),
    path("portal/tenders/<int:tender_id>/", views.portal_tender, name="portal_tender"),
    path("portal/tenders/<int:tender_id>/documents/<int:document_id>/", views.portal_tender_document,
         name="portal_tender_document"),
    path("portal/tenders/<int:tender_id>/bid/", views.portal_bid, name="portal_bid"),
    path("portal/tenders/<int:tender_id>/bid/start/", views.portal_start_bid, name="portal_start_bid"),
]
