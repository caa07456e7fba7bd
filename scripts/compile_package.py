"""Add bytecode to a Lambda package for every module it ships as source.

    python scripts/compile_package.py build/dev-package.zip

deploy.sh compiles the dependencies before `zappa package` and ships them as bytecode only. What
is left as source (the project's own code, every `__init__.py`, migrations, Zappa's handler) would
be compiled again at every cold start: /var/task is read-only, so Python cannot keep the result.
This adds `__pycache__/<module>.cpython-XY.pyc` beside each such source, in unchecked-hash mode
(valid whatever the file dates: Zappa dates every entry 1980-01-01). The sources stay, so
tracebacks still show their lines. Run it with the Lambda runtime's Python (3.12): bytecode is
tied to the interpreter version that wrote it.
"""

import argparse
import os
import py_compile
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

# The date Zappa gives every entry; kept for ours too, so the package stays reproducible.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def sources_without_bytecode(names):
    """The .py entries of the package, except stale copies inside a __pycache__ folder."""
    return [name for name in names if name.endswith(".py") and "/__pycache__/" not in f"/{name}"]


def bytecode_name(source_name):
    """`app/urls.py` -> `app/__pycache__/urls.cpython-312.pyc` for the running interpreter.

    Always beside the source, where Lambda looks, whatever PYTHONPYCACHEPREFIX the builder's
    environment holds (importlib's own answer would follow it elsewhere).
    """
    source = Path(source_name)
    return (source.parent / "__pycache__" / f"{source.stem}.{sys.implementation.cache_tag}.pyc").as_posix()


def compile_source(source: bytes, name: str, workdir: Path) -> bytes:
    """Unchecked-hash bytecode of one module; a syntax error stops the build with the file's name."""
    source_file = workdir / "module.py"
    target = workdir / "module.pyc"
    source_file.write_bytes(source)
    try:
        py_compile.compile(
            str(source_file),
            cfile=str(target),
            dfile=name,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    except py_compile.PyCompileError as error:
        raise SystemExit(f"compile_package: {name} does not compile: {error.msg}") from None
    return target.read_bytes()


def add_bytecode(package: Path) -> int:
    """Rewrite `package` with bytecode for each source module; returns how many were added."""
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        wanted = [name for name in sources_without_bytecode(sorted(names)) if bytecode_name(name) not in names]
        if not wanted:
            return 0
        sources = {name: archive.read(name) for name in wanted}
    # Appended to a copy: the entries Zappa wrote are kept as they are (not inflated and deflated
    # again), and the package is replaced only once every module has compiled.
    rewritten = package.with_name(package.name + ".compiling")
    shutil.copyfile(package, rewritten)
    try:
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(rewritten, "a", zipfile.ZIP_DEFLATED) as out:
            for name in wanted:
                entry = zipfile.ZipInfo(bytecode_name(name), date_time=ZIP_EPOCH)
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(entry, compile_source(sources[name], name, Path(tmp)))
    except BaseException:
        rewritten.unlink(missing_ok=True)
        raise
    os.replace(rewritten, package)
    return len(wanted)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path)
    args = parser.parse_args(argv)
    added = add_bytecode(args.package)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    print(f"compile_package: {added} modules compiled for Python {version} into {args.package}")


if __name__ == "__main__":
    main()
