"""Keep drf-spectacular out of the cold start, and say which errors a view may raise.

DRF builds a view's schema inspector whenever the view class's attributes are listed, which
the router does while loading the URLs of every request's first call. Until the schema
or docs page has imported drf-spectacular, a cheap placeholder stands in; once it is
loaded, views get the project's AutoSchema (`app.core.openapi`), which documents every
operation's error answers from the table in `app.core.errors`.
"""

import sys
from collections.abc import Callable
from typing import Any, TypeVar

from rest_framework.schemas.inspectors import ViewInspector

_loaded_classes: dict[type, type] = {}
F = TypeVar("F", bound=Callable[..., Any])


def _loaded(cls: type) -> type:
    """`cls` (LazyAutoSchema, or a subclass `@extend_schema` made of it) on the project's AutoSchema."""
    from app.core.openapi import AutoSchema

    if issubclass(cls, AutoSchema):
        return cls
    if cls not in _loaded_classes:
        # `cls` first: what @extend_schema declared overrides the defaults.
        _loaded_classes[cls] = type(cls.__name__, (cls, AutoSchema), {})
    return _loaded_classes[cls]


class LazyAutoSchema(ViewInspector):
    # Read by `@extend_schema_view` when it decorates a view class, at import (as drf-spectacular's).
    method_mapping = {
        "get": "retrieve",
        "post": "create",
        "put": "update",
        "patch": "partial_update",
        "delete": "destroy",
    }

    def __new__(cls, *args: Any, **kwargs: Any) -> "LazyAutoSchema":
        if "drf_spectacular.openapi" not in sys.modules:
            return super().__new__(cls)
        return super().__new__(_loaded(cls))  # a subclass of `cls`: Python then calls its __init__


def may_raise(*errors: type[Exception]) -> Callable[[F], F]:
    """Declare on a view method the domain errors (`app.core.exceptions`) its services may raise
    beyond those every operation of its kind can give; the schema documents their status codes."""

    def mark(method: F) -> F:
        method.may_raise = (*getattr(method, "may_raise", ()), *errors)  # type: ignore[attr-defined]
        return method

    return mark
