"""Where a deploy takes a stage's secrets from: the environment, or SSM Parameter Store.

write_secure_env.py calls `collect(names, stage, project, source)` and writes the values into the
copy of the settings that deploy.sh hands to Zappa. The guarantees are the same for both sources:
every secret or nothing (`SecretsMissing` names what is missing, never a value), and no value is
ever printed. `digest(value)` is what `--check` shows so that two stages' values can be told apart.

- **environment**: `PRODUCTION_DATABASE_URL` (the stage's name, upper case, `-` -> `_`, then `_`)
  wins over `DATABASE_URL` for the production stage, so a shell still holding dev's plain exports
  cannot send dev's database to production unnoticed: `--check` shows which name each value came from.
- **ssm**: one paginated `GetParametersByPath` with decryption under `/<project_name>/<stage>/`
  (SecureString parameters named after the variable: `/writing-sessions/production/DATABASE_URL`).
  Read at deploy time only: the Lambda never calls Parameter Store (no cold-start cost, no runtime
  permission on SSM); the values become the function's configuration, as the environment's do.

boto3 is imported only for the ssm source, so the environment source needs the standard library only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

SOURCES = ("env", "ssm")
# 24 bits: enough to tell two values apart (1 chance in 16 million of a false match), too few to
# confirm a guess of a short value such as an account number (millions of values share each digest).
DIGEST_HEX_CHARS = 6


class SecretsMissing(Exception):
    """Some secrets have no value in the source: nothing may be written. Carries names only."""

    def __init__(self, source: str, names: list[str], where: str) -> None:
        self.source = source
        self.names = names
        super().__init__(f"missing from {where}: {', '.join(names)}")


class SourceUnavailable(Exception):
    """The source could not be read at all (no boto3, no credentials, access denied): no value known."""


class Secret(str):
    """A secret's value (a `str`, so it is written like any value) that knows its name and where it was read."""

    name: str  # the variable the Lambda receives (DATABASE_URL)
    origin: str  # PRODUCTION_DATABASE_URL, or ssm:/writing-sessions/production/DATABASE_URL

    def __new__(cls, value: str, name: str, origin: str) -> Secret:
        secret = super().__new__(cls, value)
        secret.name, secret.origin = name, origin
        return secret

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:  # a Secret in a traceback, a debugger or a `%r` shows no value
        return f"Secret({self.name!r}, from {self.origin!r}, digest {digest(self)})"


def digest(value: str) -> str:
    """A short, stable fingerprint of a value: equal values, equal digests. Never the value itself."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:DIGEST_HEX_CHARS]


def stage_prefix(stage: str) -> str:
    """`production` -> `PRODUCTION_`; `dev-2` -> `DEV_2_`."""
    return re.sub(r"[^A-Z0-9]", "_", stage.upper()) + "_"


def parameter_path(project: str, stage: str) -> str:
    return f"/{project}/{stage}/"


def present_in_environment(names: Iterable[str], stage: str, environ: Mapping[str, str]) -> dict[str, Secret]:
    """Each name's value from `<STAGE>_<NAME>`, else from `<NAME>`; names with neither (or empty) are left out."""
    found: dict[str, Secret] = {}
    for name in names:
        for candidate in (stage_prefix(stage) + name, name):
            if environ.get(candidate, ""):
                found[name] = Secret(environ[candidate], name, candidate)
                break
    return found


def from_environment(names: Iterable[str], stage: str, environ: Mapping[str, str]) -> dict[str, Secret]:
    """Every name's value from the environment (stage-scoped name first), or `SecretsMissing`."""
    names = list(names)
    found = present_in_environment(names, stage, environ)
    missing = [name for name in names if name not in found]
    if missing:
        raise SecretsMissing("env", missing, f"the environment (as {stage_prefix(stage)}NAME or NAME)")
    return found


def read_parameters(client: Any, path: str) -> dict[str, str]:
    """{last path segment: decrypted value} of the parameters directly under `path`, every page."""
    values: dict[str, str] = {}
    for page in client.get_paginator("get_parameters_by_path").paginate(
        Path=path, Recursive=False, WithDecryption=True
    ):
        for parameter in page["Parameters"]:
            values[parameter["Name"][len(path) :]] = parameter["Value"]
    return values


def ssm_client(region: str | None = None) -> Any:
    try:
        import boto3
    except ImportError:
        raise SourceUnavailable("the ssm source needs boto3 (pip install boto3)") from None
    return boto3.client("ssm", region_name=region)


def present_in_ssm(names: Iterable[str], stage: str, project: str, client: Any) -> dict[str, Secret]:
    """Each name's value from the SecureString `/<project>/<stage>/<NAME>`; names without one are left out."""
    from botocore.exceptions import BotoCoreError, ClientError

    path = parameter_path(project, stage)
    try:
        values = read_parameters(client, path)
    except ClientError as exc:
        # The error's code only: a message could in principle quote a parameter.
        error = exc.response.get("Error", {}).get("Code", "error")
        raise SourceUnavailable(f"Parameter Store refused GetParametersByPath on {path}: {error}") from None
    except BotoCoreError as exc:
        raise SourceUnavailable(f"Parameter Store unreachable for {path}: {type(exc).__name__}") from None
    return {name: Secret(values[name], name, f"ssm:{path}{name}") for name in names if values.get(name)}


def from_ssm(names: Iterable[str], stage: str, project: str, client: Any) -> dict[str, Secret]:
    """Every name's value from Parameter Store, or `SecretsMissing` naming the absent parameters."""
    names = list(names)
    found = present_in_ssm(names, stage, project, client)
    missing = [name for name in names if name not in found]
    if missing:
        raise SecretsMissing("ssm", missing, f"Parameter Store under {parameter_path(project, stage)}")
    return found


def collect(
    names: Iterable[str],
    stage: str,
    project: str,
    source: str,
    environ: Mapping[str, str],
    client: Any = None,
    region: str | None = None,
) -> dict[str, Secret]:
    """The stage's secrets from `source` ("env" or "ssm"), all of them, or an exception naming what is missing."""
    if source == "env":
        return from_environment(names, stage, environ)
    if source == "ssm":
        return from_ssm(names, stage, project, client or ssm_client(region))
    raise ValueError(f"unknown secrets source {source!r} (one of {', '.join(SOURCES)})")


def check_report(secrets: Mapping[str, Secret]) -> list[str]:
    """One line per secret for `--check`: name, where it came from, digest. No value."""
    return [f"{s.name}: from {s.origin}, digest {digest(s)}" for s in secrets.values()]
