"""Work that must not delay an answer (offering a freed seat...), run the way e-mails are sent.

`after_response("app.module.function", *args)` calls that top-level function with JSON `args`:
- on Lambda: in a new asynchronous invocation (Zappa's task mechanism, `app.core.tasks`);
- during any other request: once the response has been sent (Django's `request_finished`),
  each distinct call once however often the request asked for it;
- outside a request (commands, services called directly): at once.
A failure is logged (its type only) and never reaches the caller.
"""

import logging
import os
import threading

from django.core.signals import request_finished, request_started
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

_pending = threading.local()


def run(task_path: str, args: list[object]) -> None:
    try:
        import_string(task_path)(*args)
    except Exception as error:  # the answer went out already: log, never raise into the server
        logger.error("Deferred %s failed: %s", task_path, type(error).__name__)


def after_response(task_path: str, *args: object) -> None:
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):  # on Lambda (as app.core.email.on_lambda)
        from app.core import tasks  # imported on use: the dispatch brings boto3 in

        if tasks.dispatch_call(task_path, list(args)):
            return
        run(task_path, list(args))  # the invocation failed: do it now rather than not at all
        return
    queue = getattr(_pending, "calls", None)
    if queue is None:
        run(task_path, list(args))
    elif (task_path, list(args)) not in queue:
        queue.append((task_path, list(args)))


def _start_collecting(**kwargs: object) -> None:
    _pending.calls = []


def _run_collected(**kwargs: object) -> None:
    calls, _pending.calls = getattr(_pending, "calls", None) or [], None
    for task_path, args in calls:
        run(task_path, args)


def connect_signals() -> None:
    request_started.connect(_start_collecting, dispatch_uid="app.core.deferred.start")
    request_finished.connect(_run_collected, dispatch_uid="app.core.deferred.run")
