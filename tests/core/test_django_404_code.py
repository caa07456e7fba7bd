"""Django's own 404 (a detail route's get_object) answers the one error shape with its code, as the
schema says (the fuzz run found `{"detail": ...}` without `code`)."""


def test_an_unknown_id_is_a_404_with_its_code(anon_client, member_client, db):
    for client, path in ((anon_client, "/api/organizations/999/"), (member_client, "/api/orders/999/")):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found" and response.json()["detail"]
