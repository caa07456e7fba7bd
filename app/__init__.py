"""The project's code. Cold-start steps live in `app/wsgi.py`, the module Lambda enters."""
