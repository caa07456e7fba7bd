"""Small helpers the page views share."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from app.core import moments


def safe_next(request, default):
    """`next` from the form or the query, honoured only when it is a path of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return target
    return default


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token (an old tab, cookies off): say so, in the site's frame."""
    return render(request, "web/csrf_failure.html", status=403)


def not_found(request):
    return render(request, "web/not_found.html", status=404)


def zone_label(moment, zone):
    """`HNE` / `EST`, or the city: the zone as members say it (app/core/moments.py)."""
    return moments.zone_name(moment, zone)


def local(moment, zone_name):
    zone = ZoneInfo(zone_name)
    return moment.astimezone(zone), zone


def site_zone():
    return ZoneInfo(settings.TIME_ZONE)


def now():
    return timezone.now()


def local_text(moment: datetime, zone):
    """A moment on the workplace's wall clock, with its zone, as every page and e-mail writes it."""
    return moments.moment_text(moment, zone)
