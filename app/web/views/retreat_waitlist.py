"""A sold-out retreat's waiting list on the pages: join it from the retreat's page, see one's place
or the seat held for one, leave it (there or in "My retreats").

The rules are the API's (`app.retreats.waitlist`: join, leave, entries with their position); the
pages only show its answers, and its refusals through the one error translator. Imported with the
retreat pages, `app.retreats.waitlist` on first use only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from app.core import moments
from app.core.exceptions import DomainError
from app.core.i18n import localized
from app.retreats.models import Retreat, RetreatWaitlistEntry
from app.web.feedback import show_on_page
from app.web.views.common import MemberRequest, now, safe_next

SHOWN = 20  # waiting-list entries in "My retreats" (an offer first: it is the one to act on)


def _row(entry: RetreatWaitlistEntry) -> dict[str, Any]:
    """What a page shows of an entry (from `waitlist.entries`, with its position and retreat)."""
    retreat = entry.retreat
    expires = entry.offer_expires_at
    offered = entry.status == RetreatWaitlistEntry.Status.OFFERED and expires is not None and expires > now()
    return {
        "id": entry.pk,
        "retreat": retreat,
        "name": localized(retreat, "name"),
        "position": entry.position,  # type: ignore[attr-defined]  # annotated by waitlist.entries
        "offered": offered,
        "expires": moments.moment_text(expires, retreat.zone) if offered and expires else "",
        "buy_url": f"{reverse('checkout')}?product=retreat&id={retreat.pk}",
    }


def with_my_entry(retreats: QuerySet[Retreat], request: HttpRequest) -> QuerySet[Retreat]:
    """`retreats` with the member's entry on each list (`waitlist.entries`: its position), read in the
    retreat's own query: the retreat's page spends no query of its own on the waiting list."""
    if not request.user.is_authenticated:
        return retreats
    from app.retreats import waitlist

    mine = waitlist.entries(request.user).filter(retreat=OuterRef("pk"), user_id=request.user.pk).order_by()
    return retreats.annotate(
        **{f"my_entry_{field}": Subquery(mine.values(field)[:1]) for field in ("id", "status", "offer_expires_at")},
        my_entry_position=Subquery(mine.values("position")[:1]),  # type: ignore[misc]  # annotated by entries
    )


def entry_on_page(retreat: Retreat) -> dict[str, Any] | None:
    """The member's entry on `retreat`'s list (position, or the seat held and until when), or None:
    `retreat` from `with_my_entry`."""
    annotated: Any = retreat  # the annotations of `with_my_entry`
    if getattr(annotated, "my_entry_id", None) is None:
        return None
    entry = RetreatWaitlistEntry(
        pk=annotated.my_entry_id,
        retreat=retreat,
        status=annotated.my_entry_status,
        offer_expires_at=annotated.my_entry_offer_expires_at,
    )
    entry.position = annotated.my_entry_position  # type: ignore[attr-defined]  # as waitlist.entries annotates it
    return _row(entry)


def entries_of(request: MemberRequest) -> dict[str, Any]:
    """The member's entries for "My retreats", seats on offer first, then the oldest joined: at most
    `SHOWN` of them, so that the page keeps its size (one query, on every page of the list)."""
    from app.retreats import waitlist

    rows = waitlist.entries(request.user).filter(user_id=request.user.pk).order_by("status", "created", "id")
    entries = [_row(entry) for entry in rows[: SHOWN + 1]]
    return {"entries": entries[:SHOWN], "more": len(entries) > SHOWN, "shown": SHOWN}


@require_POST
@login_required
def join(request: MemberRequest, retreat_id: int) -> HttpResponse:
    from app.retreats import waitlist

    back = reverse("retreat", args=[retreat_id])
    try:
        waitlist.join(request.user, retreat_id)
    except DomainError as error:
        show_on_page(request, error)
        return redirect(back)
    entry = waitlist.entries(request.user).filter(retreat_id=retreat_id, user_id=request.user.pk).first()
    messages.success(
        request,
        _("You are on the waiting list, number %(position)d. We will e-mail you if a seat frees up.")
        % {"position": entry.position if entry else 1},  # type: ignore[attr-defined]  # annotated by entries
    )
    return redirect(back + "#waitlist")


@require_POST
@login_required
def leave(request: MemberRequest, entry_id: int) -> HttpResponse:
    from app.retreats import waitlist

    try:
        waitlist.leave(entry_id, request.user)
    except DomainError as error:
        show_on_page(request, error)
    else:
        messages.success(request, _("You left the waiting list."))
    return redirect(safe_next(request, reverse("account-retreats")))
