from django.apps import AppConfig


class RetreatsConfig(AppConfig):
    name = "app.retreats"
    label = "retreats"

    def ready(self) -> None:
        from app.store.services import kinds

        kinds.register("retreat", "app.retreats.store_hooks")  # imported on a retreat's first checkout
