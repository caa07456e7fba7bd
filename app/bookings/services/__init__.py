"""The bookings' rules, one module per concern. Views, admin, commands and other domains call these;
nothing else writes a workplace, a period, a time slot or a reservation.

| module | what |
|---|---|
| `common` | the workplace lock, local days and wall-clock times, deleting what nothing reserved |
| `workplaces` | saving and deleting a workplace (seats, time zone) |
| `periods` | a period's dates, overlap with other active periods, its slots inside it |
| `slots` | creating, moving and removing one time slot (forced changes refund and tell members) |
| `batches` | many slots at once from weekdays and local time ranges (DST-aware) |
| `reservations` | taking a seat, cancelling it, the tickets through the ledger |
| `staff_bookings` | whom a staff member books for |
| `attendance` | who came, taken by staff once a slot has started |

What members are told about their seats (every booking, cancellation and move, with the calendar
entry) is `app.bookings.notices`; waiting lists, moves and reminders have modules of their own
(`waitlist`, `moving`, `reminders`), which these services call through small hooks.

The reads shared by the API and the pages (a slot's places and availability for a member) are in
`app.bookings.selectors`.

Every rule that spans rows runs in one transaction with a row locked first:
- the workplace row for anything that must not overlap (periods, slots);
- the time slot row for reservations, so that two requests for the last seat queue up
  on PostgreSQL instead of both seeing a free seat (sqlite serializes writers anyway).
Rule violations raise `app.core.exceptions` (Invalid, InUse...); `app.core.errors` maps them to
the API's status and JSON, and the admin shows the same message (`as_form_error`).
"""
