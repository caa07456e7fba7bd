"""Error reports (e-mailed to ADMINS) must never carry secrets or request bodies."""

import re

from django.views.debug import SafeExceptionReporterFilter


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    # Django's list plus AUTH (the Authorization header holds API tokens).
    hidden_settings = re.compile(r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|AUTH|COOKIE|DATABASE_URL", flags=re.I)

    def get_post_parameters(self, request):
        # Passwords, card tokens: no form field of this project is safe to show.
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def is_active(self, request):
        return True
