"""Delete expired API tokens: they can never authenticate again, and the table would only grow.

Run on a clock in each stage (Zappa `events`, app.core.scheduled) and safe to run at any time.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from app.accounts.models import AuthToken


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set per instance: BaseCommand.help is a str, and the language is active by now.
        self.help = _("Delete expired API tokens.")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, _per_model = AuthToken.objects.filter(expires_at__lte=timezone.now()).delete()
        self.stdout.write(
            ngettext(
                "clear_expired_tokens: %(count)d expired token deleted",
                "clear_expired_tokens: %(count)d expired tokens deleted",
                deleted,
            )
            % {"count": deleted}
        )
