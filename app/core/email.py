"""One entry point for every transactional e-mail the app sends.

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

A failure never raises: it is logged (without secrets) and `send_templated_email` returns
False so that the caller can tell the user the e-mail could not be sent.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from app.core.i18n import supported_language

logger = logging.getLogger(__name__)


def sendinblue_enabled():
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


def send_templated_email(*, to_email, to_name, template_setting, params, local_template, language=None):
    language = supported_language(language or translation.get_language())
    if sendinblue_enabled():
        from app.integrations import sendinblue  # imported on use: the SDK is heavy

        try:
            return sendinblue.send_template(
                to_email=to_email,
                to_name=to_name,
                template_id=template_id(template_setting, language),
                params=params,
            )
        except Exception as error:  # a bad setting or a client bug must not cost the caller its answer
            logger.error("E-mail %s could not be sent through Sendinblue: %s", template_setting, type(error).__name__)
            return False
    try:
        with translation.override(language):
            subject = render_to_string(f"{local_template}.subject.txt", params).strip()
            body = render_to_string(f"{local_template}.txt", params)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to_email], fail_silently=False)
    except Exception as error:  # SMTP and backend errors of any kind
        logger.error("E-mail %s to a member could not be sent: %s", local_template, type(error).__name__)
        return False
    return True
