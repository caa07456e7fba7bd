"""The project's code. Importing it first trims Django REST framework's start-up (see below)."""

import sys


def _load_rest_framework_without_unused_extras():
    """Import DRF's compat module while the optional extras it would load are hidden.

    `rest_framework.compat` imports, whenever they are installed: PyYAML (a YAML renderer),
    requests (a test client), `django.contrib.postgres.fields` (psycopg2, to map PostgreSQL-only
    model fields), uritemplate and inflection (DRF's own schema generator), pygments and
    markdown (the browsable API). This project uses none of those through DRF (drf-spectacular
    makes the schema, the API renders JSON only), and they cost about 180 ms of every Lambda
    cold start. They stay importable for everything else afterwards: the Paysafe client imports
    requests on first use, drf-spectacular imports yaml, uritemplate and inflection, Django
    imports psycopg2 when it connects to PostgreSQL.
    """
    if "rest_framework.compat" in sys.modules:
        return
    extras = ("yaml", "requests", "django.contrib.postgres.fields", "uritemplate", "inflection", "pygments", "markdown")
    hidden = [name for name in extras if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes `import name` raise ImportError
    try:
        import rest_framework.compat  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


_load_rest_framework_without_unused_extras()
