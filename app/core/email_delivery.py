"""Sending one transactional e-mail now: through Sendinblue with the template id of the member's
language, or rendered from the local templates through `EMAIL_BACKEND`.

`app.core.email` decides WHEN a message goes (after the answer, or in a Lambda task through
`app.core.tasks`); both end here. This module imports neither of them, so that the entry point and
the task mechanism do not import each other.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def sendinblue_enabled() -> bool:
    return bool(settings.EMAIL_SERVICE and settings.SENDINBLUE_API_KEY)


def template_id(template_setting: str, language: str) -> int:
    """The Sendinblue template id for `language`; the English one when that language has none."""
    english = int(getattr(settings, template_setting, 0) or 0)
    if language == "en":
        return english
    localized = int(getattr(settings, f"{template_setting}_{language.upper()}", 0) or 0)
    if not localized:
        logger.warning("%s_%s is not set: e-mail sent with the English template.", template_setting, language.upper())
        return english
    return localized


def deliver(
    *,
    to_email: str,
    to_name: str,
    template_setting: str,
    params: dict[str, Any],
    local_template: str,
    language: str = "en",
    attachments: list[dict[str, str]] | None = None,
) -> bool:
    """Send one message now, through Sendinblue or EMAIL_BACKEND. True when the provider accepted it.

    `attachments`: `{"name", "content" (text), "mimetype"}` each (a booking's .ics)."""
    if sendinblue_enabled():
        from app.integrations import sendinblue  # imported on use: the SDK is heavy

        try:
            return sendinblue.send_template(
                to_email=to_email,
                to_name=to_name,
                template_id=template_id(template_setting, language),
                params=params,
                attachments=attachments,
            )
        except Exception as error:  # a bad setting or a client bug must not cost the caller its answer
            logger.error("E-mail %s could not be sent through Sendinblue: %s", template_setting, type(error).__name__)
            return False
    try:
        with translation.override(language):
            subject = render_to_string(f"{local_template}.subject.txt", params).strip()
            body = render_to_string(f"{local_template}.txt", params)
        if attachments:
            email = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to_email])
            for attachment in attachments:
                email.attach(attachment["name"], attachment["content"], attachment["mimetype"])
            email.send(fail_silently=False)
        else:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to_email], fail_silently=False)
    except Exception as error:  # SMTP and backend errors of any kind
        logger.error("E-mail %s to a member could not be sent: %s", local_template, type(error).__name__)
        return False
    return True
