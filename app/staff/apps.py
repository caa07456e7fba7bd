from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_save
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "app.staff"
    label = "staff"
    verbose_name = _("Staff tools")

    def ready(self):
        from app.accounts.models import TicketMovement
        from app.staff import checks, history
        from app.staff.models import TRACKED_M2M

        checks.refuse_credentials_with_any_origin()
        post_save.connect(history.record_ticket_movement, sender=TicketMovement, dispatch_uid="staff-ticket-history")
        for descriptor in TRACKED_M2M:
            through = descriptor.through
            m2m_changed.connect(history.record_m2m_change, sender=through, dispatch_uid=f"staff-m2m-{through}")
