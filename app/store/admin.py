from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from app.accounts.models import User
from app.core.errors import as_validation_error, user_message
from app.core.exceptions import DomainError
from app.store.models import (
    Coupon,
    HeldMembership,
    Membership,
    Order,
    OrderLine,
    OrderStatusChange,
    Package,
    PaymentProfile,
    SavedCard,
)
from app.store.services import coupons, memberships
from app.store.services.coupons import check_coupon
from app.store.services.products import delete_product
from app.store.services.refunds import refund_order


class ProductAdmin(admin.ModelAdmin):
    """Deleting goes through the same service as the API (the admin lists what protects it first)."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_product(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for product in queryset:
            delete_product(product)


@admin.register(Membership)
class MembershipAdmin(ProductAdmin):
    list_display = ["name", "price", "duration_days", "available"]
    list_filter = ["available"]
    search_fields = ["name"]
    filter_horizontal = ["academic_levels"]


@admin.register(Package)
class PackageAdmin(ProductAdmin):
    list_display = ["name", "price", "tickets", "available"]
    list_filter = ["available"]
    search_fields = ["name"]
    filter_horizontal = ["exclusive_memberships"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "kind",
        "name",
        "unit_price",
        "quantity",
        "tickets",
        "duration_days",
        "membership_start",
        "membership_end",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderStatusChangeInline(admin.TabularInline):
    """The order's history: every status change, who or what made it, when and why."""

    model = OrderStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "from_status", "to_status", "source", "actor", "reason")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders change only through checkout, reconcile_payments and refunds: every field is read-only."""

    list_display = [
        "reference",
        "user",
        "status",
        "needs_attention",
        "coupon",
        "total",
        "currency",
        "created",
        "paid_at",
    ]
    list_filter = ["status", "needs_attention"]
    list_select_related = ["user", "coupon"]
    search_fields = ["reference", "user__email", "paysafe_auth_id"]
    inlines = [OrderLineInline, OrderStatusChangeInline]
    actions = ["refund", "refund_forced"]
    exclude = ["taxes"]  # shown worded by taxes_charged

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        names = [field.name for field in Order._meta.fields if field.name != "taxes"]
        return [*names[: names.index("tax") + 1], "taxes_charged", *names[names.index("tax") + 1 :]]

    @admin.display(description=gettext_lazy("taxes charged"))
    def taxes_charged(self, order: Order) -> str:
        from app.store.display import registration_numbers, tax_label
        from app.store.services.taxes import of_order

        taxes = [
            _("%(label)s: %(amount)s") % {"label": tax_label(tax), "amount": tax.amount} for tax in of_order(order)
        ]
        return "; ".join(taxes + registration_numbers(order)) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _refund(self, request: HttpRequest, queryset: QuerySet[Order], force: bool) -> None:
        for order in queryset:
            try:
                _order, note = refund_order(order, actor=cast(User, request.user), force=force)
            except DomainError as error:
                self.message_user(request, f"{order.reference}: {user_message(error)}", messages.ERROR)
            else:
                self.message_user(request, f"{order.reference}: {note}", messages.SUCCESS)

    @admin.action(description=gettext_lazy("Refund selected orders (refuse if tickets were spent)"))
    def refund(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._refund(request, queryset, force=False)

    @admin.action(description=gettext_lazy("Refund selected orders, taking back only the tickets left"))
    def refund_forced(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._refund(request, queryset, force=True)


class SavedCardInline(admin.TabularInline):
    model = SavedCard
    extra = 0
    fields = readonly_fields = ("card_type", "last_digits", "expiry_month", "expiry_year", "created")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PaymentProfile)
class PaymentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "paysafe_profile_id", "created"]
    search_fields = ["user__email", "paysafe_profile_id"]
    readonly_fields = ["user", "merchant_customer_id", "paysafe_profile_id", "created"]
    inlines = [SavedCardInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SavedCard)
class SavedCardAdmin(admin.ModelAdmin):
    list_display = ["profile", "card_type", "last_digits", "expiry_month", "expiry_year", "created"]
    search_fields = ["profile__user__email", "last_digits"]
    fields = readonly_fields = ("profile", "card_type", "last_digits", "expiry_month", "expiry_year", "created")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class CouponAdminForm(forms.ModelForm):
    """The admin's coupon form applies the service's rules (`coupons.check_coupon`), as the API does."""

    class Meta:
        model = Coupon
        fields = [
            "code",
            "percent_off",
            "amount_off",
            "valid_from",
            "valid_until",
            "max_uses",
            "max_uses_per_member",
            "packages",
            "memberships",
            "organizations",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:  # the fields' own errors first
            return data
        names = ("percent_off", "amount_off", "valid_from", "valid_until")
        try:
            check_coupon(
                code=data.get("code") or "", **{name: data.get(name) for name in names}, coupon_id=self.instance.pk
            )
        except DomainError as error:
            raise as_validation_error(error, known_fields=self.fields) from None
        return data


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    form = CouponAdminForm
    list_display = [
        "code",
        "percent_off",
        "amount_off",
        "valid_from",
        "valid_until",
        "max_uses",
        "use_count",
        "availability",
    ]
    search_fields = ["code"]
    filter_horizontal = ["packages", "memberships", "organizations"]
    readonly_fields = ["availability"]

    @admin.display(description=gettext_lazy("Uses"))
    def use_count(self, obj: Coupon) -> int:
        return obj.uses.count()

    @admin.display(description=gettext_lazy("Can be used now"))
    def availability(self, obj: Coupon) -> str:
        # Members are only told "cannot be used on this order" (guessing codes must learn nothing).
        return coupons.state(obj) if obj.pk else "-"


@admin.register(HeldMembership)
class HeldMembershipAdmin(admin.ModelAdmin):
    """Staff grant a membership here (through the same service as the API); purchases add their own."""

    list_display = ["user", "membership", "start", "end", "source", "granted_by"]
    list_filter = ["source", "membership"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]
    fields = ["user", "membership", "start", "end", "source", "order_line", "granted_by"]
    readonly_fields = ["source", "order_line", "granted_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A recorded period is history: staff add a new grant rather than edit one.
        return [*self.readonly_fields, "user", "membership", "start", "end"] if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        try:
            held = memberships.grant(
                obj.user, obj.membership, actor=cast(User, request.user), start=obj.start, end=obj.end
            )
        except DomainError as error:
            raise as_validation_error(error) from None
        obj.pk = held.pk
