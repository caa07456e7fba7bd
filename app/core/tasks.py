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

logger = logging.getLogger(__name__)


def send_email(message):
    """The task: send one message now (runs in the asynchronous invocation)."""
    from app.core.email_delivery import deliver

    return deliver(**message)


def as_task(function):
    from zappa.asynchronous import task

    return task(function)


def dispatch_email(message):
    """Hand `message` to a new invocation of this function. False when the invocation failed."""
    try:
        as_task(send_email)(message)
    except Exception as error:  # throttled, no permission, network: the caller sends it itself
        logger.error("E-mail %s could not be handed to a task: %s", message["template_setting"], type(error).__name__)
        return False
    return True
