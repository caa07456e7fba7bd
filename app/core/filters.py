"""Filtering and `?ordering=` for every list endpoint, written once.

Each list view names a `filterset_class` built on `BaseFilterSet` (through
`app.core.filtering.FilterSetOf`, so that it loads on first use); the project's filter backend
(`app.core.filtering.ListFilterBackend`, in REST_FRAMEWORK's DEFAULT_FILTER_BACKENDS) hands a list
request that sends a filter to `StrictFilterBackend`, which applies it to lists only and answers
400, naming the parameters, when one is unknown, malformed, or reserved to staff
(`staff_only` on the filterset) and sent by a member. drf-spectacular documents the filtersets
in the OpenAPI schema from the same classes.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from app.core.pagination import PAGINATION_PARAMS

if TYPE_CHECKING:
    from rest_framework.views import APIView

TRUE_WORDS = {"true", "1", "yes"}
FALSE_WORDS = {"false", "0", "no"}


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0, yes/no); anything else is an error rather than silently ignored."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # None: not sent
        if value in (None, ""):
            return None
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(_("Must be true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        pass


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)  # the raw text, so that a typo is an error
        super().__init__(*args, **kwargs)


class IdFilter(filters.Filter):
    """A foreign key by id: a whole number, no database lookup to validate it (an unknown id finds nothing)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("help_text", gettext_lazy("An id."))
        super().__init__(*args, **kwargs)


class SearchFilter(filters.CharFilter):
    """Free text, matched case-insensitively against each of `fields`."""

    def __init__(self, *, fields: list[str], **kwargs: Any) -> None:
        self.search_fields = fields
        kwargs.setdefault("help_text", gettext_lazy("Text contained in any of: %s.") % ", ".join(fields))
        super().__init__(method=self.search, **kwargs)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        words = value.split()
        for word in words[:5]:  # a bounded query whatever is typed
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset


class OrderingFilter(filters.OrderingFilter):
    """`?ordering=field` or `-field`, comma-separated; the id breaks ties so pages never overlap."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", gettext_lazy("Sort by these fields, comma-separated; prefix - for descending."))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        return qs.order_by(*ordering, "-pk" if ordering[0].startswith("-") else "pk")


def date_range(field_name: str, what: str | StrPromise) -> filters.DateFromToRangeFilter:
    """`<name>_after` and `<name>_before` (inclusive), as dates (YYYY-MM-DD)."""
    return filters.DateFromToRangeFilter(
        field_name=field_name,
        help_text=gettext_lazy("%s from / until these dates (YYYY-MM-DD), inclusive.") % what,
    )


class BaseFilterSet(filters.FilterSet):
    # Filters only staff may use: a member sending one gets a 400 naming it.
    staff_only: frozenset[str] = frozenset()


def parameter_names(name: str, field: forms.Field) -> set[str]:
    """The query parameters one filter reads: range filters read `<name>_<suffix>`."""
    suffixes = getattr(field.widget, "suffixes", None)
    if suffixes:
        return {f"{name}_{suffix}" if suffix else name for suffix in suffixes}
    return {name}


class StrictFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, for lists only, refusing what it would otherwise ignore."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: "APIView") -> QuerySet[Any]:
        if getattr(view, "action", "list") != "list":
            return queryset  # a detail's or a delete's own parameters (e.g. ?force=) are not filters
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            self._refuse_unknown(request, set())
            return queryset
        known = set()
        for name, field in filterset.form.fields.items():
            known |= parameter_names(name, field)
        self._refuse_unknown(request, known)
        is_staff = bool(request.user and request.user.is_staff)
        if not is_staff:
            used = {name for name in filterset.staff_only if name in request.query_params}
            if used:
                raise ValidationError({name: [_("Only staff may filter on this.")] for name in sorted(used)})
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    @staticmethod
    def _refuse_unknown(request: Request, known: set[str]) -> None:
        unknown = sorted(set(request.query_params) - known - PAGINATION_PARAMS)
        if unknown:
            allowed = ", ".join(sorted(known | PAGINATION_PARAMS))
            raise ValidationError(
                {name: [_("Unknown query parameter. Known here: %(known)s.") % {"known": allowed}] for name in unknown}
            )
