"""A package whose `__init__` runs when one of its names is first read, not when it is imported.

app/wsgi.py defers this way a package that a served cold start imports without reading any name
of it: `django.contrib.admin`, which INSTALLED_APPS imports to find the app's folder and its
`models` submodule, and whose `__init__` imports ModelAdmin, the list filters, the admin's forms,
widgets and sites (about 40 modules). The package's submodules still import as usual (the
package's `__path__` is set); the first name read from the package itself (`admin.site`) runs its
real `__init__` in the same module object, so every importer sees one module. Nothing is skipped:
only moved to the first request that needs it.
"""

import importlib.util
import sys
import threading
import types
from typing import Any


class _BodyOnFirstRead:
    """The module's `__getattr__` (PEP 562): runs the package's `__init__` once, then answers from it."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.lock = threading.RLock()
        self.running_on_this_thread = False
        self.done = False

    def __call__(self, name: str) -> Any:
        with self.lock:
            if self.running_on_this_thread:
                # The package's own `__init__` asking for a name it has not defined yet (`from
                # package import submodule`): as for any module being imported, it is not there,
                # and the import system imports the submodule instead.
                raise AttributeError(name)
            if not self.done:
                self.running_on_this_thread = True
                try:
                    spec = self.module.__spec__
                    assert spec is not None and spec.loader is not None
                    spec.loader.exec_module(self.module)
                    self.done = True
                finally:
                    self.running_on_this_thread = False
                if self.module.__dict__.get("__getattr__") is self:
                    del self.module.__dict__["__getattr__"]
        try:
            return self.module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.module.__name__!r} has no attribute {name!r}") from None


def defer_package_body(name: str) -> types.ModuleType:
    """Put package `name` in sys.modules, its `__init__` run on the first read of a name it defines."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not a package that can be deferred")
    module = importlib.util.module_from_spec(spec)  # __path__, __file__, __spec__: no code run
    module.__getattr__ = _BodyOnFirstRead(module)  # type: ignore[method-assign]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)  # as the import system does for a submodule
    return module
