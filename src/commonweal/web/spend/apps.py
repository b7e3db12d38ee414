from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "commonweal.web.spend"
    label = "spend"
    verbose_name = "Spend and market"
    default_auto_field = "django.db.models.BigAutoField"
