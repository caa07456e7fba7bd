"""One entry point for every transactional e-mail the app sends, and when it is sent.

With `EMAIL_SERVICE` on and a `SENDINBLUE_API_KEY`, a message goes through Sendinblue with
the template id held by the setting `template_setting` and `params` as the template's
parameters. Otherwise the same message is rendered from Django templates
(`<local_template>.subject.txt` and `<local_template>.txt`, context = params) and sent through
`EMAIL_BACKEND` (the console in `make run`, memory in tests).

Every message is written in `language` (the member's own, `User.language`): the local
templates are rendered under it, and Sendinblue gets the template id of that language, the
setting `<template_setting>_FR` for French (empty: the English id, with a warning in the log).
Callers build the parameters under `translation.override(user.language)` too, so that a message
an admin's action triggers is in the member's language, not the admin's.

When it is sent, so that the provider's speed never shows in an answer:
- on Lambda: in a new asynchronous invocation of the same function (Zappa's task mechanism,
  `app.core.tasks`), dispatched at once; the function needs `lambda:InvokeFunction` on itself;
- during any other request (`make run`, a WSGI server, the test client): once the response has
  been sent, when the server closes it (Django's `request_finished`);
- outside a request (management commands, code calling a service directly): inline.

`headers` (optional): extra e-mail headers (a reminder's `List-Unsubscribe`, RFC 8058).
`attachments` (optional) are `{"name": ..., "content": <text>, "mimetype": ...}`: a booking's
calendar entry (.ics). Sendinblue gets them as the API's `attachment` (base64); EMAIL_BACKEND as
MIME parts.

Sending one message now (Sendinblue or `EMAIL_BACKEND`) is `app.core.email_delivery.deliver`, which
both this module and the task (`app.core.tasks.send_email`) call: neither imports the other.

A failure never raises: it is logged (without secrets). `send_templated_email` returns True when
the message was sent or handed over for sending after the answer, False when it could not be.
"""

import json
import logging
import os
import threading
from typing import Any

from django.core.signals import request_finished, request_started
from django.utils import translation

from app.core.i18n import supported_language

logger = logging.getLogger(__name__)

# Messages of the request being served in this thread, sent once its response is closed.
_pending = threading.local()


def on_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def send_templated_email(
    *,
    to_email: str,
    to_name: str,
    template_setting: str,
    params: dict[str, Any],
    local_template: str,
    language: str | None = None,
    attachments: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> bool:
    message: dict[str, Any] = {
        "language": supported_language(language or translation.get_language()),
        "to_email": to_email,
        "to_name": to_name,
        "template_setting": template_setting,
        "params": params,
        "local_template": local_template,
    }
    if attachments:
        message["attachments"] = attachments
    if headers:
        message["headers"] = headers
    try:
        json.dumps(message)  # what a task carries must be JSON; fail here, not in another process
    except (TypeError, ValueError) as error:
        logger.error("E-mail %s has parameters that are not JSON: %s", template_setting, type(error).__name__)
        return False
    if on_lambda():
        from app.core import tasks  # imported on use: the dispatch brings boto3 in

        if tasks.dispatch_email(message):
            return True
        return deliver(**message)  # the invocation failed: send now rather than lose the message
    queue = getattr(_pending, "messages", None)
    if queue is not None:  # inside a request: after the response
        queue.append(message)
        return True
    return deliver(**message)


def deliver(**message: Any) -> bool:
    """Send one message now (`app.core.email_delivery`, imported with the first message: Django's
    mail modules stay out of a cold start that sends none)."""
    from app.core import email_delivery

    return email_delivery.deliver(**message)


def _start_collecting(**kwargs: Any) -> None:
    _pending.messages = []


def _send_collected(**kwargs: Any) -> None:
    """The response has been sent (the server closed it): send what the request queued."""
    messages, _pending.messages = getattr(_pending, "messages", None) or [], None
    for message in messages:
        try:
            deliver(**message)
        except Exception as error:  # deliver logs its own failures; this is the last guard
            logger.error("E-mail %s could not be sent: %s", message["template_setting"], type(error).__name__)


def connect_signals() -> None:
    request_started.connect(_start_collecting, dispatch_uid="app.core.email.start")
    request_finished.connect(_send_collected, dispatch_uid="app.core.email.send")
