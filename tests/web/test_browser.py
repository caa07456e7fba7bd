"""The member pages in real Chromium: journeys, a phone-sized run, axe-core and no foreign request."""

import os
import re

import pytest

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, OriginWatch, axe_violations, scrolls_sideways

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"
)

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make between
# page actions are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
