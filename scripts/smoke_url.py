#!/usr/bin/env python3
"""The package's smoke checks, over HTTPS against a deployed stage's URL (the manual AWS smoke job).

    python3 scripts/smoke_url.py https://abc123.execute-api.ca-central-1.amazonaws.com/sandbox

The same two HTTP checks as scripts/smoke_test_package.py, sent to the real API Gateway URL:
GET /healthz answers 200 with status "ok" (the function reaches its database), and a refused login
with `Accept-Language: fr` answers 400 with the project's French sentence (the catalogs are in the
package). The first request is retried for a minute: a new stage may answer 5xx while it starts.
Standard library only. Exit status 0 when both pass.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke_test_package import FRENCH_LOGIN_REFUSAL


def request(url, method="GET", body=None, headers=None, timeout=20):
    """(status, text) of one request; an HTTP error status is an answer, not an exception."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310 (checked scheme)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def check(base, attempts=12, pause=5.0):
    """The failures (empty when both checks pass)."""
    failures = []
    status, text = 0, ""
    for attempt in range(attempts):
        try:
            status, text = request(f"{base}/healthz")
        except OSError as exc:
            status, text = 0, f"{type(exc).__name__}: {exc}"
        if status == 200 or (400 <= status < 500):
            break
        if attempt + 1 < attempts:
            time.sleep(pause)
    if status != 200 or json.loads(text or "{}").get("status") != "ok":
        failures.append(f"GET /healthz answered {status}: {text[:300]}")
    status, text = request(
        f"{base}/api/auth/token/",
        method="POST",
        body={"email": "nobody@example.com", "password": "not-the-password"},
        headers={"Content-Type": "application/json", "Accept-Language": "fr"},
    )
    try:
        readable = json.dumps(json.loads(text), ensure_ascii=False)  # the JSON may escape « é »
    except ValueError:
        readable = text
    if status != 400 or FRENCH_LOGIN_REFUSAL not in readable:
        failures.append(f"POST /api/auth/token/ in French answered {status}: {text[:300]}")
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the stage's base URL (zappa status STAGE: 'API Gateway URL')")
    parser.add_argument("--allow-http", action="store_true", help="accept http:// on 127.0.0.1 (tests)")
    parser.add_argument("--attempts", type=int, default=12)
    args = parser.parse_args(argv)
    base = args.url.rstrip("/")
    parts = urlsplit(base)
    loopback_http = args.allow_http and parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
    if parts.scheme != "https" and not loopback_http:
        print(f"smoke_url: {base} is not an https:// URL", file=sys.stderr)
        return 2
    failures = check(base, attempts=args.attempts)
    for failure in failures:
        print(f"smoke_url: FAILED {failure}", file=sys.stderr)
    if failures:
        return 1
    print(f"smoke_url: {base}: GET /healthz answered 200 (database ok), a refused login answered in French")
    return 0


if __name__ == "__main__":
    sys.exit(main())
