"""Forms render the fields and labels; the rules stay in the API's serializers and the services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from app.accounts.models import AcademicField, AcademicLevel, Organization
from app.bookings.models import Workplace


def _password(label, autocomplete):
    return forms.CharField(label=label, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}))


class PageForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels read "E-mail", not "E-mail:"
        super().__init__(*args, **kwargs)


class _ProfileFields(PageForm):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput({"autocomplete": "tel", "type": "tel"}),
    )
    university = forms.ModelChoiceField(
        label=_("University (optional)"),
        queryset=Organization.objects.all(),
        required=False,
        empty_label=pgettext_lazy("feminine", "None"),
    )
    academic_level = forms.ModelChoiceField(
        label=_("Academic level (with a university)"),
        queryset=AcademicLevel.objects.all(),
        required=False,
        empty_label=pgettext_lazy("masculine", "None"),
    )
    academic_field = forms.ModelChoiceField(
        label=_("Academic field (with a university)"),
        queryset=AcademicField.objects.all(),
        required=False,
        empty_label=pgettext_lazy("masculine", "None"),
    )


class SignUpForm(_ProfileFields):
    email = forms.EmailField(label=_("E-mail"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"}))
    password = _password(_("Password (at least 8 characters)"), "new-password")
    field_order = ["email", "password", "first_name", "last_name", "phone"]


class ProfileForm(_ProfileFields):
    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES)
    birth_date = forms.DateField(
        label=_("Birth date (optional)"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    field_order = ["first_name", "last_name", "phone", "birth_date", "language"]


class LoginForm(PageForm):
    email = forms.CharField(label=_("E-mail"), max_length=254, widget=forms.EmailInput({"autocomplete": "username"}))
    password = _password(_("Password"), "current-password")


class EmailForm(PageForm):
    email = forms.EmailField(label=_("E-mail"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"}))


class NewPasswordForm(PageForm):
    new_password = _password(_("New password"), "new-password")


class PasswordChangeForm(PageForm):
    old_password = _password(_("Current password"), "current-password")
    new_password = _password(_("New password"), "new-password")


class SlotFilterForm(PageForm):
    workplace = forms.ModelChoiceField(
        label=_("Workplace"), queryset=Workplace.objects.all(), required=False, empty_label=_("All workplaces")
    )
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput({"type": "date"}))


class EmailChangeForm(PageForm):
    new_email = forms.EmailField(
        label=_("New e-mail address"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"})
    )
    password = _password(_("Your password"), "current-password")


class CloseAccountForm(PageForm):
    password = _password(_("Your password, to confirm"), "current-password")
