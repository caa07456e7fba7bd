"""Modules whose code runs when one of their names is first read, not when they are imported.

app/wsgi.py defers this way the modules that a served cold start imports without reading any
name of them (the list and the reason for each: app/core/start_up_deferrals.py). `import name` then binds a module
object whose `__path__`, `__file__` and `__spec__` are set, so a package's submodules still import
as usual; the first name read from it runs its real code in that same module object, under a
lock, so every importer sees one module. Nothing is skipped: only moved to the first use.

A stand-in is a name answered before the code has run, because the cold start reads it and the
answer is known without the module (the stand-in must answer exactly as the module would in that
state). Running the module's code replaces it with the real one.

A package's submodule may itself read names from its package (`django.contrib.admin.sites` does
`from django.contrib.admin import ModelAdmin`): imported before the package's code ran, it would
run that code halfway through its own import, and the package's code, which imports that very
submodule, would find it half-initialized. So importing a submodule runs the package's code
first, as an ordinary import of the package would have, except for the submodules named
`independent`: those that read nothing from their package, which the cold start imports.

For one process serving one request at a time (a Lambda container): on a threaded server, one
thread importing a submodule while another runs the package's code would wait on each other.
"""

import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any


class _CodeOnFirstRead:
    """The module's `__getattr__` (PEP 562): runs the module's code once, then answers from it."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.lock = threading.RLock()
        self.running_thread: int | None = None
        self.done = False

    @property
    def running_on_this_thread(self) -> bool:
        return self.running_thread == threading.get_ident()

    def load(self) -> None:
        with self.lock:
            if self.done or self.running_on_this_thread:
                return
            self.running_thread = threading.get_ident()
            try:
                spec = self.module.__spec__
                assert spec is not None and spec.loader is not None
                spec.loader.exec_module(self.module)
                self.done = True
            finally:
                self.running_thread = None
            if self.module.__dict__.get("__getattr__") is self:
                del self.module.__dict__["__getattr__"]

    def __call__(self, name: str) -> Any:
        with self.lock:
            if self.running_on_this_thread:
                # The module's own code asking for a name it has not defined yet (`from package
                # import submodule`): as for any module being imported, it is not there yet, and
                # the import system imports the submodule instead.
                raise AttributeError(name)
            if name == "__path__":
                # `from module import name` first asks whether the module is a package. A package's
                # `__path__` is set before its code runs, so this one is a plain module: no need to run it.
                raise AttributeError(name)
            self.load()
        try:
            return self.module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.module.__name__!r} has no attribute {name!r}") from None


class _PackageCodeFirst:  # a meta path finder (importlib.abc would import importlib.resources)
    """Runs a deferred package's code before any submodule of it but the independent ones is imported."""

    def __init__(self) -> None:
        self.packages: dict[str, tuple[_CodeOnFirstRead, frozenset[str]]] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        for package, (code, independent) in self.packages.items():
            if not fullname.startswith(package + "."):
                continue
            if code.done or code.running_on_this_thread or fullname[len(package) + 1 :] in independent:
                return None
            real = importlib.machinery.PathFinder.find_spec(fullname, path, target)
            if real is None:  # no such submodule: asking whether it exists must not run any code
                return None
            loader = _AfterPackageCode(code)
            is_package = real.submodule_search_locations is not None
            # typeshed's LoaderProtocol knows only the legacy load_module(); this loader has create/exec_module.
            return importlib.util.spec_from_loader(fullname, loader, origin=real.origin, is_package=is_package)  # type: ignore[arg-type]
        return None


class _AfterPackageCode:  # a loader
    """Loads a submodule by running its package's code, which imports it, or by importing it after."""

    def __init__(self, code: _CodeOnFirstRead) -> None:
        self.code = code
        self.real_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        self.code.load()
        module = sys.modules.get(spec.name) or importlib.import_module(spec.name)  # the finder now steps aside
        self.real_spec = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.real_spec  # the import system set it to this loader's


_finder = _PackageCodeFirst()


def defer(name: str, stand_ins: Mapping[str, Any] | None = None, independent: Iterable[str] = ()) -> types.ModuleType:
    """Put module `name` in sys.modules, its code run on the first read of a name it defines.

    For a package, importing a submodule runs the package's code first, unless the submodule is
    named in `independent` (relative names: "models", "views.decorators").
    Does nothing to a module already imported: whoever imported it first may have used it.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r} to defer")
    module = importlib.util.module_from_spec(spec)  # __path__, __file__, __spec__: no code run
    code = _CodeOnFirstRead(module)
    module.__dict__["__getattr__"] = code
    module.__dict__.update(stand_ins or {})
    if spec.submodule_search_locations is not None:
        _finder.packages[name] = (code, frozenset(independent))
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)  # as the import system does for a submodule
    return module


def on_first_call(module_name: str, function_name: str) -> Callable[..., Any]:
    """A stand-in for function `function_name` of deferred module `module_name`, for the importers that
    bind it at import and call it later: its first call runs the module's code, and every call
    forwards to the module's real function."""

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        module = sys.modules[module_name]
        code = module.__dict__.get("__getattr__")
        if isinstance(code, _CodeOnFirstRead):
            code.load()
        return module.__dict__[function_name](*args, **kwargs)

    stand_in.__name__ = stand_in.__qualname__ = function_name
    stand_in.__module__ = module_name
    return stand_in


def is_deferred(name: str) -> bool:
    """Whether module `name` was deferred and its code has not run yet."""
    module = sys.modules.get(name)
    return module is not None and isinstance(module.__dict__.get("__getattr__"), _CodeOnFirstRead)
