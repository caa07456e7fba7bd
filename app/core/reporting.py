"""Error reports (e-mailed to ADMINS) must never carry secrets or request bodies."""

import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    # Django's list plus AUTH (the Authorization header holds API tokens).
    hidden_settings = re.compile(r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|AUTH|COOKIE|DATABASE_URL", flags=re.I)

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        # Passwords, card tokens: no form field of this project is safe to show.
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def is_active(self, request: HttpRequest | None) -> bool:
        return True
