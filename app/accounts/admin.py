"""Django admin for accounts. Changes to a member go through `services.update_member`, like the API."""

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import ManyToManyField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from app.accounts import services
from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization, TicketMovement, User
from app.core.errors import as_validation_error
from app.core.exceptions import DomainError


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "is_university"]
    search_fields = ["name", "domains__name"]
    inlines = [DomainInline]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    search_fields = ["name", "organization__name"]


admin.site.register(AcademicLevel, search_fields=["name"])
admin.site.register(AcademicField, search_fields=["name"])


class CanonicalEmailMixin:
    """The address in its canonical form before the uniqueness check; look-alikes and the closed
    domain refused (`services.check_new_email`), as on sign-up and e-mail change."""

    # Given by the form class this is mixed into.
    cleaned_data: dict[str, Any]
    instance: User
    fields: dict[str, Any]

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        if self.instance.pk and email == self.instance.email:
            return email  # unchanged (a closed account's address stays as it is)
        try:
            return services.check_new_email(email)
        except DomainError as error:
            raise as_validation_error(error, known_fields=self.fields) from None


class MemberCreationForm(CanonicalEmailMixin, AdminUserCreationForm):
    pass


class MemberChangeForm(CanonicalEmailMixin, UserChangeForm):
    actor: User | None = None

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.cleaned_data.get("is_active") is False and self.instance.is_active:
            try:
                services.check_deactivation(self.instance, actor=self.actor)
            except DomainError as error:
                raise as_validation_error(error, known_fields=self.fields) from None
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "tickets", "membership_end", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "university"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "closed_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["first_name", "last_name", "phone", "birth_date"]}),
        (_("University"), {"fields": ["university", "academic_level", "academic_field"]}),
        (pgettext_lazy("admin section", "Store"), {"fields": ["tickets", "membership_end"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined", "closed_at"]}),
    ]

    form = MemberChangeForm
    add_form = MemberCreationForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # The form checks deactivation against who is making the change (the admin never deactivates themselves).
        return type(form.__name__, (form,), {"actor": request.user}) if change else form

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            return super().save_model(request, obj, form, change)
        # Only the columns changed on the form (many-to-many ones are saved by save_related).
        columns = {f.name for f in User._meta.get_fields() if f.concrete and not isinstance(f, ManyToManyField)}
        changes = {name: getattr(obj, name) for name in form.changed_data if name in columns}
        services.update_member(obj, changes, actor=cast(User, request.user), reference="admin")

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "password1", "password2"]})
    ]


@admin.register(TicketMovement)
class TicketMovementAdmin(admin.ModelAdmin):
    list_display = ["created", "user", "delta", "balance_after", "reason", "reference", "actor"]
    list_filter = ["reason"]
    search_fields = ["user__email", "reference"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the ledger is append-only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
