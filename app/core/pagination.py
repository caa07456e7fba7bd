"""`limit`/`offset` pagination that refuses malformed values (400) instead of ignoring them.

DRF's own falls back to the default for `limit=abc` or `offset=-1`: a client's mistake went
unnoticed and the schema's promise ("malformed parameters are refused") was broken. A `limit`
above `max_limit` is still lowered to it (documented in the schema).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination as BaseLimitOffsetPagination

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

# The query parameters of pagination, which no filterset declares (app/core/filtering.py, filters.py).
PAGINATION_PARAMS = frozenset({"limit", "offset"})


def _whole_number(request: Request, name: str, minimum: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ValidationError({name: [_("Give a whole number of at least %(minimum)d.") % {"minimum": minimum}]})
    return value


class LimitOffsetPagination(BaseLimitOffsetPagination):
    default_limit = 50
    max_limit = 200

    def get_limit(self, request: Request) -> int:
        limit = _whole_number(request, self.limit_query_param, 1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        return _whole_number(request, self.offset_query_param, 0) or 0

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": 2**63 - 1},
            self.offset_query_param: {"minimum": 0, "maximum": 2**63 - 1},
        }
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], **bounds.get(parameter["name"], {})}
        if parameters and parameters[0]["name"] == self.limit_query_param:
            parameters[0]["description"] = f"Number of results to return per page (at most {self.max_limit})."
        return parameters
