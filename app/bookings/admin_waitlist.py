"""Each time slot's waiting list in the admin: the queue in order, who holds an offer and until when.

A read-only field of the slot's page rather than an inline: an inline would add a formset that
every save of the slot form must carry. Entries change only through the members' actions and
`process_waitlists` (app/bookings/waitlist.py).
"""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from app.bookings.models import TimeSlot, WaitlistEntry


@admin.display(description=gettext_lazy("Waiting list (first in line first)"))
def waiting_list(slot: TimeSlot) -> SafeString | str:
    if slot.pk is None:
        return "—"
    entries = WaitlistEntry.objects.filter(timeslot=slot).select_related("user").order_by("created", "id")
    rows = [
        (
            entry.user.email,
            _("offered until %(expires)s") % {"expires": f"{entry.offer_expires_at:%Y-%m-%d %H:%M} UTC"}
            if entry.status == WaitlistEntry.Status.OFFERED and entry.offer_expires_at
            else _("waiting"),
        )
        for entry in entries
    ]
    if not rows:
        return _("Nobody is waiting.")
    return SafeString("<ol>" + format_html_join("", "<li>{} — {}</li>", rows) + "</ol>")  # each item escaped
