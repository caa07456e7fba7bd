"""No input gets a 500: each class of bad input gets a 4xx JSON answer naming what is wrong,
on sqlite (in process) and on PostgreSQL (a live server), which rejects NUL in text and
integers beyond its columns where sqlite does not."""

import json
from datetime import date

import pytest
import requests

from app.bookings.models import Period, Workplace
from app.store.models import Package
from tests.conftest import make_user, token_client
from tests.postgres import needs_postgres
from tests.security import live
from tests.security.bad_inputs import CASES


def _check(case, status, body):
    assert status == case.status, (case.name, status, body[:300])
    answer = json.loads(body)
    assert answer["code"] and answer["detail"], answer  # every error names its condition and says it
    if case.names:
        named = answer if case.names == "detail" else answer.get("fields", {})
        assert case.names in named, (case.name, answer)
        text = json.dumps(named[case.names])
        assert len(text) > 10, answer  # a message, not an empty list


@pytest.fixture
def seeded(db):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    member = make_user()
    workplace = Workplace.objects.create(
        name="Room", timezone="America/Montreal", seats=5, address_line1="1 St", city="Montreal",
        state_province="QC", postal_code="H0H 0H0", country="Canada",
    )  # fmt: skip
    period = Period.objects.create(
        workplace=workplace, name="P", start_date=date(2030, 1, 1), end_date=date(2030, 12, 31), is_active=True
    )
    Package.objects.create(name="Ten", price="10.00", tickets=10)
    clients = {"anon": token_client(admin), "member": token_client(member), "admin": token_client(admin)}
    clients["anon"].credentials()
    for client in clients.values():
        client.raise_request_exception = False
    return clients, {"period": period.pk, "member": member.pk}


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_bad_input_gets_a_clear_4xx_on_sqlite(seeded, case):
    clients, ids = seeded
    path, body = case.fill(ids)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in case.headers.items()}
    response = clients[case.who].generic(case.method, path, body or "", content_type="application/json", **extra)
    _check(case, response.status_code, response.content)


@pytest.fixture(scope="module")
def live_server_on_postgres(postgres_seeded, tmp_path_factory):
    database_url, seed = postgres_seeded
    with live.servers(database_url, 1, tmp_path_factory.mktemp("logs")) as (base,):
        yield base, seed


@needs_postgres
@pytest.mark.parametrize("case", CASES, ids=repr)
def test_bad_input_gets_a_clear_4xx_on_postgresql(live_server_on_postgres, case):
    base, seed = live_server_on_postgres
    path, body = case.fill(seed["ids"])
    headers = {"Content-Type": "application/json", **case.headers}
    if case.who != "anon":
        headers["Authorization"] = f"Token {seed[case.who]}"
    response = requests.request(case.method, base + path, data=body, headers=headers, timeout=30)
    _check(case, response.status_code, response.content)
