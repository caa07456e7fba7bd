"""Forms of the bookings admin's own pages: booking a member (searched like the member list) and
taking attendance in the reservation list."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.translation import gettext_lazy

from app.accounts.models import User
from app.bookings.models import Reservation
from app.bookings.services import attendance
from app.core.errors import as_validation_error
from app.core.exceptions import DomainError


class BookMemberForm(forms.Form):
    # Searched as staff type (name or e-mail), through the member list's own search (autocomplete).
    member = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=AutocompleteSelect(Reservation._meta.get_field("user"), admin.site),
        label=gettext_lazy("Member"),
        help_text=gettext_lazy("Type a name or an e-mail address."),
    )
    free_reason = forms.CharField(
        required=False,
        max_length=200,
        label=gettext_lazy("Free seat, because"),
        help_text=gettext_lazy("Empty: the member's tickets pay. Filled in: the seat is free, for this reason."),
    )


class AttendanceForm(forms.ModelForm):
    """Only attendance changes here, through the service's rule (the slot must have started)."""

    class Meta:
        model = Reservation
        fields = ["is_present"]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if "is_present" in self.changed_data:
            try:
                attendance.check_attendance(self.instance)
            except DomainError as error:
                raise as_validation_error(error, known_fields=self.fields) from None
        return cleaned
