"""Forms render the fields and labels and check the input's shape; the rules are the services'
validators (the same the API's serializers and the admin call), whose messages land on the fields."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from app.accounts import services as accounts
from app.accounts.models import AcademicField, AcademicLevel, Organization, User
from app.bookings.models import Workplace
from app.core.errors import as_validation_error
from app.core.exceptions import Invalid
from app.security.validators import validate_date_in_range, validate_plain_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _password(label: "StrOrPromise", autocomplete: str) -> forms.CharField:
    return forms.CharField(label=label, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}))


class PageForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels read "E-mail", not "E-mail:"
        super().__init__(*args, **kwargs)


class _ProfileFields(PageForm):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        validators=[validate_plain_name],
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        validators=[validate_plain_name],
        widget=forms.TextInput({"autocomplete": "family-name"}),
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

    def _apply(self, *checks: Callable[[], object]) -> None:
        """Run the services' validators; each refusal's messages go next to their fields."""
        for check in checks:
            try:
                check()
            except Invalid as error:
                for name, messages in as_validation_error(error, known_fields=self.fields).error_dict.items():
                    for message in messages:
                        self.add_error(None if name == "__all__" else name, message)


class SignUpForm(_ProfileFields):
    email = forms.EmailField(label=_("E-mail"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"}))
    password = _password(_("Password (at least 8 characters)"), "new-password")
    field_order = ["email", "password", "first_name", "last_name", "phone"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("email"):  # its canonical form, or refused (look-alike letters, the closed-account domain)
            self._apply(lambda: data.update(email=accounts.check_new_email(data["email"])))
        email, password = data.get("email") if "email" not in self.errors else None, data.get("password")
        candidate = User(email=email or "", first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
        self._apply(
            lambda: accounts.check_email_free(email) if email else None,
            lambda: accounts.check_new_password(password, candidate, field="password") if password else None,
            lambda: accounts.check_university(
                email or "", data.get("university"), data.get("academic_level"), data.get("academic_field")
            ),
        )
        return data


class ProfileForm(_ProfileFields):
    """The member's own profile: `user` is whose (the university must match their e-mail)."""

    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES, required=False)
    birth_date = forms.DateField(
        label=_("Birth date (optional)"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_date_in_range],
    )
    field_order = ["first_name", "last_name", "phone", "birth_date", "language"]

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        email = self.user.email if self.user is not None else ""
        self._apply(
            lambda: accounts.check_refused(self.data.keys(), accounts.MEMBER_REFUSED),
            lambda: accounts.check_university(
                email, data.get("university"), data.get("academic_level"), data.get("academic_field")
            ),
        )
        return data

    def changes(self) -> dict[str, Any]:
        """What the page sent, cleaned: a field left out (an older page, a script) keeps its value."""
        sent = {name: value for name, value in self.cleaned_data.items() if name in self.data}
        if not sent.get("language"):  # never blank: e-mails are written in it
            sent.pop("language", None)
        return sent


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
