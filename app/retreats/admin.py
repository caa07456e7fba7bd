"""Retreats in the admin (registered on first use of /admin/, like every app: app/core/admin_site.py)."""

from typing import Any, cast

from django.contrib import admin
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from app.accounts.models import User
from app.retreats.models import (
    Retreat,
    RetreatDate,
    RetreatInvitation,
    RetreatJoin,
    RetreatOption,
    RetreatReservation,
    RetreatStaffRefund,
    RetreatWaitlistEntry,
)
from app.retreats.signals import dates_changed


class RetreatDateInline(admin.TabularInline):
    model = RetreatDate
    extra = 1


class RetreatReservationInline(admin.TabularInline):
    """The participants: read here, changed through cancellation or the order's refund."""

    model = RetreatReservation
    extra = 0
    can_delete = False
    fields = ("user", "status", "order_line", "refunded_amount", "cancel_reason", "created")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RetreatOptionInline(admin.TabularInline):
    """Options sold with a seat, each with its own stock; `units taken`: held by seats now."""

    model = RetreatOption
    extra = 0
    fields = ("name", "name_fr", "price", "member_price", "stock", "taken", "is_active")
    readonly_fields = ("taken",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RetreatOption]:
        held = Q(purchases__status__in=RetreatReservation.HOLDS_A_SEAT)
        return super().get_queryset(request).annotate(units_taken=Sum("purchases__quantity", filter=held))

    @admin.display(description=_("units taken"))
    def taken(self, option: RetreatOption) -> int:
        return int(getattr(option, "units_taken", 0) or 0)


@admin.register(Retreat)
class RetreatAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "seats", "seats_taken", "price", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name", "name_fr", "city"]
    filter_horizontal = ["coupons"]
    inlines = [RetreatDateInline, RetreatOptionInline, RetreatReservationInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Retreat]:
        held = Q(reservations__status__in=RetreatReservation.HOLDS_A_SEAT)
        return super().get_queryset(request).annotate(taken=Count("reservations", filter=held))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(formset.model is RetreatDate and formset.has_changed() for formset in formsets):
            dates_changed.send(sender=Retreat, retreat=form.instance)

    @admin.display(description=_("seats taken"), ordering="taken")
    def seats_taken(self, retreat: Retreat) -> int:
        return getattr(retreat, "taken", 0)


@admin.register(RetreatJoin)
class RetreatJoinAdmin(admin.ModelAdmin):
    """Who opened a virtual retreat's link, for which date: the attendance."""

    list_display = ["reservation", "date", "at"]
    list_filter = ["reservation__retreat"]
    readonly_fields = ["reservation", "date", "at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(RetreatWaitlistEntry)
class RetreatWaitlistEntryAdmin(admin.ModelAdmin):
    """Who waits for a seat of a sold-out retreat, in order; removing an offered entry passes the seat on."""

    list_display = ["retreat", "user", "status", "offer_expires_at", "created"]
    list_filter = ["retreat", "status"]
    list_select_related = ["retreat", "user"]
    readonly_fields = ["retreat", "user", "status", "offer_expires_at", "created"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: RetreatWaitlistEntry) -> None:
        from app.retreats import waitlist

        waitlist.leave(obj.pk, cast(User, request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RetreatWaitlistEntry]) -> None:
        for entry in queryset:
            self.delete_model(request, entry)


@admin.register(RetreatInvitation)
class RetreatInvitationAdmin(admin.ModelAdmin):
    """Seats kept from public sale until the release date; `used`: seats taken with the token."""

    list_display = ["retreat", "seats", "used", "release_at", "coupon", "created"]
    list_filter = ["retreat"]
    readonly_fields = ["token", "created_by", "created"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RetreatInvitation]:
        held = Q(reservations__status__in=RetreatReservation.HOLDS_A_SEAT)
        return super().get_queryset(request).annotate(used_seats=Count("reservations", filter=held))

    @admin.display(description=_("seats used"), ordering="used_seats")
    def used(self, invitation: RetreatInvitation) -> int:
        return getattr(invitation, "used_seats", 0)

    def save_model(self, request: HttpRequest, obj: RetreatInvitation, form: object, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(RetreatStaffRefund)
class RetreatStaffRefundAdmin(admin.ModelAdmin):
    """What staff gave back of cancelled seats beyond their policy, and why (made through the API)."""

    list_display = ["reservation", "amount", "reason", "state", "actor", "created"]
    list_filter = ["reservation__retreat", "state"]
    readonly_fields = ["reservation", "amount", "reason", "idempotency_key", "state", "actor", "created"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
