"""`lazy_include`: a URLconf included by name and imported when a path first reaches it."""

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern


def lazy_include(route: str, urlconf: str, namespace: str | None = None) -> URLResolver:
    """`path(route, include(urlconf))`, with `urlconf` imported on first use (include() imports it now).

    A path reaches it when no pattern before it matched; reversing any name imports every URLconf.
    """
    return URLResolver(RoutePattern(route, is_endpoint=False), urlconf, app_name=namespace, namespace=namespace)
