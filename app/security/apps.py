from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "app.security"
    label = "security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib import admin

        from app.security.admin_login import LockoutAdminAuthenticationForm

        # /admin/login/ goes through the same lock-out as the API login.
        admin.site.login_form = LockoutAdminAuthenticationForm
