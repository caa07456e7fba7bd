"""Django admin for bookings. Every write of workplaces, periods, slots and reservations goes
through app/bookings/services/, like the API (pictures are single rows their model validates,
as in the API).

Forms call the services' public checks to show errors next to the fields; saves and deletes call
the same service functions as the API, so a rule lives in one place and says the same words.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import time
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import construct_instance
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from app.accounts.models import User
from app.bookings import selectors
from app.bookings.admin_forms import AttendanceForm, BookMemberForm
from app.bookings.admin_waitlist import waiting_list
from app.bookings.models import Period, Reservation, TimeSlot, Workplace, WorkplacePicture
from app.bookings.services import attendance, batches, periods, reservations, slots, workplaces
from app.core import moments
from app.core.errors import as_validation_error, user_message
from app.core.exceptions import DomainError


def _candidate(form: forms.ModelForm[Any]) -> Any:
    """The instance as it would be saved, without touching the form's own instance yet."""
    return construct_instance(form, copy.copy(form.instance))


def _check(form: forms.BaseForm, rule: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a service check; its error is shown on the form with the API's words."""
    try:
        return rule(*args, **kwargs)
    except DomainError as error:
        raise as_validation_error(error, known_fields=form.fields) from None


class SavedByServiceAdmin(admin.ModelAdmin):
    """Saves and deletes through the service functions named by `save_with` and `delete_with`."""

    save_with: Callable[[Any], Any]
    delete_with: Callable[[Any], None]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        self.save_with(obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_with(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_with(obj)


class WorkplaceForm(forms.ModelForm):
    class Meta:
        model = Workplace
        fields = [f.name for f in Workplace._meta.fields if f.editable and not f.primary_key]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if not self.errors:
            _check(self, workplaces.check_workplace_change, _candidate(self))
        return cleaned


class WorkplacePictureInline(admin.TabularInline):
    model = WorkplacePicture
    extra = 1


@admin.register(Workplace)
class WorkplaceAdmin(SavedByServiceAdmin):
    form = WorkplaceForm
    list_display = ["name", "city", "timezone", "seats"]
    search_fields = ["name", "city"]
    inlines = [WorkplacePictureInline]
    save_with = staticmethod(workplaces.save_workplace)
    delete_with = staticmethod(workplaces.delete_workplace)


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["workplace", "name", "start_date", "end_date", "price", "is_active"]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if not self.errors:
            _check(self, periods.check_period, _candidate(self))
        return cleaned


class BatchForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Days of the week"),
        choices=sorted(WEEKDAYS.items()),  # Monday is 0, as in datetime.weekday(); names in the staff's language
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    ranges = forms.CharField(
        label=gettext_lazy("Time ranges"),
        initial="09:00-12:00, 13:00-17:00",
        help_text=gettext_lazy("Local times in the workplace's time zone, separated by commas."),
    )
    start_date = forms.DateField(
        label=gettext_lazy("start date"), required=False, help_text=gettext_lazy("Empty: the period's first day.")
    )
    end_date = forms.DateField(
        label=gettext_lazy("end date"), required=False, help_text=gettext_lazy("Empty: the period's last day.")
    )
    price = forms.IntegerField(
        label=gettext_lazy("price"),
        min_value=0,
        required=False,
        help_text=gettext_lazy("Tickets; empty: the period's price."),
    )

    def clean_ranges(self) -> list[tuple[time, time]]:
        ranges = []
        for item in filter(None, (part.strip() for part in self.cleaned_data["ranges"].split(","))):
            try:
                first, last = (time.fromisoformat(part.strip()) for part in item.split("-"))
            except ValueError:
                raise ValidationError(_("« %(item)s » is not a range like 09:00-12:00.") % {"item": item}) from None
            ranges.append((first, last))
        if not ranges:
            raise ValidationError(gettext_lazy("Give at least one range."))
        return ranges


@admin.register(Period)
class PeriodAdmin(SavedByServiceAdmin):
    form = PeriodForm
    list_display = ["name", "workplace", "start_date", "end_date", "price", "is_active", "batch_link"]
    list_filter = ["is_active", "workplace"]
    search_fields = ["name", "workplace__name"]
    list_select_related = ["workplace"]
    save_with = staticmethod(periods.save_period)
    delete_with = staticmethod(periods.delete_period)

    @admin.display(description=gettext_lazy("Time slots"))
    def batch_link(self, period: Period) -> str:
        url = reverse("admin:bookings_period_batch", args=[period.pk])
        return format_html('<a href="{}">{}</a>', url, _("Create in batch…"))

    def get_urls(self) -> list[URLPattern]:
        batch = self.admin_site.admin_view(self.batch_view)
        return [path("<int:period_id>/batch/", batch, name="bookings_period_batch"), *super().get_urls()]

    def batch_view(self, request: HttpRequest, period_id: int) -> HttpResponse:
        period = get_object_or_404(Period.objects.select_related("workplace"), pk=period_id)
        if not self.has_change_permission(request, period):
            return redirect("admin:index")
        form = BatchForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                created = batches.batch_create_timeslots(period, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, as_validation_error(error, known_fields=()))
            else:
                count = len(created)
                done = ngettext("%(count)d time slot created.", "%(count)d time slots created.", count)
                self.message_user(request, done % {"count": count}, messages.SUCCESS)
                return redirect(f"{reverse('admin:bookings_timeslot_changelist')}?period__id__exact={period.pk}")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Create time slots for %(period)s") % {"period": period},
            "period": period,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/bookings/period/batch.html", context)


class TimeSlotForm(forms.ModelForm):
    force = forms.BooleanField(
        required=False,
        help_text=gettext_lazy("The slot has reservations: cancel them, refund the members and e-mail them."),
    )
    price = forms.IntegerField(
        min_value=0, required=False, help_text=gettext_lazy("Tickets; empty: the period's price.")
    )

    class Meta:
        model = TimeSlot
        fields = ["period", "start", "end", "price"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        period, start, end = cleaned["period"], cleaned["start"], cleaned["end"]
        slot = self.instance if self.instance.pk else None
        # The admin's change view runs in a transaction: the workplace lock taken here holds until the save.
        _check(self, slots.check_timeslot_change, slot, period, start, end, force=bool(cleaned.get("force")))
        if cleaned.get("price") is None:
            cleaned["price"] = period.price
        return cleaned


@admin.register(TimeSlot)
class TimeSlotAdmin(admin.ModelAdmin):
    form = TimeSlotForm
    list_display = ["__str__", "period", "price", "places_remaining", "removed_at", "attendance_link"]
    list_filter = ["period__workplace", "period", ("removed_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["removed_at", waiting_list]  # type: ignore[list-item]  # the slot's queue (a callable)
    date_hierarchy = "start"
    actions = ["book_member", "force_delete"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TimeSlot]:
        return selectors.timeslots_with_places(include_removed=True)

    @admin.display(description=gettext_lazy("Attendance"))
    def attendance_link(self, slot: TimeSlot) -> str:
        url = reverse("admin:bookings_timeslot_attendance", args=[slot.pk])
        return format_html('<a href="{}">{}</a>', url, _("Sheet"))

    def get_urls(self) -> list[URLPattern]:
        sheet = self.admin_site.admin_view(self.attendance_view)
        return [path("<int:slot_id>/attendance/", sheet, name="bookings_timeslot_attendance"), *super().get_urls()]

    def attendance_view(self, request: HttpRequest, slot_id: int) -> HttpResponse:
        """A printable sheet: each member booked, how to reach them, and whether they came."""
        if not self.has_view_permission(request):
            return redirect("admin:index")
        try:
            slot, booked = attendance.attendance_sheet(slot_id)
        except DomainError:
            raise Http404 from None
        zone = ZoneInfo(slot.period.workplace.timezone)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Attendance: %(slot)s") % {"slot": slot},
            "slot": slot,
            "when": moments.slot_text(slot.start, slot.end, zone),
            "reservations": booked,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/bookings/timeslot/attendance.html", context)

    @admin.action(description=gettext_lazy("Book a member into these time slots…"))
    def book_member(self, request: HttpRequest, queryset: QuerySet[TimeSlot]) -> HttpResponse | None:
        form = BookMemberForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            member, free_reason = form.cleaned_data["member"], form.cleaned_data["free_reason"]
            booked = 0
            for slot in queryset.order_by("start"):
                try:  # the members' own path: every booking rule, the ledger and the e-mail
                    reservations.reserve(member, slot.pk, actor=cast(User, request.user), free_reason=free_reason)
                except DomainError as error:
                    self.message_user(request, f"{slot}: {user_message(error)}", messages.ERROR)
                else:
                    booked += 1
            self.message_user(
                request,
                ngettext(
                    "%(member)s booked into %(count)d time slot.",
                    "%(member)s booked into %(count)d time slots.",
                    booked,
                )
                % {"member": member.email, "count": booked},
                messages.SUCCESS if booked else messages.WARNING,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Book a member"),
            "form": form,
            "media": self.media + form.media,
            "slots": queryset.order_by("start"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/bookings/timeslot/book_member.html", context)

    @admin.display(description=gettext_lazy("Places left"), ordering="places_remaining")
    def places_remaining(self, slot: TimeSlot) -> int:
        return slot.places_remaining  # type: ignore[attr-defined]  # annotated by get_queryset

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            slots.update_timeslot(
                TimeSlot.objects.get(pk=obj.pk),
                period=data["period"],
                start=data["start"],
                end=data["end"],
                price=data.get("price"),
                force=data.get("force", False),
                actor=cast(User, request.user),
            )
        else:
            created = slots.create_timeslot(data["period"], data["start"], data["end"], data["price"])
            obj.pk, obj.local_date = created.pk, created.local_date

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        slots.delete_timeslot(obj, force=False, actor=cast(User, request.user))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # no many-to-many fields; the slot was saved by the service

    # Short: the action menu sets the list's width. The rule: members are e-mailed, and a slot with
    # reservations is kept, marked removed, as their history (docs/staff.md).
    @admin.action(description=gettext_lazy("Delete, cancelling and refunding reservations"))
    def force_delete(self, request: HttpRequest, queryset: QuerySet[TimeSlot]) -> None:
        count = 0
        with transaction.atomic():
            for slot in queryset.filter(removed_at__isnull=True).select_related("period__workplace"):
                slots.delete_timeslot(slot, force=True, actor=cast(User, request.user))
                count += 1
        done = ngettext("%(count)d time slot deleted or removed.", "%(count)d time slots deleted or removed.", count)
        self.message_user(request, done % {"count": count}, messages.SUCCESS)


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    form = AttendanceForm
    list_display = ["id", "user", "timeslot", "status", "price", "booked_by", "is_present", "created"]
    list_editable = ["is_present"]
    list_filter = ["status", "is_present", "timeslot__period__workplace", ("booked_by", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__last_name"]
    list_select_related = ["user", "booked_by", "timeslot__period__workplace"]
    readonly_fields = [
        "user",
        "timeslot",
        "status",
        "price",
        "booked_by",
        "free_reason",
        "created",
        "cancelled_at",
        "cancelled_by",
        "cancelled_because",
    ]
    actions = ["cancel_with_refund"]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        # A refused attendance change: say why at the top, not only "correct the error below".
        formset = getattr(getattr(response, "context_data", {}).get("cl"), "formset", None)
        if request.method == "POST" and formset is not None and formset.is_bound and not formset.is_valid():
            for form in formset.forms:
                for error in (message for messages_ in form.errors.values() for message in messages_):
                    self.message_user(request, f"{form.instance.user}: {error}", messages.ERROR)
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # staff book through the time slots' action or the API, which check seats and tickets

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm[Any]]:
        return AttendanceForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if "is_present" in form.changed_data:
            attendance.mark_attendance(obj, is_present=form.cleaned_data["is_present"], actor=cast(User, request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancel instead: it refunds and keeps the history

    @admin.action(description=gettext_lazy("Cancel with refund"))
    def cancel_with_refund(self, request: HttpRequest, queryset: QuerySet[Reservation]) -> None:
        done = 0
        for reservation in queryset.filter(status=Reservation.Status.ACTIVE):
            try:
                reservations.cancel_reservation(reservation, actor=cast(User, request.user))
            except DomainError as error:
                self.message_user(request, user_message(error), messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d reservation cancelled and refunded.", "%(count)d reservations cancelled and refunded.", done
            )
            % {"count": done},
            messages.SUCCESS,
        )
