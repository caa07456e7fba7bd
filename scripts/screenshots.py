"""Screenshots of the member pages for the README (docs/screenshot-*.png), taken in Chromium:
in English on a laptop (1280 px) and in French on a phone (360 px).

Serves the demo data (`load_demo_data`, a throwaway sqlite database, DEBUG on and the local test
gateway as in `make run`) with `runserver` on a free loopback port, logs in as the demo member,
buys a package with a coupon-free test card and saves the pages.

    .venv/bin/python scripts/screenshots.py
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402

DOCS = ROOT / "docs"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    with tempfile.TemporaryDirectory() as directory:
        env = {
            **os.environ,
            "DEBUG": "True",
            "DATABASE_URL": f"sqlite:///{directory}/shots.sqlite3",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PAYMENT_GATEWAY": "test",
            "LOG_LEVEL": "WARNING",
        }
        python = sys.executable
        for command in (["migrate", "--noinput", "-v0"], ["load_demo_data"]):
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen(
            [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 - loopback
                    break
                except OSError:
                    time.sleep(0.1)
            shoot(base)
        finally:
            server.terminate()
            server.wait(timeout=10)


SHOTS = ("home", "sessions", "checkout", "phone", "phone-orders")


def shoot(base):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        laptop = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800}, locale="en-CA")
        page = laptop.new_page()
        page.goto("/")
        page.screenshot(path=DOCS / "screenshot-home.png")
        page.goto("/login/")
        page.get_by_label("E-mail").fill("member@example.com")
        page.get_by_label("Password").fill("demo-member-password")
        page.get_by_role("button", name="Log in").last.click()
        page.get_by_role("heading", name="Upcoming sessions").wait_for()
        page.screenshot(path=DOCS / "screenshot-sessions.png")
        page.goto("/store/")
        page.get_by_role("link", name="Buy 5 tickets").click()
        page.screenshot(path=DOCS / "screenshot-checkout.png")
        page.get_by_label("Test card: Visa 4111 (approved)").check()
        page.get_by_role("button", name=re.compile("^Pay ")).click()
        page.get_by_role("heading", name="Orders and cards").wait_for()
        cookies = laptop.cookies()
        phone = browser.new_context(base_url=base, viewport=PHONE, device_scale_factor=1, is_mobile=True)
        phone.add_cookies(cookies)
        small = phone.new_page()
        small.goto("/sessions/")
        small.get_by_role("button", name="Français").click()  # the switcher: French from now on
        small.get_by_role("heading", name="Séances à venir").wait_for()
        small.screenshot(path=DOCS / "screenshot-phone.png", full_page=True)
        small.goto("/account/orders/")
        small.screenshot(path=DOCS / "screenshot-phone-orders.png", full_page=True)
        browser.close()
    for name in SHOTS:
        print(DOCS / f"screenshot-{name}.png")


if __name__ == "__main__":
    main()
