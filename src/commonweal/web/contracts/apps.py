from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "commonweal.web.contracts"
    label = "contracts"
    verbose_name = "Contracts"
