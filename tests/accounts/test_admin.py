"""The Django admin for members and organizations."""

import pytest

from app.accounts.models import Organization, TicketMovement, User
from tests.conftest import PASSWORD, make_user


def test_users_are_searchable_by_email_and_name(staff_browser, member):
    make_user(email="zoe@example.com", first_name="Zoé", last_name="Writer")
    page = staff_browser.get("/admin/accounts/user/?q=writer").content.decode()
    assert "zoe@example.com" in page and "member@example.com" not in page


def test_admin_adds_a_member_with_email_login(staff_browser):
    response = staff_browser.post(
        "/admin/accounts/user/add/",
        {
            "email": "Added@Example.com",
            "first_name": "Ad",
            "last_name": "Ded",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email__iexact="added@example.com").check_password(PASSWORD)


def test_admin_refuses_a_duplicate_email_whatever_its_case(staff_browser, member):
    response = staff_browser.post(
        "/admin/accounts/user/add/",
        {
            "email": "MEMBER@example.com",
            "first_name": "Du",
            "last_name": "Plicate",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "user_email_ci_unique" in response.content.decode()  # the case-insensitive unique constraint
    assert User.objects.filter(email__iexact="member@example.com").count() == 1


def test_a_balance_typed_in_the_admin_goes_through_the_ledger(staff_browser, member, staff_user):
    page = staff_browser.get(f"/admin/accounts/user/{member.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(tickets=4, is_active="on", date_joined_0="2026-01-01", date_joined_1="00:00:00")
    data = {k: v for k, v in data.items() if k not in ("groups", "user_permissions", "last_login", "date_joined")}
    response = staff_browser.post(f"/admin/accounts/user/{member.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.tickets == 4
    assert TicketMovement.objects.get(user=member).actor == staff_user


def test_organizations_list_with_their_domains(staff_browser, university):
    page = staff_browser.get(f"/admin/accounts/organization/{university.pk}/change/").content.decode()
    assert "umontreal.ca" in page
    assert staff_browser.get("/admin/accounts/organization/?q=umontreal").status_code == 200
    assert Organization.objects.count() == 1


def _change_form_data(staff_browser, user, **changes):
    page = staff_browser.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data = {k: v for k, v in data.items() if k not in ("groups", "user_permissions", "last_login", "date_joined")}
    data.update(is_active="on", is_staff="on" if user.is_staff else "", **changes)
    return {k: v for k, v in data.items() if v != ""}


def test_deactivating_a_member_in_the_admin_also_logs_them_out(staff_browser, member, member_client):
    data = _change_form_data(staff_browser, member)
    del data["is_active"]
    response = staff_browser.post(f"/admin/accounts/user/{member.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert not member.is_active
    # The same service as DELETE /api/users/<id>/: the member's API tokens are revoked.
    assert member_client.get("/api/users/me/").json()["detail"] == "Invalid token."


def test_the_admin_refuses_to_deactivate_your_own_account_with_the_api_message(staff_browser, staff_user):
    data = _change_form_data(staff_browser, staff_user, is_superuser="on")
    del data["is_active"]
    response = staff_browser.post(f"/admin/accounts/user/{staff_user.pk}/change/", data)
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.is_active


@pytest.mark.django_db(transaction=True)  # as served: no test transaction for the failed write to break
def test_renaming_an_organization_to_another_s_name_in_other_case_is_a_409_not_a_500(admin_client_api):
    # Found by the fuzz run: the case-insensitive unique constraint has no validator in front of it.
    Organization.objects.create(name="McGill")
    other = Organization.objects.create(name="Concordia")
    admin_client_api.raise_request_exception = False
    response = admin_client_api.put(f"/api/organizations/{other.pk}/", {"name": "MCGILL"}, format="json")
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]
    assert Organization.objects.get(pk=other.pk).name == "Concordia"
