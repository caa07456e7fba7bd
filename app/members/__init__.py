"""A member across the domains: what needs accounts, bookings and the store at once.

The domains (`accounts`, `bookings`, `store`) sit side by side below this package: `bookings` and
`store` may use `accounts` (a reservation or an order belongs to a user), but `accounts` imports
neither of them, so the account rules never depend on how seats or orders work and no import
cycle can form between the domains (`tests/core/test_import_rules.py` reads the imports and fails
otherwise). What spans all three is orchestrated here, from above:

| module | what |
|---|---|
| `closing` | a member closes their account: seats freed and refunded, data erased, saved cards removed |
| `data_export` | everything stored about one member, as a JSON file |
| `serializers` | the member's own profile with the memberships they hold (the store's) |
| `views`, `urls` | `GET/PATCH/DELETE /api/users/me/`, `GET /api/users/me/data/` |

Why a module above the domains rather than an extension point (a signal each domain answers):
closing an account is one ordered procedure (check the password, free the seats and erase the
person in one transaction, then touch the card vault after the commit), and reading it in one
module is what lets anyone check that order; a signal would scatter it over three receivers
whose order and transaction nobody sees.
"""
