"""Query parameters of `/api/retreat-waitlist/` (loaded on first use, like every filter set)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from app.core.filters import BaseFilterSet, IdFilter, OrderingFilter
from app.retreats.models import RetreatWaitlistEntry


class RetreatWaitlistFilter(BaseFilterSet):
    retreat = IdFilter(field_name="retreat_id", help_text=_("Only this retreat's entries (id)."))
    status = filters.ChoiceFilter(choices=RetreatWaitlistEntry.Status.choices)
    ordering = OrderingFilter(fields=["created", "id"])

    class Meta:
        model = RetreatWaitlistEntry
        fields: list[str] = []
