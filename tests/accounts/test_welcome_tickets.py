"""Welcome tickets: SIGNUP_TICKETS given once, through the ledger, at activation."""

from urllib.parse import unquote

from app.accounts.models import TicketMovement, User
from tests.accounts.conftest import sign_up_data, token_from_last_email


def _sign_up_and_activate(client):
    assert client.post("/api/users/", sign_up_data(), format="json").status_code == 201
    token = unquote(token_from_last_email())
    response = client.post("/api/users/activate/", {"token": token}, format="json")
    assert response.status_code == 200, response.json()
    return token, response.json()["token"]


def _me(client, key):
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = client.get("/api/users/me/").json()
    client.credentials()
    return body


def test_activation_gives_the_welcome_tickets_through_the_ledger(anon_client, db, settings):
    settings.SIGNUP_TICKETS = 2
    _, key = _sign_up_and_activate(anon_client)
    assert _me(anon_client, key)["tickets"] == 2
    movement = TicketMovement.objects.get(user__email="new@example.com")
    assert (movement.delta, movement.balance_after, movement.reason) == (2, 2, "welcome")


def test_no_welcome_tickets_by_default(anon_client, db):
    _, key = _sign_up_and_activate(anon_client)
    assert _me(anon_client, key)["tickets"] == 0
    assert not TicketMovement.objects.exists()


def test_reusing_the_activation_link_never_gives_twice(anon_client, db, settings):
    settings.SIGNUP_TICKETS = 3
    token, key = _sign_up_and_activate(anon_client)
    again = anon_client.post("/api/users/activate/", {"token": token}, format="json")
    assert again.status_code == 400
    assert "already been used" in again.json()["fields"]["token"][0]
    assert _me(anon_client, key)["tickets"] == 3
    assert TicketMovement.objects.filter(reason="welcome").count() == 1


def test_an_admin_reactivating_an_account_gives_nothing_more(anon_client, admin_client_api, db, settings):
    settings.SIGNUP_TICKETS = 1
    _sign_up_and_activate(anon_client)
    user = User.objects.get(email="new@example.com")
    assert admin_client_api.patch(f"/api/users/{user.pk}/", {"is_active": False}, format="json").status_code == 200
    response = admin_client_api.patch(f"/api/users/{user.pk}/", {"is_active": True}, format="json")
    assert response.status_code == 200
    assert response.json()["tickets"] == 1


def test_auto_activated_accounts_get_them_at_sign_up(anon_client, db, settings):
    settings.SIGNUP_TICKETS = 1
    settings.AUTO_ACTIVATE_USER = True
    assert anon_client.post("/api/users/", sign_up_data(), format="json").status_code == 201
    login = anon_client.post(
        "/api/auth/token/", {"email": "new@example.com", "password": sign_up_data()["password"]}, format="json"
    )
    assert _me(anon_client, login.json()["token"])["tickets"] == 1
