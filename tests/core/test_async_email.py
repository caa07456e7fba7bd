"""E-mail is sent after the answer: through a Zappa task on Lambda, after the response elsewhere."""

import logging

import boto3
import pytest
from django.core import mail

from app.core import email, email_delivery
from tests.integrations.recording_server import RecordingServer

MESSAGE = {
    "to_email": "nora@example.com",
    "to_name": "Nora Nô",
    "template_setting": "FORGOT_PASSWORD",
    "params": {"first_name": "Nora", "forgot_password_url": "https://x/reset?token=t", "expires_in_minutes": 60},
    "local_template": "emails/forgot_password",
    "language": "fr",  # the member's: it travels with the message
}


FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "ca-central-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture
def fake_aws(monkeypatch):
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def lambda_api(monkeypatch, fake_aws):
    """Lambda's Invoke API as a loopback server; the code runs as inside a Lambda function."""
    import zappa.asynchronous  # creates its boto3 clients on import: fake credentials and region first

    with RecordingServer() as server:
        server.reply(202, "")
        client = boto3.client(
            "lambda",
            endpoint_url=server.url,
            region_name="ca-central-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        monkeypatch.setattr(zappa.asynchronous, "LAMBDA_CLIENT", client)
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "writing-sessions-dev")
        monkeypatch.setenv("AWS_REGION", "ca-central-1")
        yield server


def test_on_lambda_the_message_is_dispatched_as_an_asynchronous_task(lambda_api, db):
    assert email.send_templated_email(**MESSAGE) is True

    (invoke,) = lambda_api.requests
    assert invoke.method == "POST"
    assert invoke.path == "/2015-03-31/functions/writing-sessions-dev/invocations"
    assert invoke.headers["X-Amz-Invocation-Type"] == "Event"  # asynchronous: nobody waits for it
    payload = invoke.json
    assert payload["command"] == "zappa.asynchronous.route_lambda_task"
    assert payload["task_path"] == "app.core.tasks.send_email"
    assert payload["args"] == [MESSAGE] and payload["kwargs"] == {}
    assert mail.outbox == []  # not also sent here


def test_on_lambda_a_failed_dispatch_sends_the_message_itself(lambda_api, db, caplog):
    lambda_api.reply(403, {"Message": "not authorized to perform lambda:InvokeFunction"})
    with caplog.at_level(logging.ERROR):
        assert email.send_templated_email(**MESSAGE) is True

    assert [m.to for m in mail.outbox] == [["nora@example.com"]]
    assert "could not be handed to a task: ClientError" in caplog.text


def test_the_task_sends_the_message_it_carries(db, fake_aws):
    # What Zappa's handler runs in the asynchronous invocation (zappa.asynchronous.run_message).
    from zappa.asynchronous import run_message

    assert run_message({"task_path": "app.core.tasks.send_email", "args": [MESSAGE], "kwargs": {}}) is True
    (sent,) = mail.outbox
    assert sent.to == ["nora@example.com"] and "https://x/reset?token=t" in sent.body
    assert sent.subject == "Réinitialisez votre mot de passe"  # in the language the message carried


def test_outside_a_request_the_message_is_sent_inline(db):
    assert email.send_templated_email(**MESSAGE) is True
    assert len(mail.outbox) == 1


def test_during_a_request_the_message_waits_for_the_response(db):
    from django.core.signals import request_finished, request_started

    request_started.send(sender=None)
    assert email.send_templated_email(**MESSAGE) is True
    assert mail.outbox == []  # the answer has not been sent yet
    request_finished.send(sender=None)
    assert len(mail.outbox) == 1


def test_parameters_that_are_not_json_are_refused_and_logged(db, caplog):
    with caplog.at_level(logging.ERROR):
        assert email.send_templated_email(**{**MESSAGE, "params": {"when": object()}}) is False
    assert "not JSON" in caplog.text and mail.outbox == []


def test_a_failed_send_after_the_answer_is_logged_and_never_raises(db, settings, caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("smtp://user:secret@relay")

    monkeypatch.setattr(email_delivery, "send_mail", broken)
    from django.core.signals import request_finished, request_started

    request_started.send(sender=None)
    email.send_templated_email(**MESSAGE)
    with caplog.at_level(logging.ERROR):
        request_finished.send(sender=None)
    assert "emails/forgot_password to a member could not be sent: OSError" in caplog.text
    assert "secret" not in caplog.text
