from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "commonweal.web.publishing"
    label = "publishing"
    verbose_name = "Publishing: Procurement Act 2023 notices"
