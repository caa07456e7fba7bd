"""The request guard answers in the API's error shape: `detail` is one sentence, a named part a list.

Found by the fuzz run (tests/fuzz): the guard answered `{"detail": ["..."]}`, which the schema's
`Error` body (and every client reading `detail` as text) does not expect.
"""


def test_a_control_character_in_a_query_parameter_name_is_a_400_with_a_sentence(client):
    response = client.get("/api/workplaces/?a%01b=1")
    assert response.status_code == 400
    assert response.json() == {"detail": "A query parameter name contains a control character.", "code": "parse_error"}


def test_a_content_length_that_is_not_a_number_is_a_400_with_a_sentence(client):
    response = client.post("/api/auth/token/", "{}", content_type="application/json", CONTENT_LENGTH="ten")
    assert response.status_code == 400
    assert response.json() == {"detail": "The Content-Length header is not a number.", "code": "parse_error"}


def test_a_control_character_in_a_parameter_value_names_the_parameter(client):
    response = client.get("/api/workplaces/?limit=1%002")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"limit": ["Control characters (such as NUL) are not allowed."]},
    }
