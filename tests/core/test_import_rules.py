"""The import rules of app/ (docs/architecture.md), read from the source:

- `accounts` imports neither `bookings` nor `store` (what spans them lives in `app.members`, above);
- `core` imports no domain;
- no module of app/ imports itself back through others (no cycle between modules);
- no package of app/ imports itself back through others (no cycle between domains, core...).

Each rule is also run on a small package written for the test, so that a rule that could never
fail would show.
"""

from pathlib import Path

import pytest

from tests.core.import_graph import cycles, import_graph, imports_between, package_graph

APP = Path(__file__).resolve().parents[2] / "app"


@pytest.fixture(scope="module")
def graph():
    return import_graph(APP)


def test_the_graph_sees_the_project(graph):
    # The reader finds module-level, deferred and relative imports alike.
    assert "app.bookings.services.reservations" in graph["app.web.views.sessions"]
    assert "app.integrations.sendinblue" in graph["app.core.email_delivery"]  # imported inside deliver()
    assert "app.store.services.cards" in graph["app.members.closing"]  # imported on use


def test_accounts_imports_neither_bookings_nor_store(graph):
    assert imports_between(graph, "app.accounts", {"app.bookings", "app.store"}) == []


def test_core_imports_no_domain(graph):
    domains = {"app.accounts", "app.bookings", "app.store", "app.members", "app.web", "app.staff"}
    assert imports_between(graph, "app.core", domains) == []


def test_no_module_imports_itself_back(graph):
    assert cycles(graph) == []


def test_no_package_imports_itself_back(graph):
    assert cycles(package_graph(graph)) == []


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def tiny(tmp_path):
    """A package with three domains whose imports a test then bends."""
    return write(
        tmp_path / "app",
        {
            "__init__.py": "",
            "accounts/__init__.py": "",
            "accounts/models.py": "",
            "accounts/services.py": "from .models import *\n",
            "bookings/__init__.py": "",
            "bookings/services.py": "from app.accounts import services\n",
            "store/__init__.py": "",
            "store/cards.py": "import app.accounts.models\n",
            "accounts/migrations/__init__.py": "",
            "accounts/migrations/0001_initial.py": "import app.bookings.services\n",  # ignored
        },
    )


def test_the_rules_hold_on_a_clean_package(tiny):
    graph = import_graph(tiny)
    assert graph["app.accounts.services"] == {"app.accounts.models"}  # a relative import
    assert imports_between(graph, "app.accounts", {"app.bookings", "app.store"}) == []
    assert cycles(graph) == [] and cycles(package_graph(graph)) == []


def test_a_deferred_cross_domain_import_is_caught(tiny):
    write(tiny, {"accounts/closing.py": "def close():\n    from app.store import cards\n"})
    graph = import_graph(tiny)
    assert imports_between(graph, "app.accounts", {"app.bookings", "app.store"}) == [
        "app.accounts.closing -> app.store.cards"
    ]
    assert cycles(package_graph(graph)) == [["app.accounts", "app.store"]]  # store imports accounts


def test_a_cycle_between_modules_is_caught(tiny):
    write(tiny, {"accounts/models.py": "from app.accounts.services import x\n"})
    assert cycles(import_graph(tiny)) == [["app.accounts.models", "app.accounts.services"]]


def test_a_longer_cycle_through_three_packages_is_caught(tiny):
    write(
        tiny,
        {
            "accounts/models.py": "from app.store import cards\n",
            "store/cards.py": "from app.bookings import services\n",
        },
    )
    graph = import_graph(tiny)
    assert cycles(package_graph(graph)) == [["app.accounts", "app.bookings", "app.store"]]
    assert cycles(graph) == [
        ["app.accounts.models", "app.accounts.services", "app.bookings.services", "app.store.cards"]
    ]
