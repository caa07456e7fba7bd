"""WhiteNoise, loaded on the first request for a static file.

WhiteNoise lists and stats every collected static file when its middleware is built: about 90 ms
of each Lambda cold start, although most requests are API calls that never touch a static file,
and importing it (with Django's manifest storage) costs a few ms more. This middleware builds
WhiteNoise's on the first request under STATIC_URL and hands it every such request; any other
request goes straight on.
"""

import threading
from typing import Any
from urllib.parse import urlparse

from django.conf import settings as django_settings


class LazyWhiteNoiseMiddleware:
    def __init__(self, get_response: Any, settings: Any = django_settings) -> None:
        self.get_response = get_response
        self.settings = settings
        prefix = getattr(settings, "WHITENOISE_STATIC_PREFIX", None)
        if prefix is None:  # as WhiteNoise computes it
            prefix = urlparse(settings.STATIC_URL or "").path
            script_name = (settings.FORCE_SCRIPT_NAME or "").rstrip("/")
            if script_name and prefix.startswith(script_name):
                prefix = prefix[len(script_name) :]
        self.static_prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self.whitenoise: Any = None
        self._lock = threading.Lock()

    def __call__(self, request: Any) -> Any:
        if not request.path_info.startswith(self.static_prefix):
            return self.get_response(request)
        if self.whitenoise is None:
            with self._lock:  # other threads wait until the scan is complete
                if self.whitenoise is None:
                    from whitenoise.middleware import WhiteNoiseMiddleware

                    self.whitenoise = WhiteNoiseMiddleware(self.get_response, settings=self.settings)
        return self.whitenoise(request)
