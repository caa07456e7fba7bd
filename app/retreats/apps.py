from django.apps import AppConfig


class RetreatsConfig(AppConfig):
    name = "app.retreats"
    label = "retreats"
    # Sold through the store's checkout: its hook module, imported on first use (app/store/services/kinds.py).
    # Seats are held before options (an option needs a seat, held before or in the same order).
    store_kinds = {"retreat": "app.retreats.store_hooks", "retreat_option": "app.retreats.option_hooks"}
