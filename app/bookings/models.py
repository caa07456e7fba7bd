"""Workplaces, their bookable periods, time slots and members' reservations.

The rules that involve several rows (overlaps, seats, tickets) live in `services/` (one module per concern), which
runs them inside a transaction with the right row locked; the models hold what one row or
the database itself can guarantee.
"""

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from app.core.i18n import localized
from app.security.validators import validate_date_in_range

PICTURE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]
PICTURE_MAX_BYTES = 5 * 1024 * 1024
# First bytes of each accepted image format: the extension alone proves nothing.
_PICTURE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _zone_names():
        raise ValidationError(f"“{value}” is not an IANA time zone (for example America/Montreal).")


def validate_picture(file: Any) -> None:
    if file.size > PICTURE_MAX_BYTES:
        raise ValidationError(f"A picture may not exceed {PICTURE_MAX_BYTES // (1024 * 1024)} MB.")
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(12)
    file.seek(position)
    is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not (is_webp or head.startswith(_PICTURE_SIGNATURES)):
        raise ValidationError(_("The file is not a JPEG, PNG, WebP or GIF image."))


class Workplace(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True, help_text=_("Empty: the English name."))
    seats = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    timezone = models.CharField(
        _("timezone"),
        max_length=64,
        validators=[validate_timezone],
        help_text=_("IANA time zone, e.g. America/Montreal."),
    )
    address_line1 = models.CharField(_("address line 1"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state_province = models.CharField(_("province or state"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = models.CharField(_("country"), max_length=100)
    details = models.TextField(_("details"), blank=True)
    details_fr = models.TextField(_("details (French)"), blank=True, help_text=_("Empty: the English details."))

    class Meta:
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(seats__gte=1), name="workplace_seats_at_least_one")]

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class WorkplacePicture(models.Model):
    workplace = models.ForeignKey(
        Workplace, on_delete=models.CASCADE, related_name="pictures", verbose_name=_("workplace")
    )
    # A FileField with checked content rather than an ImageField: no Pillow in the Lambda package.
    image = models.FileField(
        _("image"),
        upload_to="workplaces/%Y/%m/",
        validators=[FileExtensionValidator(PICTURE_EXTENSIONS), validate_picture],
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("workplace picture")
        verbose_name_plural = _("workplace pictures")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Period(models.Model):
    """A workplace's bookable date range (dates in the workplace's time zone)."""

    workplace = models.ForeignKey(
        Workplace, on_delete=models.CASCADE, related_name="periods", verbose_name=_("workplace")
    )
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"), validators=[validate_date_in_range])
    end_date = models.DateField(_("end date"), validators=[validate_date_in_range])
    price = models.PositiveIntegerField(_("price"), default=1, help_text=_("Tickets per time slot."))
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="period_dates_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date} – {self.end_date})"


class TimeSlot(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="timeslots", verbose_name=_("period"))
    start = models.DateTimeField(_("start"), validators=[validate_date_in_range])
    end = models.DateTimeField(_("end"), validators=[validate_date_in_range])
    # The day in the workplace's time zone: lets lists filter by local date exactly.
    local_date = models.DateField(_("local date"), editable=False)
    price = models.PositiveIntegerField(_("price"), help_text=_("Tickets per seat."))
    # Set when a slot that had reservations is deleted: it stays, with them, as history (members and
    # admins see what happened) but leaves every list, takes no reservation and blocks no other slot.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="timeslot_end_after_start")]
        # start, id: the upcoming slots in order, a page at a time, without sorting them all.
        indexes = [models.Index(fields=["local_date"]), models.Index(fields=["start", "id"], name="timeslot_start_id")]

    def __str__(self) -> str:
        zone = ZoneInfo(self.period.workplace.timezone)
        start, end = self.start.astimezone(zone), self.end.astimezone(zone)
        return f"{self.period.workplace} {start:%Y-%m-%d %H:%M}–{end:%H:%M}"


class Reservation(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("reservation status", "Active")
        CANCELLED = "cancelled", pgettext_lazy("reservation status", "Cancelled")

    class CancelledBecause(models.TextChoices):
        MEMBER = "member", _("Cancelled by the member")
        ADMIN = "admin", _("Cancelled by an administrator")
        SLOT_CHANGED = "slot_changed", _("The time slot changed or was removed")
        MOVED = "moved", _("Moved to another time slot")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("member")
    )
    # PROTECT: a slot (or its period) with reservations goes only through services.delete_timeslot,
    # which refunds first; a cascade could never silently swallow paid seats.
    timeslot = models.ForeignKey(
        TimeSlot, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("time slot")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    price = models.PositiveIntegerField(_("price"), help_text=_("Tickets paid, returned in full on cancellation."))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_because = models.CharField(
        _("cancellation reason"), max_length=20, choices=CancelledBecause.choices, blank=True
    )
    # Set when a staff member booked the seat for the member (None: the member booked it).
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("booked by"),
    )
    free_reason = models.CharField(
        _("why free"),
        max_length=200,
        blank=True,
        help_text="Why staff offered this seat free of tickets (empty: paid).",
    )
    # None until staff take attendance, after the slot has started.
    is_present = models.BooleanField(_("present"), null=True, blank=True)
    # The calendar entry (app/bookings/ics.py): a moved booking keeps its entry's UID (empty: derived
    # from the id), and SEQUENCE rises on every change so that calendars apply the newest.
    calendar_uid = models.CharField(_("calendar UID"), max_length=200, blank=True, editable=False)
    calendar_sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    moved_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moved_to",
        editable=False,
        verbose_name=_("moved from"),
    )

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "timeslot"],
                condition=Q(status="active"),
                name="one_active_reservation_per_member_and_slot",
                violation_error_message="You already have a reservation for this time slot.",
            )
        ]

    def __str__(self) -> str:
        return f"reservation {self.pk} of {self.user_id} ({self.status})"


class WaitlistEntry(models.Model):
    """A member queued for a full slot (app/bookings/waitlist.py). Rows exist only while they wait or
    hold an offer: reserving, leaving, declining or letting the offer expire deletes the entry."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered a seat"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries")
    timeslot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="waitlist_entries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created = models.DateTimeField(auto_now_add=True)
    # While an offer runs, one seat is held for this member: nobody else may take it.
    offer_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "timeslot"],
                name="one_waitlist_entry_per_member_and_slot",
                violation_error_message="You are already on the waiting list of this time slot.",
            )
        ]
        indexes = [models.Index(fields=["timeslot", "status", "created"]), models.Index(fields=["offer_expires_at"])]

    def __str__(self) -> str:
        return f"waitlist entry {self.pk} of {self.user_id} ({self.status})"


class ReminderSent(models.Model):
    """One row per (reservation, hours before the start): the unique key, not a flag read then
    written, is what keeps two overlapping runs of send_reminders from sending it twice."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="reminders")
    hours_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reservation", "hours_before"], name="one_reminder_per_reservation_offset")
        ]

    def __str__(self) -> str:
        return f"reminder {self.hours_before} h before, reservation {self.reservation_id}"


class CalendarFeed(models.Model):
    """A member's private calendar feed: the URL carries a random secret, stored here as its SHA-256."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
