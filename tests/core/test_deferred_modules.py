"""A deferred module (app/core/deferred_modules.py) runs its code once, on the first name read from it."""

import importlib
import importlib.util
import sys
import threading
import time

import pytest

from app.core.deferred_modules import defer, is_deferred, on_first_call

INIT = """
import time
RUNS.append(__name__)
time.sleep(0.05)  # long enough for a second thread to ask while this one runs
from {name} import helpers  # a submodule, imported from the package's own __init__
greeting = "hello"
from {name}.sites import site  # a submodule that reads a name from this package (as the admin's does)
"""
SITES = """
from {name} import greeting
site = greeting + ", site"
"""


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A fresh package on sys.path whose `__init__` records each run in `builtins.RUNS`."""
    name = f"deferred_demo_{time.monotonic_ns()}"
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text(INIT.format(name=name))
    (folder / "helpers.py").write_text("VALUE = 42\n")
    (folder / "models.py").write_text("MODELS = ['one']\n")
    (folder / "sites.py").write_text(SITES.format(name=name))
    monkeypatch.syspath_prepend(str(tmp_path))
    runs: list[str] = []
    monkeypatch.setattr("builtins.RUNS", runs, raising=False)
    yield name, runs
    for module in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[module]


def test_an_independent_submodule_imports_without_running_the_package_code(package):
    name, runs = package
    defer(name, independent=["models"])

    models = importlib.import_module(f"{name}.models")

    assert models.MODELS == ["one"]
    assert runs == []


def test_any_other_submodule_runs_the_package_code_first_as_a_plain_import_would(package):
    """Without it, `sites` would run the package's code halfway through its own import, and that
    code's `from package.sites import site` would find it half-initialized (an ImportError)."""
    name, runs = package
    module = defer(name, independent=["models"])

    sites = importlib.import_module(f"{name}.sites")

    assert sites.site == "hello, site"
    assert runs == [name]
    assert module.site == "hello, site"
    assert sys.modules[f"{name}.sites"] is sites
    assert sites.__spec__.origin.endswith("sites.py")  # its own spec, not the loader that ran the package


def test_the_first_name_read_runs_the_body_once_in_the_same_module(package):
    name, runs = package
    module = defer(name)

    assert module.greeting == "hello"
    assert module.helpers.VALUE == 42
    assert sys.modules[name] is module
    assert runs == [name]
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        module.missing  # noqa: B018
    assert runs == [name]


def test_two_threads_reading_at_once_see_one_run_and_the_whole_body(package):
    name, runs = package
    module = defer(name)
    seen: list[str] = []

    def read() -> None:
        seen.append(module.greeting)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen == ["hello", "hello"]
    assert runs == [name]


def test_asking_whether_a_submodule_exists_runs_no_code_and_a_missing_one_is_missing(package):
    """Django asks it of every app (`module_has_submodule(app, "management")`) before importing."""
    name, runs = package
    defer(name, independent=["models"])

    assert importlib.util.find_spec(f"{name}.management") is None
    assert importlib.util.find_spec(f"{name}.sites") is not None
    assert runs == []
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"{name}.management")


def test_a_stand_in_answers_until_the_code_runs_then_the_real_name_does(package):
    name, runs = package
    module = defer(name, stand_ins={"greeting": "stand-in"})

    assert module.greeting == "stand-in"
    assert runs == []
    assert is_deferred(name)

    module.helpers  # noqa: B018  (a name only the code defines)

    assert module.greeting == "hello"
    assert runs == [name]
    assert not is_deferred(name)


def test_a_plain_module_is_deferred_too_and_a_missing_one_is_refused(tmp_path, monkeypatch):
    name = f"plain_demo_{time.monotonic_ns()}"
    (tmp_path / f"{name}.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        module = defer(name)
        assert is_deferred(name)
        assert module.X == 1
        assert not is_deferred(name)
    finally:
        sys.modules.pop(name, None)

    with pytest.raises(ImportError, match="no module named"):
        defer(f"{name}_missing")


def test_a_module_already_imported_is_left_as_it_is():
    import json

    assert defer("json") is json
    assert not is_deferred("json")


@pytest.fixture
def plain_module(tmp_path, monkeypatch):
    """A fresh plain module on sys.path whose code records each run in `builtins.RUNS`."""
    name = f"plain_demo_{time.monotonic_ns()}"
    (tmp_path / f"{name}.py").write_text("RUNS.append(__name__)\n\ndef twice(value):\n    return 2 * value\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    runs: list[str] = []
    monkeypatch.setattr("builtins.RUNS", runs, raising=False)
    yield name, runs
    sys.modules.pop(name, None)


def test_from_a_plain_module_import_a_stand_in_runs_no_code(plain_module):
    """`from module import name` asks the module for `__path__` (is it a package?) before the name:
    a plain module has none whatever its code does, so the answer needs no run."""
    name, runs = plain_module
    defer(name, stand_ins={"twice": "stand-in"})

    module = __import__(name, fromlist=["twice"])  # what `from name import twice` calls

    assert module.twice == "stand-in"
    assert runs == []


def test_an_on_first_call_stand_in_runs_the_code_on_its_first_call_and_forwards_every_call(plain_module):
    """For an importer that binds a function at import and calls it later (DRF's schema generator
    and `django.contrib.admindocs.views.simplify_regex`)."""
    name, runs = plain_module
    module = defer(name, stand_ins={"twice": on_first_call(name, "twice")})
    bound = module.twice  # what `from module import twice` binds

    assert runs == []
    assert bound.__name__ == "twice"
    assert bound(21) == 42
    assert runs == [name]
    assert bound(5) == 10
    assert runs == [name]
    assert module.twice is not bound  # the module's own name is the real function now
    assert module.twice(4) == 8
