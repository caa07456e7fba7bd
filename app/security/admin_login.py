"""`/admin/login/` with the same login rate and lock-out as the API and the pages
(`app.security.throttles.attempt_allowed`, `app.security.login.check_login`)."""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from app.security.login import LoginLocked, check_login
from app.security.throttles import attempt_allowed


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            allowed, _wait = attempt_allowed(self.request, "login")  # type: ignore[arg-type]  # the login view passes it
            if not allowed:
                raise ValidationError(LoginLocked(_wait).message, code="throttled")
            try:
                self.user_cache = check_login(self.request, username, password)
            except LoginLocked as locked:
                raise ValidationError(locked.message, code="locked") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
