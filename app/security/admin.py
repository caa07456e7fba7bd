"""Imported with the other apps' admin modules (app/core/admin_site.py): the admin's login form."""

from django.contrib import admin

from app.security.admin_login import LockoutAdminAuthenticationForm

# /admin/login/ goes through the same lock-out as the API login.
admin.site.login_form = LockoutAdminAuthenticationForm
