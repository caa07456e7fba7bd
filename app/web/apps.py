from django.apps import AppConfig


class WebConfig(AppConfig):
    """The members' web pages: server-rendered, calling the same services as the API."""

    name = "app.web"
    label = "web"
