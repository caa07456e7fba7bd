"""Periods of a workplace: dates in order, no overlap between active ones, their slots inside them."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from app.bookings.models import Period
from app.bookings.services.common import delete_unless_reserved, lock_workplace
from app.core.exceptions import Invalid


def check_period(period: Period) -> None:
    """Dates in order, no overlap with another active period, and its slots stay inside it.

    Call inside a transaction: it takes the workplace lock.
    """
    errors: dict[str, list[str]] = {}
    if period.start_date and period.end_date and period.end_date < period.start_date:
        raise Invalid(fields={"end_date": [_("The end date must not be before the start date.")]})
    lock_workplace(period.workplace_id)
    if period.pk:
        old = Period.objects.get(pk=period.pk)
        has_slots = old.timeslots.exists()
        if old.workplace_id != period.workplace_id and has_slots:
            errors["workplace"] = [_("A period with time slots cannot move to another workplace.")]
        outside = old.timeslots.filter(removed_at__isnull=True).filter(
            Q(local_date__lt=period.start_date) | Q(local_date__gt=period.end_date)
        )
        if has_slots and outside.exists():
            errors["start_date"] = [_("Some time slots of this period would fall outside its new dates.")]
    if period.is_active:
        overlapping = Period.objects.filter(
            workplace_id=period.workplace_id,
            is_active=True,
            start_date__lte=period.end_date,
            end_date__gte=period.start_date,
        ).exclude(pk=period.pk)
        other = overlapping.first()
        if other:
            errors["is_active"] = [
                _("The active period “%(name)s” of this workplace overlaps these dates.") % {"name": other.name}
            ]
    if errors:
        raise Invalid(fields=errors)


def save_period(period: Period) -> Period:
    with transaction.atomic():
        check_period(period)
        period.save()
    return period


def delete_period(period: Period) -> None:
    """Delete a period with its slots; refused while any reservation points at them."""
    delete_unless_reserved(period)
