from rest_framework.pagination import LimitOffsetPagination as BaseLimitOffsetPagination

# The query parameters of pagination, which no filterset declares (app/core/filtering.py, filters.py).
PAGINATION_PARAMS = frozenset({"limit", "offset"})


class LimitOffsetPagination(BaseLimitOffsetPagination):
    default_limit = 50
    max_limit = 200
