"""Small helpers the page views share."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from app.accounts.models import User
from app.core import moments


class MemberRequest(HttpRequest):
    """A page request behind @login_required: its user is a member (for the type checker only)."""

    user: User


def safe_next(request: HttpRequest, default: str) -> str:
    """`next` from the form or the query, honoured only when it is a path of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return target
    return default


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without a valid CSRF token (an old tab, cookies off): say so, in the site's frame."""
    return render(request, "web/csrf_failure.html", status=403)


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "web/not_found.html", status=404)


def zone_label(moment: datetime, zone: ZoneInfo) -> str:
    """`HNE` / `EST`, or the city: the zone as members say it (app/core/moments.py)."""
    return moments.zone_name(moment, zone)


def local(moment: datetime, zone_name: str) -> tuple[datetime, ZoneInfo]:
    zone = ZoneInfo(zone_name)
    return moment.astimezone(zone), zone


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def now() -> datetime:
    return timezone.now()


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """A moment on the workplace's wall clock, with its zone, as every page and e-mail writes it."""
    return moments.moment_text(moment, zone)
