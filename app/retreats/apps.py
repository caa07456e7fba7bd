from django.apps import AppConfig


class RetreatsConfig(AppConfig):
    name = "app.retreats"
    label = "retreats"
    # Sold through the store's checkout: its hook module, imported on first use (app/store/services/kinds.py).
    store_kinds = {"retreat": "app.retreats.store_hooks"}
