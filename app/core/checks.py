"""System checks for what the project's start-up assumes (see `app/wsgi.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models


def postgres_only_fields(model_classes: Iterable[type[models.Model]]) -> list[str]:
    """`app_label.Model.field` for every field defined in `django.contrib.postgres`."""
    return [
        f"{model._meta.label}.{field.name}"
        for model in model_classes
        for field in model._meta.get_fields()
        if type(field).__module__.startswith("django.contrib.postgres")
    ]


@checks.register(checks.Tags.models)
def no_postgres_only_fields(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`app/wsgi.py` loads DRF with `django.contrib.postgres.fields` hidden, so DRF's serializers
    would not know such a field on Lambda (while they would in tests). Refuse them."""
    return [
        checks.Error(
            f"{name} is a django.contrib.postgres field, which DRF cannot map on Lambda.",
            hint="Use a portable field (models.JSONField...), or stop hiding "
            "django.contrib.postgres.fields in app/wsgi.py (DRF_EXTRAS_HIDDEN_AT_START_UP).",
            id="core.E001",
        )
        for name in postgres_only_fields(apps.get_models())
    ]
