from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "commonweal.web.suppliers"
    label = "suppliers"
    verbose_name = "Supplier watchlist"
    default_auto_field = "django.db.models.BigAutoField"
