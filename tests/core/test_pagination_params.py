"""Malformed `limit`/`offset` are refused with a 400 naming them (they used to be ignored silently)."""

import pytest

from app.accounts.models import Organization


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=-3", "limit"),
        ("offset=x", "offset"),
        ("offset=-1", "offset"),
        ("limit=1.5", "limit"),
    ],
)
def test_a_malformed_page_parameter_is_a_400_naming_it(anon_client, db, query, name):
    response = anon_client.get(f"/api/organizations/?{query}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [name]


def test_a_limit_above_the_maximum_is_lowered_to_it(anon_client, db):
    Organization.objects.bulk_create(Organization(name=f"Org {i:03}") for i in range(205))
    body = anon_client.get("/api/organizations/?limit=1000&offset=0").json()
    assert len(body["results"]) == 200 and body["count"] == 205


def test_the_schema_states_the_bounds(anon_client, db):
    schema = anon_client.get("/api/schema/?format=json").json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/organizations/"]["get"]["parameters"]}
    assert parameters["limit"]["minimum"] == 1 and parameters["offset"]["minimum"] == 0
