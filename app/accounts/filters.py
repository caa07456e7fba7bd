"""Query parameters of the accounts lists (the shared backend in app.core.filters applies them)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization, User
from app.core.filters import BaseFilterSet, BooleanFilter, IdFilter, OrderingFilter, SearchFilter, date_range


class UserFilter(BaseFilterSet):
    search = SearchFilter(fields=["email", "first_name", "last_name"])
    is_active = BooleanFilter()
    is_staff = BooleanFilter()
    university = IdFilter(field_name="university_id")
    academic_level = IdFilter(field_name="academic_level_id")
    academic_field = IdFilter(field_name="academic_field_id")
    date_joined = date_range("date_joined__date", _("Joined"))
    membership_end = date_range("membership_end__date", _("Membership ending"))
    tickets_min = filters.NumberFilter(
        field_name="tickets", lookup_expr="gte", help_text=_("At least this many tickets.")
    )
    ordering = OrderingFilter(
        fields=["email", "last_name", "first_name", "date_joined", "tickets", "membership_end", "id"]
    )

    class Meta:
        model = User
        fields: list[str] = []


class OrganizationFilter(BaseFilterSet):
    search = SearchFilter(fields=["name"])
    is_university = BooleanFilter()
    ordering = OrderingFilter(fields=["name", "id"])

    class Meta:
        model = Organization
        fields: list[str] = []


class DomainFilter(BaseFilterSet):
    organization = IdFilter(field_name="organization_id")
    search = SearchFilter(fields=["name"])
    ordering = OrderingFilter(fields=["name", "id"])

    class Meta:
        model = Domain
        fields: list[str] = []


class NamedFilter(BaseFilterSet):
    """Academic levels and fields: a name each."""

    search = SearchFilter(fields=["name"])
    ordering = OrderingFilter(fields=["name", "id"])


class AcademicLevelFilter(NamedFilter):
    class Meta:
        model = AcademicLevel
        fields: list[str] = []


class AcademicFieldFilter(NamedFilter):
    class Meta:
        model = AcademicField
        fields: list[str] = []
