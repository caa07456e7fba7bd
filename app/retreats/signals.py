"""Signals other apps may follow without this app importing them.

`dates_changed(sender=Retreat, retreat=...)`: a retreat's dates were written (created, replaced
through the API, changed in the admin's inline), once per change; the staff app's history records
the new dates on the retreat's history (app/staff/apps.py).
"""

from django.dispatch import Signal

dates_changed = Signal()
