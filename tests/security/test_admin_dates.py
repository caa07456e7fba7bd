"""Admin writes of dates out of range get the form back with a message, never a 500, on sqlite
and on PostgreSQL; and the admin keeps working afterwards."""

import re

import pytest
import requests
from django.test import Client

from app.accounts.models import User
from app.bookings.models import Period, Workplace
from tests.conftest import make_user
from tests.postgres import needs_postgres
from tests.security import live
from tests.security.admin_forms import ADMIN_WRITES, OUT_OF_RANGE, fill


@pytest.fixture
def admin_session(db):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    member = make_user()
    workplace = Workplace.objects.create(
        name="Room", timezone="America/Montreal", seats=5, address_line1="1 St", city="Montreal",
        state_province="QC", postal_code="H0H 0H0", country="Canada",
    )  # fmt: skip
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    return client, {"member": member.pk, "workplace": workplace.pk}


@pytest.mark.parametrize(("name", "path", "data"), ADMIN_WRITES, ids=[w[0] for w in ADMIN_WRITES])
def test_admin_write_out_of_range_shows_the_form_again_on_sqlite(admin_session, name, path, data):
    client, ids = admin_session
    periods = Period.objects.count()
    response = client.post(path.format(**ids), fill(data, ids))
    assert response.status_code == 200, response.status_code
    assert OUT_OF_RANGE in response.content.decode()
    assert Period.objects.count() == periods
    assert User.objects.get(pk=ids["member"]).membership_end is None
    assert client.get("/admin/bookings/timeslot/add/").status_code == 200


def test_api_write_out_of_range_names_the_field(admin_session):
    from tests.conftest import token_client

    admin = User.objects.get(email="admin@example.com")
    client = token_client(admin)
    _, ids = admin_session
    response = client.post(
        "/api/periods/",
        {"workplace": ids["workplace"], "name": "Far", "start_date": "9999-12-30", "end_date": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["start_date"] == [OUT_OF_RANGE]
    response = client.patch(f"/api/users/{ids['member']}/", {"birth_date": "0001-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["birth_date"] == [OUT_OF_RANGE]


class AdminBrowser:
    """Logs in to /admin/ over plain HTTP: cookies are sent by hand (they are marked Secure)."""

    def __init__(self, base):
        self.base, self.cookies = base, {}

    def _remember(self, response):
        self.cookies.update(response.cookies.get_dict())

    def _headers(self, path):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "Referer": self.base + path}

    def get(self, path):
        response = requests.get(self.base + path, headers=self._headers(path), allow_redirects=False, timeout=30)
        self._remember(response)
        return response

    def post(self, path, data):
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = requests.post(
            self.base + path,
            data={"csrfmiddlewaretoken": token, **data},
            headers=self._headers(path),
            allow_redirects=False,
            timeout=30,
        )
        self._remember(response)
        return response


@needs_postgres
@pytest.mark.slow
def test_admin_write_out_of_range_shows_the_form_again_on_postgresql(postgres_seeded, tmp_path):
    database_url, seed = postgres_seeded
    # DEBUG: the admin's static files without collectstatic (the answers are the same).
    with live.servers(database_url, 1, tmp_path, DEBUG="True") as (base,):
        browser = AdminBrowser(base)
        logged_in = browser.post(
            "/admin/login/", {"username": "admin@example.com", "password": "a-long-passphrase-1", "next": "/admin/"}
        )
        assert logged_in.status_code == 302, logged_in.text[-500:]
        ids = {**seed["ids"], "workplace": str(seed["ids"]["workplace"])}
        for name, path, data in ADMIN_WRITES:
            response = browser.post(path.format(**ids), fill(data, ids))
            assert response.status_code == 200, (name, response.status_code)
            assert OUT_OF_RANGE in response.text, name
        assert browser.get("/admin/bookings/timeslot/add/").status_code == 200
        assert browser.get(f"/admin/accounts/user/{ids['member']}/change/").status_code == 200
