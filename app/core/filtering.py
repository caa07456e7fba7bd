"""The list filter backend every API list uses, light enough for the cold start.

django-filter and the filtersets (app/*/filters.py, on `app.core.filters`) load with the first
request that sends a filter: a list asked for with no parameter but `limit`/`offset` is the
queryset as it is, whatever the filterset (every filter lets an empty value through), so it
needs neither. Building a filterset costs about 1.8 ms per request (a deep copy of its filters and
a new form class), and importing django-filter and the filtersets is part of every cold start
that would otherwise pay for it (docs/performance.md).
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.module_loading import import_string

from app.core.pagination import PAGINATION_PARAMS


class FilterSetOf:
    """A view's `filterset_class`, named by its dotted path and imported when first read on a view.

    Read on the view's class it is this descriptor: the router and drf-spectacular's decorators
    look at every attribute of each view class while the URLs load, and would import every
    filterset. Whatever filters (the backend, the schema) reads it on a view instance.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.loaded: type | None = None

    def __get__(self, instance: object, owner: type | None = None) -> "type | FilterSetOf":
        if instance is None:
            return self
        if self.loaded is None:
            self.loaded = import_string(self.path)
        return self.loaded


class ListFilterBackend:
    """REST_FRAMEWORK's DEFAULT_FILTER_BACKENDS: `app.core.filters.StrictFilterBackend` when a filter is sent."""

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        if getattr(view, "action", "list") != "list":
            return queryset  # a detail's or a delete's own parameters (e.g. ?force=) are not filters
        if PAGINATION_PARAMS.issuperset(request.query_params):
            return queryset  # no filter asked: each would let the queryset through
        from app.core.filters import StrictFilterBackend

        return StrictFilterBackend().filter_queryset(request, queryset, view)

    def get_filterset_class(self, view: Any, queryset: QuerySet | None = None) -> type | None:
        """The view's filterset (drf-spectacular documents its parameters: app/core/openapi.py)."""
        from app.core.filters import StrictFilterBackend

        return StrictFilterBackend().get_filterset_class(view, queryset)
