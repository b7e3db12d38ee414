from django.apps import AppConfig


class SocialValueConfig(AppConfig):
    name = "commonweal.web.socialvalue"
    label = "socialvalue"
    verbose_name = "Commonweal social value"
