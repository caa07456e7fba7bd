"""/retreats/, /retreats/<id>/ and the invitation's page /retreats/invitation/<token>/.

The rules are the API's (`app.retreats.pages_support` answers with them); it is imported on a
retreat page's first use, so that the other pages load no retreat code.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus, urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from app.core import moments
from app.core.i18n import localized
from app.retreats.models import Retreat
from app.web.views import retreat_waitlist
from app.web.views.common import not_found
from app.web.views.store import held_memberships  # every call into the store is in views/store.py

if TYPE_CHECKING:
    from app.retreats.models import RetreatDate, RetreatInvitation

RETREATS_PER_PAGE = 20


def date_text(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """A date of a retreat on its own wall clock: one day with its hours, or from one moment to another."""
    if start.astimezone(zone).date() == end.astimezone(zone).date():
        return moments.slot_text(start, end, zone)
    return _("%(start)s to %(end)s") % {
        "start": moments.moment_text(start, zone),
        "end": moments.moment_text(end, zone),
    }


def dates_of(retreat: Retreat) -> list[str]:
    """Every date, in the retreat's time zone (from the prefetched dates)."""
    zone = retreat.zone
    return [date_text(date.start, date.end, zone) for date in _dates(retreat)]


def _dates(retreat: Retreat) -> list[RetreatDate]:
    return sorted(retreat.dates.all(), key=lambda date: date.start)


def when(retreat: Retreat) -> str:
    """The whole retreat in a few words: its first day to its last, in its time zone."""
    dates = _dates(retreat)
    if not dates:
        return ""
    zone = retreat.zone
    first, last = dates[0].start.astimezone(zone), dates[-1].end.astimezone(zone)
    if first.date() == last.date():
        return moments.day_text(first)
    return _("%(first)s to %(last)s") % {"first": moments.day_text(first), "last": moments.day_text(last)}


def address(retreat: Retreat) -> str:
    """The place on one line: street, city, province, postal code, country (the parts given)."""
    city = " ".join(part for part in (retreat.state_province, retreat.postal_code) if part)
    parts = [retreat.address_line1, retreat.address_line2, retreat.city, city, retreat.country]
    return ", ".join(part.strip() for part in parts if part.strip())


def map_url(retreat: Retreat) -> str:
    """A search on openstreetmap.org: a link only, nothing is loaded from another origin."""
    return f"https://www.openstreetmap.org/search?query={quote_plus(address(retreat))}"


def where(retreat: Retreat) -> str:
    return _("Online") if retreat.kind == Retreat.Kind.VIRTUAL else retreat.city


def _summary(retreat: Retreat, held: set[int]) -> dict[str, Any]:
    from app.retreats import pages_support

    return {
        "retreat": retreat,
        "name": localized(retreat, "name"),
        "when": when(retreat),
        "where": where(retreat),
        "price": pages_support.price_for(retreat, held),
        "member_price": retreat.member_price if not held else None,
        "seats_left": pages_support.seats_for(retreat),  # a waiting-list offer's seat included
    }


@require_safe
def retreat_list(request: HttpRequest) -> HttpResponse:
    from app.retreats import pages_support

    held = held_memberships(request)
    page = Paginator(pages_support.upcoming(request.user.pk), RETREATS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "retreats": [_summary(retreat, held) for retreat in page.object_list],
        "page": page,
        "currency": settings.STORE_CURRENCY,
    }
    return render(request, "web/retreats/list.html", context)


def _detail(
    request: HttpRequest, retreat: Retreat, invitation: RetreatInvitation | None = None, status: int = 200
) -> HttpResponse:
    from app.retreats import pages_support

    held = held_memberships(request)
    summary = _summary(retreat, held)
    invited = pages_support.invited_seats_left(invitation) if invitation is not None else 0
    available = summary["seats_left"] + invited
    reason = pages_support.may_buy(request.user, retreat) if request.user.is_authenticated else None
    query: dict[str, str | int] = {"product": "retreat", "id": retreat.pk}
    if invitation is not None:
        query["invitation"] = invitation.token
        if invitation.coupon is not None:
            query["coupon"] = invitation.coupon.code
    dates = _dates(retreat)
    from app.retreats import options

    offers, holds_seat = options.offers(retreat, held, request.user.pk)
    context = {
        **summary,
        "options": offers,
        "holds_seat": holds_seat,
        "details": localized(retreat, "details"),
        "dates": dates_of(retreat),
        "physical": retreat.kind == Retreat.Kind.PHYSICAL,
        "address": address(retreat),
        "map_url": map_url(retreat),
        "invitation": invitation,
        "invited_seats": invited,
        "available": available,
        "reason": reason,
        "started": bool(dates) and dates[0].start <= timezone.now(),
        "buy_url": f"{reverse('checkout')}?{urlencode(query)}",
        "here": request.get_full_path(),
        "waitlist": retreat_waitlist.entry_on_page(retreat),  # web/retreats/_waitlist.html
        "currency": settings.STORE_CURRENCY,
        "refund": {
            "full_days": retreat.full_refund_days,
            "partial_days": retreat.partial_refund_days,
            "partial_percent": retreat.partial_refund_percent,
        },
    }
    return render(request, "web/retreats/detail.html", context, status=status)


@require_safe
def retreat_detail(request: HttpRequest, retreat_id: int) -> HttpResponse:
    from app.retreats import pages_support

    retreat = (
        retreat_waitlist.with_my_entry(pages_support.published(request.user.pk), request).filter(pk=retreat_id).first()
    )
    if retreat is None:
        return not_found(request)
    return _detail(request, retreat)


@require_safe
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link staff send with an invitation: the retreat, with the invitation's seats open to buy."""
    from app.retreats import pages_support

    invitation = pages_support.open_invitation(token)
    if invitation is None:
        return not_found(request)
    retreat = retreat_waitlist.with_my_entry(pages_support.published(request.user.pk), request).get(
        pk=invitation.retreat_id
    )
    return _detail(request, retreat, invitation)
