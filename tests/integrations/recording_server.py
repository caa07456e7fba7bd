"""A tiny HTTP server on 127.0.0.1 that records what a client sends and answers as scripted.

For SDKs built on urllib3 (sib-api-v3-sdk), which `responses` cannot intercept: the real
client code runs and talks real HTTP to this loopback server.

    with RecordingServer() as server:
        server.reply(201, {"messageId": "<1@relay>"})
        ...  # point the client at server.url
        server.requests[0].json
"""

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class RecordingServer:
    requests: list = field(default_factory=list)
    answer: Answer = field(default_factory=Answer)

    def reply(self, status, body=None, *, delay=0.0, content_type="application/json"):
        """Answer every following request with `status` and `body` (a dict, str or bytes) after `delay` s."""
        if isinstance(body, dict | list):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.answer = Answer(status, body or b"", content_type, delay)

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
                answer = server.answer
                if answer.delay and server._stopping.wait(answer.delay):
                    return  # shutting down: drop the slow answer
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args):
                pass  # keep test output clean

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


TEST_API_KEY = "xkeysib-test-key-0123456789abcdef"


@contextmanager
def sendinblue_on(settings, *, timeout=2):
    """Sendinblue switched on (pytest-django `settings`) and pointed at a recording server that accepts all."""
    with RecordingServer() as server:
        server.reply(201, {"messageId": "<202611280000.1@smtp-relay.mailin.fr>"})
        settings.EMAIL_SERVICE = True
        settings.SENDINBLUE_API_KEY = TEST_API_KEY
        settings.SENDINBLUE_API_HOST = f"{server.url}/v3"
        settings.SENDINBLUE_TIMEOUT_SECONDS = timeout
        settings.CONFIRM_SIGN_UP = 6
        settings.FORGOT_PASSWORD = 7
        yield server
