"""The workspace's routes: the pages every area shares, then each area's own `urls.py`, then the API. An area
adds one `include` line here (and its entry in `commonweal.web.areas` for the navigation)."""

from django.urls import include, path

from commonweal.web import api, views

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("", include("commonweal.web.home.urls")),
    path("", include("commonweal.web.tenders.urls")),
    path("", include("commonweal.web.people.urls")),
    path("", include("commonweal.web.suppliers.urls")),
    path("", include("commonweal.web.socialvalue.urls")),
    path("", include("commonweal.web.contracts.urls")),
    path("", include("commonweal.web.publishing.urls")),
    path("", include("commonweal.web.providers.urls")),
    path("", include("commonweal.web.public.urls")),
    path("", include("commonweal.web.spend.urls")),
    path("api/", api.urls()),
]

handler404 = "commonweal.web.views.not_found"
handler500 = "commonweal.web.views.server_error"
