"""scripts/smoke_url.py: the packaged smoke checks sent over HTTP(S) to a served copy of the application."""

import pytest
from smoke_url import main


@pytest.mark.django_db(transaction=True)
def test_both_checks_pass_against_the_served_application(live_server, capsys):
    assert main([live_server.url, "--allow-http", "--attempts", "1"]) == 0
    assert "answered in French" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_url_that_is_not_the_application_fails_both_checks(live_server, capsys):
    assert main([f"{live_server.url}/nowhere", "--allow-http", "--attempts", "1"]) == 1
    err = capsys.readouterr().err
    assert "GET /healthz answered 404" in err and "POST /api/auth/token/ in French answered 404" in err


def test_plain_http_is_refused_outside_loopback_tests():
    assert main(["http://example.org/dev", "--attempts", "1"]) == 2
    assert main(["http://example.org/dev", "--allow-http", "--attempts", "1"]) == 2
