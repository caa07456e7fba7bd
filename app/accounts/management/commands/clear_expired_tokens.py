"""Delete expired API tokens: they can never authenticate again, and the table would only grow.

Run on a clock in each stage (Zappa `events`, app.core.scheduled) and safe to run at any time.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from app.accounts.models import AuthToken


class Command(BaseCommand):
    help = gettext_lazy("Delete expired API tokens.")

    def handle(self, *args, **options):
        deleted, _per_model = AuthToken.objects.filter(expires_at__lte=timezone.now()).delete()
        self.stdout.write(_("clear_expired_tokens: %(count)d expired token(s) deleted") % {"count": deleted})
