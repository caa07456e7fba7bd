from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "app.store"
    label = "store"
