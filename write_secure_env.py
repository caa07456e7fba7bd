#!/usr/bin/env python3
"""Write the filled copy of zappa_settings.json that deploy.sh hands to Zappa: the stage's secrets added to its
`aws_environment_variables`, taken from a source (the environment by default), each checked for its shape.

    python3 write_secure_env.py [STAGE]               # default: dev; writes build/secrets/zappa_settings.STAGE.json
    python3 write_secure_env.py --source ssm STAGE    # where the values come from: env (default) or ssm
                                                     # (SECRETS_SOURCE=ssm does the same)
    python3 write_secure_env.py --check STAGE        # fetch and check, say what would be written; write nothing
    python3 write_secure_env.py --names STAGE        # print the stage's secret names, one a line
    python3 write_secure_env.py --path STAGE         # print where the filled copy goes
    python3 write_secure_env.py --verify STAGE       # exit 0 if the copy is complete, well formed and made from
                                                     # the current settings file

Where secrets live. The committed zappa_settings.json names the secrets (`deploy.secrets` of a stage)
and never holds a value for them: they are not in `aws_environment_variables`. Zappa, on an update,
keeps every variable the function has that the settings do not name, so a bare `zappa update STAGE`
leaves the live secrets as they are. This script writes a copy of the settings with the values
added, readable by its owner only, under build/secrets/ (never packaged, ignored by git);
deploy.sh gives that copy to Zappa (`-s`) and deletes it when it ends, whatever happens. The
tracked zappa_settings.json is never written.

Checks before anything is written: every secret present, each of a plausible shape (SHAPES) and,
for a stage with `deploy.require_email_templates`, every e-mail template id (English and `_FR`)
a positive integer. A problem names the variable, never its value; nothing is written and the
status is 1. Only the standard library is used, so any Python 3.9+ runs it (CI runners, the
build image).
"""

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
SETTINGS = ROOT / "zappa_settings.json"
SECRETS_DIR = ROOT / "build" / "secrets"
# Variables deploy.sh adds to the copy (the commit it ships and the code's hash): not part of the settings.
RECORDED = ("APP_COMMIT", "APP_CODE_SHA256")


class SettingsError(Exception):
    """The settings file cannot be used for this stage."""


# --- the settings ------------------------------------------------------------------------------
def stage_chain(config: dict, stage: str) -> list[str]:
    """`stage` then the stages it `extends`, nearest first."""
    chain: list[str] = []
    current: str | None = stage
    while current:
        if current not in config:
            raise SettingsError(f"stage '{current}' is not defined in the settings file")
        if current in chain:
            raise SettingsError(f"circular 'extends' in the settings file: {' -> '.join([*chain, current])}")
        chain.append(current)
        current = config[current].get("extends")
    return chain


def stage_environment(config: dict, stage: str) -> dict[str, str]:
    """The committed `aws_environment_variables` of `stage` (its own, or those of the stage it extends)."""
    for name in stage_chain(config, stage):
        if "aws_environment_variables" in config[name]:
            return config[name]["aws_environment_variables"]
    raise SettingsError(f"stage '{stage}' has no aws_environment_variables")


def deploy_setting(config: dict, stage: str, key: str, default: object = None) -> object:
    """`deploy.<key>` of `stage`, looked up along its `extends` chain."""
    for name in stage_chain(config, stage):
        if key in config[name].get("deploy", {}):
            return config[name]["deploy"][key]
    return default


def secret_names(config: dict, stage: str) -> list[str]:
    names = deploy_setting(config, stage, "secrets", [])
    clash = [name for name in names if name in stage_environment(config, stage)]
    if clash:
        raise SettingsError(f"stage '{stage}': {', '.join(clash)} must not be in aws_environment_variables (secrets)")
    return list(names)


# --- where the values come from: name -> value for each secret the source has -------------------
# The values are scripts/secret_sources.py's `Secret`s: plain strings that also know where they were
# read (for --check), and whose repr shows no value.
Source = Callable[[list[str], str], dict[str, str]]
sys.path.insert(0, str(ROOT / "scripts"))
import secret_sources  # noqa: E402


def from_environment(environ: Mapping[str, str], project: str = "") -> Source:
    """`PRODUCTION_DATABASE_URL` wins over `DATABASE_URL` for production: a shell holding dev's exports shows."""

    def values(names: list[str], stage: str) -> dict[str, str]:
        return dict(secret_sources.present_in_environment(names, stage, environ))

    return values


def from_parameter_store(environ: Mapping[str, str], project: str = "") -> Source:
    """SecureString parameters /<project_name>/<stage>/<NAME>: one paginated GetParametersByPath (needs boto3)."""

    def values(names: list[str], stage: str) -> dict[str, str]:
        region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
        return dict(secret_sources.present_in_ssm(names, stage, project, secret_sources.ssm_client(region)))

    return values


SOURCES: dict[str, Callable[..., Source]] = {"env": from_environment, "ssm": from_parameter_store}


# --- what a good value looks like: a problem in words that never quote the value ----------------
DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")


def database_url_problem(value: str) -> str | None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return "does not parse as a URL"
    if parts.scheme not in DATABASE_SCHEMES:
        return f"does not start with a known scheme ({', '.join(s + '://' for s in DATABASE_SCHEMES)})"
    if not parts.hostname or parts.path.strip("/") == "":
        return "has no host or no database name"
    return None


def secret_key_problem(value: str) -> str | None:
    if len(value) < 50 or len(set(value)) < 5:
        return "is shorter than 50 characters or too repetitive (Django's own rule)"
    if value.startswith("django-insecure"):
        return "is a generated development key (django-insecure...)"
    return None


def digits_problem(value: str) -> str | None:
    return None if re.fullmatch(r"[0-9]{1,20}", value) else "is not a number (digits only)"


def prefix_problem(prefix: str) -> Callable[[str], str | None]:
    def problem(value: str) -> str | None:
        return None if value.startswith(prefix) and len(value) > len(prefix) + 8 else f"does not start with {prefix}"

    return problem


SHAPES: dict[str, Callable[[str], str | None]] = {
    "DATABASE_URL": database_url_problem,
    "SECRET_KEY": secret_key_problem,
    "PAYSAFE_ACCOUNT_NUMBER": digits_problem,
    "SENDINBLUE_API_KEY": prefix_problem("xkeysib-"),
}


def value_problems(values: Mapping[str, str]) -> list[str]:
    problems = []
    for name, value in values.items():
        if value != value.strip() or any(ord(char) < 32 for char in value):
            problems.append(f"{name} has surrounding spaces or a control character (a copy-paste slip?)")
        elif name in SHAPES and (problem := SHAPES[name](value)):
            problems.append(f"{name} {problem}")
    return problems


def template_problems(config: dict, stage: str) -> list[str]:
    """For a stage that requires them: every e-mail template id, English and French, a positive integer."""
    if not deploy_setting(config, stage, "require_email_templates", False):
        return []
    env = stage_environment(config, stage)
    unset = [
        name
        for base in deploy_setting(config, stage, "email_templates", [])
        for name in (base, f"{base}_FR")
        if not re.fullmatch(r"[1-9][0-9]*", env.get(name, ""))
    ]
    return [f"stage '{stage}' requires every e-mail template id; unset or 0: {', '.join(unset)}"] if unset else []


# --- the filled copy ----------------------------------------------------------------------------
def filled_path(stage: str) -> Path:
    return SECRETS_DIR / f"zappa_settings.{stage}.json"


def fill(config: dict, stage: str, values: Mapping[str, str]) -> dict:
    """A copy of `config` whose `stage` has its environment plus `values` (its own copy: no other stage changes)."""
    filled = json.loads(json.dumps(config))
    filled[stage]["aws_environment_variables"] = {**stage_environment(config, stage), **values}
    filled[stage].setdefault("deploy", {})["filled_from"] = digest(config)
    return filled


def digest(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def copy_problems(config: dict, copy: dict, stage: str) -> list[str]:
    """Why `copy` is not a filled copy of `config` for `stage` that can be deployed (empty: it can)."""
    if copy.get(stage, {}).get("deploy", {}).get("filled_from") != digest(config):
        return ["the filled copy was made from another version of the settings: run write_secure_env.py again"]
    names = secret_names(config, stage)
    env = copy[stage].get("aws_environment_variables", {})
    missing = [name for name in names if env.get(name, "") == ""]
    if missing:
        return [f"the filled copy lacks {', '.join(missing)}"]
    return value_problems({name: env[name] for name in names}) + template_problems(config, stage)


def load(path: "str | Path") -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def write_private(path: Path, text: str) -> None:
    """Write `text` readable by its owner only, in one rename (a reader never sees half a file)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", nargs="?", default="dev", metavar="STAGE", help="the stage (default: dev)")
    parser.add_argument(
        "--source",
        choices=sorted(SOURCES),
        default=environ.get("SECRETS_SOURCE") or "env",
        help="where the values come from (default: $SECRETS_SOURCE, else env)",
    )
    actions = parser.add_mutually_exclusive_group()
    actions.add_argument("--check", action="store_true", help="fetch and check the values, write nothing")
    actions.add_argument("--names", action="store_true", help="print the stage's secret names, one a line")
    actions.add_argument("--path", action="store_true", help="print where the filled copy is written")
    actions.add_argument("--verify", action="store_true", help="exit 0 if the filled copy can be deployed")
    parser.add_argument("--settings", default=str(SETTINGS), help="settings file (default: %(default)s)")
    parser.add_argument("--output", help="where to write the filled copy (default: build/secrets/...)")
    args = parser.parse_args(argv)
    stage = args.stage
    output = Path(args.output) if args.output else filled_path(stage)

    try:
        config = load(args.settings)
        names = secret_names(config, stage)
        if args.names:
            print("\n".join(names))
            return 0
        if args.path:
            print(output)
            return 0
        if args.verify:
            exists = output.exists()
            problems = copy_problems(config, load(output), stage) if exists else [f"no filled copy at {output}"]
        else:
            chain = stage_chain(config, stage)
            project = next((str(config[n]["project_name"]) for n in chain if config[n].get("project_name")), "")
            values = SOURCES[args.source](environ, project)(names, stage)
            missing = [name for name in names if name not in values]
            problems = [f"missing from the {args.source} source: {', '.join(missing)}"] if missing else []
            problems += value_problems(values) + template_problems(config, stage)
    except (OSError, ValueError, SettingsError, secret_sources.SourceUnavailable) as exc:
        print(f"write_secure_env: {exc}", file=sys.stderr)
        return 2

    if problems:
        for problem in problems:
            print(f"write_secure_env: {problem}", file=sys.stderr)
        print(f"write_secure_env: stage {stage}: nothing was written.", file=sys.stderr)
        return 1
    if args.verify:
        return 0
    if args.check:
        print(f"write_secure_env --check: {stage}: {', '.join(names)} present and well formed")
        # Where each value came from and a 24-bit digest: two stages' values can be told apart, unprinted.
        for line in secret_sources.check_report({name: values[name] for name in names}):
            print(f"  {line}")
        return 0
    write_private(output, json.dumps(fill(config, stage, values), indent=2, ensure_ascii=False) + "\n")
    print(f"write_secure_env: {stage}: {', '.join(names)} written to {output} (owner-only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
