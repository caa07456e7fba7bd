"""Modules whose code runs when one of their names is first read, not when they are imported.

app/wsgi.py defers this way the modules that a served cold start imports without reading any
name of them (the list and the reason for each is there). `import name` then binds a module
object whose `__path__`, `__file__` and `__spec__` are set, so a package's submodules still import
as usual; the first name read from it runs its real code in that same module object, under a
lock, so every importer sees one module. Nothing is skipped: only moved to the first use.

A stand-in is a name answered before the code has run, because the cold start reads it and the
answer is known without the module (the stand-in must answer exactly as the module would in that
state). Running the module's code replaces it with the real one.
"""

import importlib.util
import sys
import threading
import types
from collections.abc import Mapping
from typing import Any


class _CodeOnFirstRead:
    """The module's `__getattr__` (PEP 562): runs the module's code once, then answers from it."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.lock = threading.RLock()
        self.running_on_this_thread = False
        self.done = False

    def load(self) -> None:
        with self.lock:
            if self.done or self.running_on_this_thread:
                return
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

    def __call__(self, name: str) -> Any:
        with self.lock:
            if self.running_on_this_thread:
                # The module's own code asking for a name it has not defined yet (`from package
                # import submodule`): as for any module being imported, it is not there yet, and
                # the import system imports the submodule instead.
                raise AttributeError(name)
            self.load()
        try:
            return self.module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.module.__name__!r} has no attribute {name!r}") from None


def defer(name: str, stand_ins: Mapping[str, Any] | None = None) -> types.ModuleType:
    """Put module `name` in sys.modules, its code run on the first read of a name it defines.

    Does nothing to a module already imported: whoever imported it first may have used it.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r} to defer")
    module = importlib.util.module_from_spec(spec)  # __path__, __file__, __spec__: no code run
    module.__dict__["__getattr__"] = _CodeOnFirstRead(module)
    module.__dict__.update(stand_ins or {})
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)  # as the import system does for a submodule
    return module


def is_deferred(name: str) -> bool:
    """Whether module `name` was deferred and its code has not run yet."""
    module = sys.modules.get(name)
    return module is not None and isinstance(module.__dict__.get("__getattr__"), _CodeOnFirstRead)
