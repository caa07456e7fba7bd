from django.apps import AppConfig
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext_lazy as _

# The ledger (TicketMovement) adds the member's history row for a balance change.
UPDATES_LEFT_TO_LEDGER = {"accounts.user": ["tickets"]}


class StaffConfig(AppConfig):
    name = "app.staff"
    label = "staff"
    verbose_name = _("Staff tools")

    def ready(self) -> None:
        from app.retreats.signals import dates_changed  # a one-line module: no cost at start-up
        from app.staff import checks, history
        from app.staff.models import TRACKED, TRACKED_M2M

        checks.refuse_credentials_with_any_origin()
        dates_changed.connect(history.record_dates, dispatch_uid="staff-retreat-dates")
        for descriptor in TRACKED_M2M:
            through = descriptor.through
            m2m_changed.connect(history.record_m2m_change, sender=through, dispatch_uid=f"staff-m2m-{through}")
        for model, options in TRACKED.items():
            history.record_updates(
                model,
                untracked_fields=[
                    *options.get("excluded_fields", []),
                    *UPDATES_LEFT_TO_LEDGER.get(model._meta.label_lower, []),
                ],
            )
