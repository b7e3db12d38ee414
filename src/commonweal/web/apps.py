from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "commonweal.web"
    label = "web"
    verbose_name = "Commonweal workspace"
