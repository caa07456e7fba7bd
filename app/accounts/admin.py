from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization, TicketMovement, User
from app.accounts.tickets import set_tickets


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


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "tickets", "membership_end", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "university"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "closed_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "phone", "birth_date"]}),
        ("University", {"fields": ["university", "academic_level", "academic_field"]}),
        ("Store", {"fields": ["tickets", "membership_end"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined", "closed_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        # A balance typed in the admin goes through the ledger like every other movement, and the
        # form's full save must not put back the balance read when the form was opened: the row is
        # locked and its current balance kept, so a purchase made meanwhile is not lost.
        if not change:
            return super().save_model(request, obj, form, change)
        typed = obj.tickets if "tickets" in form.changed_data else None
        with transaction.atomic():
            obj.tickets = User.objects.select_for_update().values_list("tickets", flat=True).get(pk=obj.pk)
            super().save_model(request, obj, form, change)
            if typed is not None:
                set_tickets(obj, typed, actor=request.user, reference="admin")

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "password1", "password2"]})
    ]


@admin.register(TicketMovement)
class TicketMovementAdmin(admin.ModelAdmin):
    list_display = ["created", "user", "delta", "balance_after", "reason", "reference", "actor"]
    list_filter = ["reason"]
    search_fields = ["user__email", "reference"]

    def has_change_permission(self, request, obj=None):
        return False  # the ledger is append-only

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
