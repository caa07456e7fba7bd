"""The project's code. Importing it first trims Django REST framework's start-up (see below)."""

import sys


def _load_rest_framework_without_unused_extras():
    """Import DRF's compat module while three optional extras it would load are hidden.

    `rest_framework.compat` imports PyYAML (for a YAML renderer), requests (for a test client)
    and `django.contrib.postgres.fields` (psycopg2, to map PostgreSQL-only model fields) whenever
    they are installed. This project uses none of those through DRF, and they cost about 150 ms
    of every Lambda cold start. They stay importable for everything else afterwards: the Paysafe
    client imports requests on first use, drf-spectacular imports yaml, Django imports psycopg2
    when it connects to PostgreSQL.
    """
    if "rest_framework.compat" in sys.modules:
        return
    hidden = [name for name in ("yaml", "requests", "django.contrib.postgres.fields") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes `import name` raise ImportError
    try:
        import rest_framework.compat  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


_load_rest_framework_without_unused_extras()
