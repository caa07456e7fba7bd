"""PostgreSQL, with a per-process back-off after a refused connection (settings.py sets it as the
ENGINE of a `postgres://` DATABASE_URL; `base.py` is the module Django loads)."""
