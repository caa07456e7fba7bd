"""Inputs that used to break the app, one per class, each with what the client must see.

Shared by the sqlite test (Django's test client) and the PostgreSQL test (a live server), so
both databases answer the very same requests. `who` is "anon", "member" or "admin" (token);
"{period}" and "{member}" in paths and bodies are replaced by ids of the seeded rows.
"""

import json

DEEP = "[" * 50_000 + "]" * 50_000
BIG = "9" * 30  # beyond 64 bits


class Case:
    def __init__(self, name, who, method, path, *, body=None, raw=None, headers=None, status=400, names=None):
        self.name, self.who, self.method, self.path = name, who, method, path
        self.body, self.raw, self.headers = body, raw, headers or {}
        self.status, self.names = status, names  # `names`: the field, parameter or header the answer names

    def __repr__(self):
        return self.name

    def fill(self, ids):
        path = self.path.format(**ids)
        if self.raw is not None:
            return path, self.raw
        body = (
            None if self.body is None else json.loads(json.dumps(self.body).replace("__period__", str(ids["period"])))
        )
        return path, None if body is None else json.dumps(body)


CASES = [
    # Nesting
    Case("deeply nested JSON", "anon", "POST", "/api/auth/token/", raw=DEEP, names="detail"),
    Case("nested JSON past the depth limit", "member", "PATCH", "/api/users/me/", raw='{"a":' * 40 + "1" + "}" * 40),
    # Numeric range
    Case("integer filter beyond 64 bits", "anon", "GET", f"/api/timeslots/?period={BIG}", names="period"),
    Case("offset beyond 64 bits", "anon", "GET", f"/api/timeslots/?offset={BIG}", names="offset"),
    Case("admin filter beyond 64 bits", "admin", "GET", f"/api/reservations/?user={BIG}", names="user"),
    Case(
        "body integer beyond 64 bits",
        "admin",
        "PATCH",
        "/api/users/{member}/",
        body={"tickets": 2**70},
        names="tickets",
    ),
    Case(
        "body integer beyond the column",
        "admin",
        "PATCH",
        "/api/users/{member}/",
        body={"tickets": 2**40},
        names="tickets",
    ),
    # Control characters, NUL included
    Case("NUL in a search", "admin", "GET", "/api/users/?search=a%00b", names="search"),
    Case("NUL in an admin search", "admin", "GET", "/admin/accounts/user/?q=a%00b", names="q"),
    Case(
        "NUL in a header",
        "member",
        "POST",
        "/api/orders/",
        body={"lines": [{"product": "package", "id": 1}], "single_use_token": "test-visa"},
        headers={"Idempotency-Key": "a\x00b"},
        names="Idempotency-Key",
    ),
    Case(
        "NUL in a body field",
        "anon",
        "POST",
        "/api/password/reset/",
        body={"email": "a\x00@example.com"},
        names="email",
    ),
    Case(
        "bidi override in a name",
        "member",
        "PATCH",
        "/api/users/me/",
        body={"first_name": "Mia\u202e"},
        names="first_name",
    ),
    Case(
        "control character in a name",
        "member",
        "PATCH",
        "/api/users/me/",
        body={"last_name": "A\x07B"},
        names="last_name",
    ),
    # Dates and offsets
    Case(
        "impossible UTC offset",
        "admin",
        "POST",
        "/api/timeslots/",
        body={"period": "__period__", "start": "2030-03-08T09:00:00+25:00", "end": "2030-03-08T10:00:00+25:00"},
        names="start",
    ),
    # Size
    Case(
        "JSON body over the limit",
        "anon",
        "POST",
        "/api/auth/token/",
        raw=json.dumps({"email": "a@example.com", "password": "x" * (2 * 1024 * 1024)}),
        status=413,
        names="detail",
    ),
    Case(
        "password over 128 characters",
        "anon",
        "POST",
        "/api/users/",
        body={"email": "long@example.com", "password": "p" * 129, "first_name": "L", "last_name": "P"},
        names="password",
    ),
]
