from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "app.core"
    label = "core"

    def ready(self) -> None:
        from app.core import (
            checks,  # noqa: F401 - registers the system checks
            deferred,
            email,
        )

        email.connect_signals()  # e-mail queued during a request goes out once its answer is sent
        deferred.connect_signals()  # so does other work that must not delay the answer
