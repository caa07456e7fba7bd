"""GET/PATCH /api/users/me/ and the admin's /api/users/ endpoints."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from app.accounts.models import AuthToken, TicketMovement, User
from app.accounts.tickets import move_tickets
from tests.conftest import PASSWORD, make_user, token_client

WRITES = ("INSERT", "UPDATE", "DELETE")


def test_me_shows_the_own_profile_without_writing(member_client, member):
    with CaptureQueriesContext(connection) as queries:
        response = member_client.get("/api/users/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == member.email and body["tickets"] == 0
    assert "password" not in body
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_me_needs_a_login(anon_client, db):
    response = anon_client.get("/api/users/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}


def test_member_edits_their_profile(member_client, member):
    response = member_client.patch("/api/users/me/", {"phone": "514-555-0199", "first_name": "Mira"}, format="json")
    assert response.status_code == 200, response.json()
    member.refresh_from_db()
    assert (member.phone, member.first_name) == ("514-555-0199", "Mira")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tickets", 100),
        ("membership_end", "2099-01-01T00:00:00Z"),
        ("is_staff", True),
        ("is_superuser", True),
        ("is_active", False),
        ("email", "other@example.com"),
        ("password", "new-long-passphrase"),
    ],
)
def test_member_cannot_change_protected_fields(member_client, member, field, value):
    response = member_client.patch("/api/users/me/", {field: value, "first_name": "Changed"}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    member.refresh_from_db()
    assert (member.first_name, member.tickets, member.is_staff, member.email) == ("Mia", 0, False, "member@example.com")


def test_profile_edit_does_not_overwrite_a_balance_changed_meanwhile(member_client, member):
    # The PATCH writes only the columns sent: never a stale `tickets` read at authentication.
    with CaptureQueriesContext(connection) as queries:
        member_client.patch("/api/users/me/", {"phone": "1"}, format="json")
    updates = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert updates and all('"tickets"' not in sql for sql in updates)


def test_member_joining_a_university_needs_its_domain(member_client, university, level, field):
    data = {"university": university.pk, "academic_level": level.pk, "academic_field": field.pk}
    response = member_client.patch("/api/users/me/", data, format="json")
    assert response.status_code == 400
    assert "umontreal.ca" in response.json()["fields"]["email"][0].lower()


def test_university_member_keeps_level_and_field(db, university, level, field):
    student = make_user(email="s@umontreal.ca", university=university, academic_level=level, academic_field=field)
    response = token_client(student).patch("/api/users/me/", {"academic_level": None}, format="json")
    assert response.status_code == 400
    assert "academic_level" in response.json()["fields"]


def test_only_admins_list_users(anon_client, member_client):
    anonymous = anon_client.get("/api/users/")
    assert anonymous.status_code == 401 and anonymous.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    for url in ("/api/users/", f"/api/users/{member_client.user.pk}/"):
        response = member_client.get(url)
        assert response.status_code == 403 and response.json() == {
            "detail": "You do not have permission to perform this action.",
            "code": "permission_denied",
        }


def test_admin_lists_and_searches_users(admin_client_api, member):
    make_user(email="zoe@example.com", first_name="Zoé", last_name="Writer")
    body = admin_client_api.get("/api/users/?search=writ").json()
    assert [u["email"] for u in body["results"]] == ["zoe@example.com"]
    assert admin_client_api.get("/api/users/").json()["count"] == 3


def test_admin_sets_a_balance_through_the_ledger(admin_client_api, staff_user, member):
    response = admin_client_api.patch(f"/api/users/{member.pk}/", {"tickets": 7}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["tickets"] == 7
    movement = TicketMovement.objects.get(user=member)
    assert (movement.delta, movement.balance_after, movement.actor) == (7, 7, staff_user)


def test_admin_balance_is_set_from_the_current_balance(admin_client_api, member):
    move_tickets(member, 5, TicketMovement.Reason.PURCHASE)
    admin_client_api.patch(f"/api/users/{member.pk}/", {"tickets": 3, "phone": "2"}, format="json")
    member.refresh_from_db()
    assert member.tickets == 3
    assert [m.delta for m in TicketMovement.objects.filter(user=member).order_by("id")] == [5, -2]


def test_negative_balance_is_refused(admin_client_api, member):
    response = admin_client_api.patch(f"/api/users/{member.pk}/", {"tickets": -1}, format="json")
    assert response.status_code == 400 and "tickets" in response.json()["fields"]
    assert not TicketMovement.objects.exists()


def test_admin_cannot_grant_staff_through_the_api(admin_client_api, member):
    response = admin_client_api.patch(f"/api/users/{member.pk}/", {"is_staff": True}, format="json")
    assert response.status_code == 400 and "is_staff" in response.json()["fields"]


def test_put_is_not_offered(admin_client_api, member):
    response = admin_client_api.put(f"/api/users/{member.pk}/", {}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.', "code": "method_not_allowed"}


def test_delete_deactivates_and_revokes_tokens(admin_client_api, member_client, member):
    assert admin_client_api.delete(f"/api/users/{member.pk}/").status_code == 204
    member.refresh_from_db()
    assert member.is_active is False
    assert not AuthToken.objects.filter(user=member).exists()
    refused = member_client.get("/api/users/me/")
    assert refused.status_code == 401 and refused.json() == {
        "detail": "Invalid token.",
        "code": "authentication_failed",
    }
    assert User.objects.filter(pk=member.pk).exists()


def test_patch_inactive_also_revokes_tokens(admin_client_api, member_client, member):
    response = admin_client_api.patch(f"/api/users/{member.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    refused = member_client.get("/api/users/me/")
    assert refused.status_code == 401 and refused.json() == {
        "detail": "Invalid token.",
        "code": "authentication_failed",
    }


def test_admin_cannot_deactivate_themselves(admin_client_api, staff_user):
    deleted = admin_client_api.delete(f"/api/users/{staff_user.pk}/")
    assert deleted.status_code == 400
    assert deleted.json()["detail"] == "You cannot deactivate your own account."
    response = admin_client_api.patch(f"/api/users/{staff_user.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["is_active"] == ["You cannot deactivate your own account."]
    staff_user.refresh_from_db()
    assert staff_user.is_active


def test_unknown_user_is_a_404(admin_client_api):
    response = admin_client_api.get("/api/users/999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}  # translated, as every 404


def test_sign_up_is_throttled_per_client(db):
    from rest_framework.settings import api_settings
    from rest_framework.test import APIClient

    limit = int(api_settings.DEFAULT_THROTTLE_RATES["signup"].split("/")[0])
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    data = {"password": PASSWORD, "first_name": "A", "last_name": "B"}
    statuses = [
        client.post("/api/users/", {**data, "email": f"u{i}@example.com"}, format="json").status_code
        for i in range(limit + 1)
    ]
    assert statuses == [201] * limit + [429]
    assert User.objects.count() == limit


def test_admin_cannot_give_a_member_another_members_email(admin_client_api, member):
    other = make_user(email="other@example.com")
    response = admin_client_api.patch(f"/api/users/{other.pk}/", {"email": "Member@Example.com"}, format="json")
    assert response.status_code == 400 and "email" in response.json()["fields"]
    other.refresh_from_db()
    assert other.email == "other@example.com"
