"""`python -m tests.security.seed`: the rows the live-server tests need; prints ids and token keys."""

import json
from datetime import date

import django


def seed():
    from app.accounts.models import AuthToken, User
    from app.bookings.models import Period, Workplace
    from app.store.models import Package

    def person(email, **extra):
        user = User.objects.create_user(
            email=email, password="a-long-passphrase-1", first_name="Sam", last_name="Seed", is_active=True, **extra
        )
        return user, AuthToken.objects.issue(user)[1]

    _, admin_key = person("admin@example.com", is_staff=True, is_superuser=True)
    member, member_key = person("member@example.com")
    person("target@example.com")  # the account the shared lock-out test attacks
    workplace = Workplace.objects.create(
        name="Live Room",
        timezone="America/Montreal",
        seats=5,
        address_line1="1 St",
        city="Montreal",
        state_province="QC",
        postal_code="H0H 0H0",
        country="Canada",
    )
    period = Period.objects.create(
        workplace=workplace, name="Live", start_date=date(2030, 1, 1), end_date=date(2030, 12, 31), is_active=True
    )
    Package.objects.create(name="Ten", price="10.00", tickets=10)
    print(
        json.dumps(
            {
                "admin": admin_key,
                "member": member_key,
                "ids": {"period": period.pk, "member": member.pk, "workplace": workplace.pk},
            },
        )
    )


if __name__ == "__main__":
    django.setup()
    seed()
