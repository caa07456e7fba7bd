"""Retreats in the admin (registered on first use of /admin/, like every app: app/core/admin_site.py)."""

from typing import Any, cast

from django.contrib import admin
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from app.accounts.models import User
from app.retreats.models import (
    Retreat,
    RetreatDate,
    RetreatExchange,
    RetreatInvitation,
    RetreatJoin,
    RetreatOption,
    RetreatOptionPurchase,
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
    list_display = ["name", "kind", "seats", "seats_taken", "price", "is_published", "attendance_link"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name", "name_fr", "city"]
    filter_horizontal = ["coupons"]
    readonly_fields = ["attendance_link"]
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

    @admin.display(description=_("Attendance"))
    def attendance_link(self, retreat: Retreat) -> str:
        """In-person retreats: the sheet where staff tick who was there (online: the joins log it)."""
        if retreat.pk is None or retreat.kind != Retreat.Kind.PHYSICAL:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:retreats_retreat_attendance", args=[retreat.pk]), _("Sheet")
        )

    def get_urls(self) -> list[URLPattern]:
        sheet = self.admin_site.admin_view(self.attendance_view)
        return [path("<int:retreat_id>/attendance/", sheet, name="retreats_retreat_attendance"), *super().get_urls()]

    def attendance_view(self, request: HttpRequest, retreat_id: int) -> HttpResponse:
        from app.retreats.attendance_admin import attendance_view

        return attendance_view(self, request, retreat_id)


@admin.register(RetreatJoin)
class RetreatJoinAdmin(admin.ModelAdmin):
    """Who was at which date: opened a virtual retreat's link, or marked present by staff (in person)."""

    list_display = ["reservation", "date", "at", "marked_by"]
    list_filter = ["reservation__retreat"]
    readonly_fields = ["reservation", "date", "at", "marked_by"]

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


@admin.register(RetreatOptionPurchase)
class RetreatOptionPurchaseAdmin(admin.ModelAdmin):
    """Options bought with seats (read here; bought through the checkout, refunded with the seat)."""

    list_display = ["option", "reservation", "quantity", "status", "order_line", "created"]
    list_filter = ["option__retreat", "status"]
    readonly_fields = ["option", "reservation", "quantity", "status", "order_line", "created"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(RetreatExchange)
class RetreatExchangeAdmin(admin.ModelAdmin):
    """Seats moved to another retreat and the difference settled (made by members through the API)."""

    list_display = ["reservation", "from_retreat", "to_retreat", "amount", "state", "order", "created"]
    list_filter = ["state"]
    readonly_fields = [
        "reservation",
        "from_retreat",
        "to_retreat",
        "subtotal",
        "amount",
        "order",
        "hold",
        "state",
        "idempotency_key",
        "created",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
