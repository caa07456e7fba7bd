"""CORS safety: credentials (cookies) are never allowed for any origin.

With `CORS_ALLOW_CREDENTIALS` and every origin allowed, django-cors-headers echoes the caller's
origin with `Access-Control-Allow-Credentials: true`: any site could then act with a signed-in
staff member's session. Start-up refuses it (ready() raises), and so does `manage.py check`.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _


def _problem() -> str | None:
    if not getattr(settings, "CORS_ALLOW_CREDENTIALS", False):
        return None
    if getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False) or any(
        regex.strip("^$") in {".*", ".+"} for regex in getattr(settings, "CORS_ALLOWED_ORIGIN_REGEXES", [])
    ):
        return _(
            "CORS_ALLOW_CREDENTIALS is on while every origin is allowed (CORS_ALLOWED_ORIGINS=*): "
            "list the front ends' origins instead, or turn credentials off."
        )
    return None


@register("security")
def cors_credentials_with_wildcard(app_configs: Any, **kwargs: Any) -> list[Error]:
    problem = _problem()
    return [Error(problem, id="staff.E001")] if problem else []


def refuse_credentials_with_any_origin() -> None:
    problem = _problem()
    if problem:
        raise ImproperlyConfigured(problem)
