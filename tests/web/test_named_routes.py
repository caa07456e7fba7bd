"""Every redirect and link of the pages goes through a route's name (`reverse()`, `redirect("name")`,
`{% url %}`), so that moving a page cannot leave a dead link behind. Reads the sources."""

import ast
import re
from pathlib import Path

import app.web

WEB = Path(app.web.__file__).parent
REDIRECTS = {"redirect", "HttpResponseRedirect", "HttpResponsePermanentRedirect", "safe_next"}
# A link or form target written as a path: href="/..." or action="/..." (not "{% url ... %}").
HARD_CODED_LINK = re.compile(r"""\b(?:href|action)=["']/""")


def hard_coded_redirects(source: str) -> list[str]:
    """`redirect("/…")` and the like: a call whose path argument is a string literal starting with "/"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in REDIRECTS:
            continue
        for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
            values = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.startswith("/"):
                    found.append(f"line {node.lineno}: {name}({value.value!r})")
    return found


def test_no_page_redirects_to_a_hard_coded_path():
    offenders = {
        str(path.relative_to(WEB)): found
        for path in sorted(WEB.rglob("*.py"))
        if (found := hard_coded_redirects(path.read_text()))
    }
    assert offenders == {}


def test_no_template_links_to_a_hard_coded_path():
    offenders = {
        str(path.relative_to(WEB)): HARD_CODED_LINK.findall(text)
        for path in sorted((WEB / "templates").rglob("*.html"))
        if HARD_CODED_LINK.search(text := path.read_text())
    }
    assert offenders == {}


def test_the_checks_catch_what_they_look_for():
    # The same rules on a sample: a literal path is caught, a route's name or a computed value is not.
    sample = 'redirect("/account/")\nredirect("account")\nredirect(back)\nsafe_next(request, "/sessions/")\n'
    sample += 'redirect("/a/" if ok else "login")\n'
    assert hard_coded_redirects(sample) == [
        "line 1: redirect('/account/')",
        "line 4: safe_next('/sessions/')",
        "line 5: redirect('/a/')",
    ]
    assert HARD_CODED_LINK.search('<a href="/store/">') and not HARD_CODED_LINK.search("<a href=\"{% url 'store' %}\">")
