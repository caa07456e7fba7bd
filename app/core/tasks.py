"""Work run in a new, asynchronous invocation of the Lambda function: Zappa's task mechanism.

`zappa.asynchronous.task` wraps a top-level function: inside Lambda (`AWS_LAMBDA_FUNCTION_NAME`
set) a call invokes the same function with `InvocationType=Event` and returns at once; the new
invocation reaches Zappa's handler as `{"command": "zappa.asynchronous.route_lambda_task",
"task_path": "app.core.tasks.send_email", "args": [...], "kwargs": {...}}` and the handler calls
the function. Elsewhere the wrapped call runs the function inline. Zappa's module creates boto3
clients when imported, so it is imported on first use, never at cold start.
IAM: the function's role needs `lambda:InvokeFunction` on itself (the stage's policies/ file).
"""

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


def send_email(message: dict[str, Any]) -> bool:
    """The task: send one message now (runs in the asynchronous invocation)."""
    from app.core.email_delivery import deliver

    return deliver(**message)


def as_task(function: Callable[..., Any]) -> Callable[..., Any]:
    from zappa.asynchronous import task

    return task(function)


def dispatch_email(message: dict[str, Any]) -> bool:
    """Hand `message` to a new invocation of this function. False when the invocation failed."""
    try:
        as_task(send_email)(message)
    except Exception as error:  # throttled, no permission, network: the caller sends it itself
        logger.error("E-mail %s could not be handed to a task: %s", message["template_setting"], type(error).__name__)
        return False
    return True


def run_deferred(task_path: str, args: list[Any]) -> None:
    """The task of `app.core.deferred.after_response`: call the top-level function `task_path(*args)`."""
    from django.utils.module_loading import import_string

    try:
        import_string(task_path)(*args)
    except Exception as error:  # an asynchronous invocation: log it, a raise would only be retried
        logger.error("Deferred %s failed: %s", task_path, type(error).__name__)


def dispatch_call(task_path: str, args: list[Any]) -> bool:
    """Hand a deferred call to a new invocation of this function. False when the invocation failed."""
    try:
        as_task(run_deferred)(task_path, args)
    except Exception as error:  # throttled, no permission, network: the caller runs it itself
        logger.error("%s could not be handed to a task: %s", task_path, type(error).__name__)
        return False
    return True
