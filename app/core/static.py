"""WhiteNoise, minus its start-up scan.

WhiteNoise lists and stats every collected static file when the app starts: about 90 ms of
each Lambda cold start, although most requests are API calls that never touch a static file.
This middleware does that scan on the first request under STATIC_URL instead.
"""

import threading
from functools import partial

from whitenoise.middleware import WhiteNoiseMiddleware


class LazyWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    def __init__(self, *args, **kwargs):
        self._pending = []
        self._loaded = False
        self._lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def add_files(self, root, prefix=None):
        self._pending.append(partial(WhiteNoiseMiddleware.add_files, self, root, prefix))

    def add_files_from_finders(self):
        self._pending.append(partial(WhiteNoiseMiddleware.add_files_from_finders, self))

    def __call__(self, request):
        if not self._loaded and request.path_info.startswith(self.static_prefix):
            with self._lock:  # other threads wait until the scan is complete
                if not self._loaded:
                    for load in self._pending:
                        load()
                    self._pending = []
                    self._loaded = True
        return super().__call__(request)
