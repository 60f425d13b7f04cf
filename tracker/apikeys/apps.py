from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "tracker.apikeys"
    label = "apikeys"
    verbose_name = "API keys"
