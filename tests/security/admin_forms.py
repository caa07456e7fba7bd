"""Admin writes with dates out of range, shared by the sqlite and PostgreSQL tests.

Each entry: (name, path with "{period}"/"{member}" placeholders, form data, the message the
page must show). Saving one of them used to fail, or worse, store a moment whose UTC form lies
in year 10000, after which every page that loads the row failed.
"""

OUT_OF_RANGE = "Give a date between 1900-01-01 and 2999-12-31."

ADMIN_WRITES = [
    (
        "membership ending in year 9999",
        "/admin/accounts/user/{member}/change/",
        {
            "email": "member@example.com",
            "first_name": "Mia",
            "last_name": "Member",
            "tickets": "0",
            "membership_end_0": "9999-12-31",
            "membership_end_1": "23:59",
            "is_active": "on",
        },
    ),
    (
        "period in year 9999",
        "/admin/bookings/period/add/",
        {"workplace": "{workplace}", "name": "Far", "start_date": "9999-12-30", "end_date": "9999-12-31", "price": "1"},
    ),
    (
        "period in year 1",
        "/admin/bookings/period/add/",
        {
            "workplace": "{workplace}",
            "name": "Early",
            "start_date": "0001-01-01",
            "end_date": "0001-01-02",
            "price": "1",
        },
    ),
]


def fill(data, ids):
    return {key: value.format(**ids) for key, value in data.items()}
