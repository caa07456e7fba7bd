#!/usr/bin/env python3
"""Fill the empty values of a stage's `aws_environment_variables` in zappa_settings.json from the environment.

    python3 write_secure_env.py [STAGE ...]       # default: dev
    python3 write_secure_env.py --check dev       # say what would be filled; write nothing
    python3 write_secure_env.py --names dev       # print the names the stage takes from the environment
    python3 write_secure_env.py --matches BASE dev  # exit 0 if the file equals BASE but for filled values

The committed zappa_settings.json holds every secret as an empty string. CI (or a developer
deploying by hand) exports the secrets, runs this script, then deploy.sh, which restores the
committed file when it ends. A stage without its own `aws_environment_variables` uses the one of
the stage it `extends`.

If any needed variable is missing from the environment, the script names the missing variables
(names only), writes nothing and exits with status 1. It never prints a value. The file is
replaced atomically (temporary file + rename), key order and the two-space layout are kept.
Only the standard library is used, so any Python 3.8+ runs it (CI runners, the build image).
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

SETTINGS = Path(__file__).resolve().parent / "zappa_settings.json"


class SettingsError(Exception):
    """The settings file cannot be used for this stage."""


def env_owner(config, stage):
    """The stage whose `aws_environment_variables` `stage` uses, following `extends`."""
    seen = []
    current = stage
    while True:
        if current not in config:
            raise SettingsError(f"stage '{current}' is not defined in the settings file")
        if current in seen:
            raise SettingsError(f"circular 'extends' in the settings file: {' -> '.join([*seen, current])}")
        seen.append(current)
        if "aws_environment_variables" in config[current]:
            return current
        parent = config[current].get("extends")
        if not parent:
            raise SettingsError(f"stage '{stage}' has no aws_environment_variables")
        current = parent


def stage_environment(config, stage):
    """The `aws_environment_variables` the Lambda of `stage` receives."""
    return config[env_owner(config, stage)]["aws_environment_variables"]


def empty_names(config, stage):
    """Names of the variables `stage` must take from the environment (its empty values)."""
    return [name for name, value in stage_environment(config, stage).items() if value == ""]


def matches(base, current):
    """True when `current` equals `base` except where `base` holds an empty string (a filled secret)."""
    if isinstance(base, dict):
        return (
            isinstance(current, dict)
            and list(base) == list(current)
            and all(matches(base[key], current[key]) for key in base)
        )
    if isinstance(base, list):
        return isinstance(current, list) and len(base) == len(current) and all(map(matches, base, current))
    if base == "":
        return isinstance(current, str)
    return base == current


def load(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def dump(config):
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"


def write_atomically(path, text):
    """Replace `path` with `text` in one rename: a reader sees the old file or the new one, never half."""
    path = Path(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def fill(config, stages, environ):
    """Fill `config` in place; return (filled names per owning stage, missing names)."""
    filled, missing = {}, []
    for stage in stages:
        owner = env_owner(config, stage)
        variables = config[owner]["aws_environment_variables"]
        for name in [n for n, v in variables.items() if v == ""]:
            value = environ.get(name, "")
            if value == "":
                if name not in missing:
                    missing.append(name)
                continue
            variables[name] = value
            filled.setdefault(owner, []).append(name)
    return filled, missing


def main(argv=None, environ=None):
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stages", nargs="*", metavar="STAGE", help="stages to fill (default: dev)")
    parser.add_argument("--check", action="store_true", help="report what would be filled, write nothing")
    parser.add_argument("--names", action="store_true", help="print the names a stage needs, one a line")
    parser.add_argument("--matches", metavar="BASE", help="exit 0 if the settings equal BASE but for filled values")
    parser.add_argument("--settings", default=str(SETTINGS), help="settings file (default: %(default)s)")
    args = parser.parse_args(argv)
    stages = args.stages or ["dev"]

    try:
        config = load(args.settings)
        if args.matches:
            if matches(load(args.matches), config):
                return 0
            print(
                f"write_secure_env: {args.settings} differs from {args.matches} beyond filled values", file=sys.stderr
            )
            return 1
        if args.names:
            for name in dict.fromkeys(n for stage in stages for n in empty_names(config, stage)):
                print(name)
            return 0
        filled, missing = fill(config, stages, environ)
    except (OSError, ValueError, SettingsError) as exc:
        print(f"write_secure_env: {exc}", file=sys.stderr)
        return 2

    if missing:
        print(
            f"write_secure_env: missing environment variables for {', '.join(stages)}: {', '.join(missing)}."
            " Nothing was written.",
            file=sys.stderr,
        )
        return 1
    summary = "; ".join(f"{owner}: {', '.join(names)}" for owner, names in filled.items()) or "nothing to fill"
    if args.check:
        print(f"write_secure_env --check: would fill {summary}")
        return 0
    if filled:
        write_atomically(args.settings, dump(config))
    print(f"write_secure_env: filled {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
