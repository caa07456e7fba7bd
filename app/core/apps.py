import gc

from django.apps import AppConfig


def resume_garbage_collection():
    """Freeze the objects start-up built, then let the collector run again (paused in settings.py).

    Nearly all of them (modules, classes, URL patterns) live as long as the process; leaving them
    out of every later collection also makes those collections cheaper while requests are served.
    """
    gc.freeze()
    gc.enable()


class CoreConfig(AppConfig):
    name = "app.core"
    label = "core"

    def ready(self):
        from app.core import email

        email.connect_signals()  # e-mail queued during a request goes out once its answer is sent
        resume_garbage_collection()
