from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "commonweal.web.public"
    label = "public"
    verbose_name = "Public pages: each council's published opportunities and community interest"
