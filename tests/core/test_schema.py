"""The OpenAPI schema at /api/schema/ describes what the fuzz run (tests/fuzz) holds the API to:
request bodies, list parameters and every operation's error answers, in the one `Error` shape."""

import pytest


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _body(schema, path, method):
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _query(schema, path, method="get"):
    return {p["name"] for p in schema["paths"][path][method].get("parameters", []) if p["in"] == "query"}


def test_checkout_refund_and_closing_an_account_describe_their_request_bodies(schema):
    assert set(_body(schema, "/api/orders/", "post")["properties"]) >= {"lines", "single_use_token", "payment_token"}
    assert "force" in _body(schema, "/api/orders/{id}/refund/", "post")["properties"]
    assert _body(schema, "/api/users/me/", "delete")["required"] == ["password"]


def test_lists_describe_their_filters(schema):
    assert "needs_attention" in _query(schema, "/api/orders/")
    assert {"workplace", "period", "date_from", "date_to", "upcoming"} <= _query(schema, "/api/timeslots/")
    assert {"status", "timeslot", "user"} <= _query(schema, "/api/reservations/")
    assert "force" in _query(schema, "/api/timeslots/{id}/", "delete")


def test_every_operation_documents_its_error_answers_with_the_error_body(schema):
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code >= "400"}
            assert "400" in errors and "429" in errors, (method, path)
            for answer in errors.values():
                assert answer["content"]["application/json"]["schema"] == error, (method, path)


def test_error_statuses_follow_each_operation_s_shape_and_the_errors_table(schema):
    def codes(path, method):
        return set(schema["paths"][path][method]["responses"])

    assert {"401", "403", "404", "409", "413"} <= codes("/api/workplaces/{id}/", "put")  # admins only
    assert "403" not in codes("/api/workplaces/", "get")  # anyone reads
    assert {"401", "409"} <= codes("/api/reservations/", "post")  # members may
    assert "403" in codes("/api/reservations/", "post")  # ...but not book for someone else (may_raise)
    assert "403" not in codes("/api/reservations/", "get")
    assert {"402", "422", "503"} <= codes("/api/orders/", "post")  # declared with may_raise
    assert "402" not in codes("/api/reservations/", "post")


def test_the_error_shape_lists_every_code_with_its_meaning(schema):
    from app.core.exceptions import ERROR_CODE_MEANINGS, ErrorCode

    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "code"]
    code = error["properties"]["code"]
    assert code["allOf"] == [{"$ref": "#/components/schemas/ErrorCodeEnum"}]
    assert schema["components"]["schemas"]["ErrorCodeEnum"]["enum"] == [str(member) for member in ErrorCode]
    for member, meaning in ERROR_CODE_MEANINGS.items():
        assert f"- `{member}`: {meaning}" in code["description"]
    assert error["properties"]["fields"]["type"] == "object"


def test_an_order_lists_its_refunds_and_each_line_s_own_id(schema):
    order = schema["components"]["schemas"]["Order"]["properties"]
    assert order["refunds"]["type"] == "array"
    refund = schema["components"]["schemas"]["OrderRefund"]["properties"]
    assert set(refund) == {"number", "amount", "status", "created_at", "lines"}
    line = schema["components"]["schemas"]["OrderLine"]["properties"]
    assert {"id", "product", "product_id"} <= set(line) and "line_id" not in line
    refund_lines = _body(schema, "/api/orders/{id}/refund/", "post")["properties"]["lines"]
    assert refund_lines.get("minItems") == 1  # `"lines": []` is refused, never "the whole order"


def test_the_schema_is_the_same_when_built_again(schema, django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        again = Client().get("/api/schema/?format=json").json()
    assert again["components"]["schemas"]["Error"] == schema["components"]["schemas"]["Error"]
    assert again["components"]["schemas"]["ErrorCodeEnum"] == schema["components"]["schemas"]["ErrorCodeEnum"]
