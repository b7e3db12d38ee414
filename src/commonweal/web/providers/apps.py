from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "commonweal.web.providers"
    label = "providers"
    verbose_name = "Provider organisations, their people and the tenders they are invited to"

    def ready(self) -> None:
        # connects the receiver that gives an accepted invitation its provider role
        from commonweal.web.providers import data  # noqa: F401
