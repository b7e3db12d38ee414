from django.urls import include, path

from commonweal.web import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("tenders/", views.tenders, name="tenders"),
    path("tenders/<int:tender_id>/", views.tender, name="tender"),
    path("tenders/<int:tender_id>/advance/", views.advance, name="advance"),
    path("tenders/<int:tender_id>/declare/", views.declare, name="declare"),
    path("tenders/<int:tender_id>/evaluate/", views.evaluate, name="evaluate"),
    path("tenders/<int:tender_id>/bids/<int:bid_id>/", views.score_bid, name="score_bid"),
    path("tenders/<int:tender_id>/scores/upload/", views.upload_scores, name="upload_scores"),
    path("tenders/<int:tender_id>/moderation/", views.moderation, name="moderation"),
    path("tenders/<int:tender_id>/moderation/upload/", views.upload_scores, {"consensus": True},
         name="upload_moderation"),
    path("tenders/<int:tender_id>/moderation/<int:bid_id>/<int:criterion_id>/", views.moderate, name="moderate"),
    path("tenders/<int:tender_id>/results/", views.results, name="results"),
    path("tenders/<int:tender_id>/results.<str:fmt>", views.results_export, name="results_export"),
    path("tenders/<int:tender_id>/abnormally-low/<int:bid_id>/", views.abnormally_low, name="abnormally_low"),
    path("tenders/<int:tender_id>/summaries/<int:bid_id>/", views.summary, name="summary"),
    path("tenders/<int:tender_id>/summaries/<int:bid_id>.pdf", views.summary_pdf, name="summary_pdf"),
    path("tenders/<int:tender_id>/recommendation/", views.recommendation, name="recommendation"),
    path("tenders/<int:tender_id>/recommendation.pdf", views.recommendation_pdf, name="recommendation_pdf"),
    path("tenders/<int:tender_id>/audit/", views.audit_trail, name="audit"),
    path("organisations/<slug:slug>/", views.organisation_home, name="organisation_home"),
    path("tenders/<int:tender_id>/audit.csv", views.audit_export, name="audit_export"),
    path("organisations/<slug:slug>/tenders/new/", views.upload, name="upload"),
    path("", include("commonweal.web.people.urls")),
    path("api/", api.urls()),
]

handler404 = "commonweal.web.views.not_found"
handler500 = "commonweal.web.views.server_error"
