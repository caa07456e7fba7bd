"""Each time slot's waiting list in the admin: the queue in order, who holds an offer and until when.

Read-only: entries change through the members' actions and `process_waitlists` (app/bookings/waitlist.py).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from app.bookings.models import WaitlistEntry


class WaitlistEntryInline(admin.TabularInline):
    model = WaitlistEntry
    extra = 0
    can_delete = False
    fields = ["user", "status", "created", "offer_expires_at"]
    readonly_fields = fields
    ordering = ["created", "id"]
    verbose_name_plural = _("Waiting list (first in line first)")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")
