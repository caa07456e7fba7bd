"""Change history of the records staff manage (django-simple-history), kept in this app's tables.

Every `save()` and `delete()` of a registered model writes one historical row: who (the request's
user, API token users included, or the actor a service names), when, and every field's value, so
the admin's history page shows what changed between two rows. Nothing is written on reads.

Two kinds of change do not go through `save()` and are recorded here explicitly:
- a ticket balance moves with a conditional `UPDATE` (app/accounts/tickets.py) and the ledger
  (TicketMovement: who, when, change, balance after, why) is its history: the member's history
  page shows it beside the row's changes. Copying each movement into the user's history table
  would cost two more queries per reservation (over the booking benchmark's target);
- a many-to-many change (a membership's academic levels, a package's exclusive memberships)
  adds a row whose reason names the new set: simple_history's own m2m tracking would cost two
  queries per row on the history page;
- a `QuerySet.update()` on a tracked model (an order marked paid, failed or refunded, an account
  activated, a membership's end moved): the model's manager reads the rows it will change (locked,
  as the UPDATE would lock them), updates them, then adds a history row for each. Updates of
  fields the history leaves out (the balance, which the ledger records; the password hash) are
  left as they are.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext
from simple_history.models import HistoricalRecords

# Saves that only touch these fields leave no history row: logging in writes `last_login`.
UNTRACKED_SAVES = frozenset({"last_login"})

_records_by_model = {}


class StaffHistoricalRecords(HistoricalRecords):
    """simple_history's records, reachable per model, and silent on logins."""

    def finalize(self, sender: Any, **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if self.cls is sender:
            _records_by_model[sender] = self

    def post_save(
        self, instance: Model, created: bool, using: str | None = None, update_fields: Any = None, **kwargs: Any
    ) -> None:
        if update_fields and set(update_fields) <= UNTRACKED_SAVES:
            return
        super().post_save(instance, created, using=using, update_fields=update_fields, **kwargs)


def record_current_state(model: Any, pks: Iterable[Any], *, actor: Any = None, reason: str = "") -> None:
    """Add a history row with the current state of each row in `pks` (after an `.update()`)."""
    for instance in model._default_manager.filter(pk__in=list(pks)):
        _record(instance, actor=actor, reason=reason)


def _record(instance: Any, *, actor: Any = None, reason: str = "") -> None:  # a tracked model instance
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason
    _records_by_model[type(instance)].create_historical_record(instance, "~")


def record_m2m_change(
    sender: Any, instance: Model, action: str, reverse: bool, model: type[Model], pk_set: Any = None, **kwargs: Any
) -> None:
    """m2m_changed of a tracked many-to-many field: a history row saying what the set is now."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        _record_set(instance, sender)
    elif pk_set:  # changed from the other side: each owner whose set changed
        for owner in model._default_manager.filter(pk__in=pk_set):
            _record_set(owner, sender)


def _record_set(owner: Model, through: type[Model]) -> None:
    field = next(f for f in owner._meta.many_to_many if f.remote_field.through is through)
    names = sorted(str(item) for item in getattr(owner, field.name).all())
    reason = gettext("%(field)s: %(values)s") % {
        "field": str(field.verbose_name).capitalize(),
        "values": ", ".join(names) or gettext("none"),
    }
    _record(owner, reason=reason)


def record_updates(model: type[Model], untracked_fields: Iterable[str] = ()) -> None:
    """Make `model.objects.filter(...).update(...)` add a history row for each row it changes."""
    manager = model._default_manager
    quiet = frozenset(untracked_fields)
    base: type[QuerySet[Any]] = type(manager.get_queryset())

    def update(self: QuerySet[Any], **kwargs: Any) -> int:
        if set(kwargs) <= quiet:
            return base.update(self, **kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.select_for_update(of=("self",)).values_list("pk", flat=True))
            if not pks:
                return 0
            count = base.update(self, **kwargs)
            record_current_state(model, pks)
        return count

    # A subclass made at run time: the manager's queryset class differs from model to model.
    # Django keeps it in a private attribute (not in django-stubs): the manager's querysets use it.
    manager._queryset_class = type(  # type: ignore[attr-defined]
        f"HistoryRecording{base.__name__}", (base,), {"update": update}
    )


def record_dates(sender: Any, retreat: Any, **kwargs: Any) -> None:
    """A retreat's dates changed (app/retreats/signals.py): a history row of the retreat naming them.

    Its dates are rows of their own, replaced together: one row saying what they are now reads
    better than a history per date."""
    zone = retreat.zone
    dates = [
        f"{date.start.astimezone(zone):%Y-%m-%d %H:%M} → {date.end.astimezone(zone):%Y-%m-%d %H:%M}"
        for date in retreat.dates.order_by("start")
    ]
    reason = gettext("%(field)s: %(values)s") % {
        "field": gettext("Dates (%(zone)s)") % {"zone": retreat.timezone},
        "values": ", ".join(dates) or gettext("none"),
    }
    _record(retreat, reason=reason)
