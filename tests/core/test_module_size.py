"""Small modules (the developers' guide): no module of app/ over 400 lines, migrations aside."""

from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
MAX_LINES = 400


def test_no_module_of_app_is_over_400_lines():
    sizes = {
        str(path.relative_to(APP.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in APP.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert len(sizes) > 100  # the walk found the project
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}
