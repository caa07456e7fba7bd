"""Query parameters of the store lists (the shared backend in app.core.filters applies them)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from app.core.filters import BaseFilterSet, BooleanFilter, IdFilter, OrderingFilter, SearchFilter, date_range
from app.store.models import Coupon, HeldMembership, Membership, Order, Package, SavedCard


class ProductFilter(BaseFilterSet):
    search = SearchFilter(fields=["name"])
    available = BooleanFilter(help_text=_("Members and visitors see available products only."))
    price_min = filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = filters.NumberFilter(field_name="price", lookup_expr="lte")
    ordering = OrderingFilter(fields=["name", "price", "id"])


class MembershipFilter(ProductFilter):
    academic_level = IdFilter(field_name="academic_levels", help_text=_("Open to this academic level (id)."))

    class Meta:
        model = Membership
        fields: list[str] = []


class PackageFilter(ProductFilter):
    class Meta:
        model = Package
        fields: list[str] = []


class OrderFilter(BaseFilterSet):
    status = filters.ChoiceFilter(choices=Order.Status.choices)
    needs_attention = BooleanFilter(help_text=_("Only orders that need (or do not need) staff."))
    created = date_range("created__date", _("Ordered"))
    user = IdFilter(field_name="user_id", help_text=_("Staff only: the member's id."))
    search = SearchFilter(fields=["reference", "user__email"], help_text=_("Staff only."))
    ordering = OrderingFilter(fields=["created", "paid_at", "total", "status", "id"])

    staff_only = frozenset({"user", "search"})

    class Meta:
        model = Order
        fields: list[str] = []


class SavedCardFilter(BaseFilterSet):
    ordering = OrderingFilter(fields=["id", "expiry_year"])

    class Meta:
        model = SavedCard
        fields: list[str] = []


class CouponFilter(BaseFilterSet):
    search = SearchFilter(fields=["code"])
    package = IdFilter(field_name="packages", help_text=_("Restricted to this package (id)."))
    membership = IdFilter(field_name="memberships", help_text=_("Restricted to this membership (id)."))
    ordering = OrderingFilter(fields=["code", "valid_from", "valid_until", "id"])

    class Meta:
        model = Coupon
        fields: list[str] = []


class HeldMembershipFilter(BaseFilterSet):
    user = IdFilter(field_name="user_id", help_text=_("The member's id."))
    membership = IdFilter(field_name="membership_id", help_text=_("The membership's id."))
    source = filters.ChoiceFilter(choices=HeldMembership.Source.choices)
    end = date_range("end__date", _("Ends"))
    ordering = OrderingFilter(fields=["start", "end", "id"])

    class Meta:
        model = HeldMembership
        fields: list[str] = []
