"""Whether this process is a served one (started by app/wsgi.py), known before Django sets up.

A served process defers to the first request that needs it what the others (management commands,
tests, the shell) do at start-up: the admin's registrations (app/core/admin_site.py). Nothing
here imports Django, so that app/wsgi.py can set it before `django.setup()`.
"""

SERVING = False


def serve() -> None:
    """Called by app/wsgi.py before it builds the app."""
    global SERVING
    SERVING = True
