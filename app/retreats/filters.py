"""Query parameters of the retreat lists (the shared backend in app.core.filters applies them)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from app.core.filters import BaseFilterSet, BooleanFilter, IdFilter, OrderingFilter, SearchFilter
from app.retreats.models import Retreat, RetreatInvitation, RetreatOption, RetreatReservation


class RetreatFilter(BaseFilterSet):
    search = SearchFilter(fields=["name", "name_fr", "city"])
    kind = filters.ChoiceFilter(choices=Retreat.Kind.choices)
    is_published = BooleanFilter(help_text=_("Members and visitors see published retreats only."))
    ordering = OrderingFilter(fields=["name", "price", "id"])

    class Meta:
        model = Retreat
        fields: list[str] = []


class RetreatReservationFilter(BaseFilterSet):
    retreat = IdFilter(field_name="retreat_id", help_text=_("Only this retreat's reservations (id)."))
    status = filters.ChoiceFilter(choices=RetreatReservation.Status.choices)
    user = IdFilter(field_name="user_id", help_text=_("Staff only: the member's id."))
    ordering = OrderingFilter(fields=["created", "id"])

    staff_only = frozenset({"user"})

    class Meta:
        model = RetreatReservation
        fields: list[str] = []


class RetreatInvitationFilter(BaseFilterSet):
    retreat = IdFilter(field_name="retreat_id", help_text=_("Only this retreat's invitations (id)."))
    ordering = OrderingFilter(fields=["created", "release_at", "id"])

    class Meta:
        model = RetreatInvitation
        fields: list[str] = []


class RetreatOptionFilter(BaseFilterSet):
    retreat = IdFilter(field_name="retreat_id", help_text=_("Only this retreat's options (id)."))
    ordering = OrderingFilter(fields=["name", "price", "id"])

    class Meta:
        model = RetreatOption
        fields: list[str] = []
