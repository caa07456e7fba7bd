"""Sendinblue (Brevo) transactional e-mail, behind one function so that the client can be swapped.

`sib-api-v3-sdk` loads hundreds of generated modules: it is imported inside `send_template`,
never at start-up, so a Lambda cold start that sends no e-mail does not pay for it.
`send_template` never raises: a refusal (4xx), a provider error (5xx), a timeout or an
unreachable host is logged, without the API key, and reported as False.
"""

import base64
import json
import logging
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


def _redact(text: object) -> str:
    """The API key must never reach a log line, even if an error body echoes it."""
    key = settings.SENDINBLUE_API_KEY
    text = str(text)
    return text.replace(key, "[redacted]") if key else text


def _describe_api_error(error: Any) -> str:
    """`HTTP 401 unauthorized: Key not found` from an ApiException, short and key-free."""
    detail = ""
    try:
        body = json.loads(error.body or "")
        if isinstance(body, dict):
            detail = " ".join(str(body.get(name, "")) for name in ("code", "message")).strip()
    except (TypeError, ValueError):
        detail = (error.reason or "").strip()
    return _redact(f"HTTP {error.status} {detail}"[:300])


def send_template(
    *,
    to_email: str,
    to_name: str,
    template_id: int,
    params: dict[str, Any],
    attachments: list[dict[str, str]] | None = None,
) -> bool:
    """Send template `template_id` to one recipient with `params`; True when Sendinblue accepted it.

    `attachments`: `{"name", "content" (text), "mimetype"}` each, sent base64 as the API's `attachment`.
    """
    if not template_id:
        logger.error("Sendinblue e-mail not sent: the template id setting is empty (0).")
        return False

    import sib_api_v3_sdk  # heavy: see the module docstring
    from sib_api_v3_sdk.rest import ApiException

    configuration = sib_api_v3_sdk.Configuration()
    configuration.api_key["api-key"] = settings.SENDINBLUE_API_KEY
    configuration.host = settings.SENDINBLUE_API_HOST.rstrip("/")
    api = sib_api_v3_sdk.TransactionalEmailsApi(sib_api_v3_sdk.ApiClient(configuration))
    recipient = {"email": to_email, "name": to_name} if to_name else {"email": to_email}
    message = sib_api_v3_sdk.SendSmtpEmail(to=[recipient], template_id=int(template_id), params=params)
    if attachments:
        message.attachment = [
            sib_api_v3_sdk.SendSmtpEmailAttachment(
                name=item["name"], content=base64.b64encode(item["content"].encode()).decode("ascii")
            )
            for item in attachments
        ]
    # The SDK only honours an int or a (connect, read) pair; a float alone would mean "no timeout".
    timeout = float(settings.SENDINBLUE_TIMEOUT_SECONDS)
    try:
        api.send_transac_email(message, _request_timeout=(timeout, timeout))
    except ApiException as error:
        logger.error("Sendinblue refused template %s: %s", template_id, _describe_api_error(error))
        return False
    except Exception as error:  # timeouts, refused connections, undecodable answers
        logger.error("Sendinblue unreachable for template %s: %s", template_id, _redact(type(error).__name__))
        return False
    return True
