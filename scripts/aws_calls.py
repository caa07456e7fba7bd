"""Which IAM actions a recorded deploy needed, and whether a policy allows them.

moto_server records every request it serves when started with `MOTO_ENABLE_RECORDING=True` and
`MOTO_RECORDER_FILEPATH=FILE` (one JSON object a line: method, url, headers, body). Each request is
matched to its API operation with botocore's own service models (the service comes from the
request's SigV4 credential scope), then to the IAM action that authorises it:

    python scripts/aws_calls.py RECORDING [--policy policies/deploy-role.json]

prints the actions, and with --policy the ones the policy does not allow (exit 1 if any).
Only the standard library and botocore (a dependency of boto3 and Zappa) are used.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

# SigV4 signing names that differ from botocore's service name (which is also the IAM prefix here).
SERVICE_OF_SIGNING_NAME = {"monitoring": "cloudwatch"}
# Operations whose IAM action has another name (https://docs.aws.amazon.com/service-authorization/).
ACTION_OF_OPERATION = {
    "lambda:Invoke": "lambda:InvokeFunction",
    "lambda:InvokeAsync": "lambda:InvokeFunction",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjectVersions": "s3:ListBucketVersions",
    "s3:HeadObject": "s3:GetObject",
    "s3:CreateMultipartUpload": "s3:PutObject",
    "s3:UploadPart": "s3:PutObject",
    "s3:CompleteMultipartUpload": "s3:PutObject",
    "s3:DeleteObjects": "s3:DeleteObject",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "s3:CopyObject": "s3:PutObject",
}
# Calls any authenticated principal may make: no IAM action authorises them.
NO_PERMISSION_NEEDED = {"sts:GetCallerIdentity"}
# Actions a call needs besides its own: passing the function's role to Lambda, Lambda reading the
# code from S3 with the caller's rights, reading a copy's source.
IMPLIED = {
    "lambda:CreateFunction": ["iam:PassRole", "s3:GetObject"],
    "lambda:UpdateFunctionCode": ["s3:GetObject"],
    "lambda:UpdateFunctionConfiguration": ["iam:PassRole"],
    "s3:CopyObject": ["s3:GetObject"],
    "events:PutRule": ["iam:PassRole"],  # Zappa gives each rule the function's role (RoleArn)
}


@dataclass(frozen=True)
class Call:
    service: str  # botocore's name: lambda, s3, cloudwatch...
    operation: str  # botocore's operation name: GetFunctionConfiguration
    method: str
    path: str

    @property
    def actions(self) -> list[str]:
        """The IAM actions that authorise this call (none for sts:GetCallerIdentity)."""
        if self.service == "apigateway":  # API Gateway's actions are the HTTP verbs on resource paths
            return [f"apigateway:{self.method}"]
        operation = f"{self.service}:{self.operation}"
        if operation in NO_PERMISSION_NEEDED:
            return []
        return [ACTION_OF_OPERATION.get(operation, operation), *IMPLIED.get(operation, [])]


@cache
def service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


@cache
def rest_routes(service: str) -> list[tuple[str, re.Pattern[str], list[tuple[str, str | None]], list[str], int, str]]:
    """(method, path regex, required query (key, value), required headers, specificity, operation) of a REST service."""
    model = service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        template, _, query = http["requestUri"].partition("?")
        pattern = ""
        for literal, label in re.findall(r"([^{]*)(?:\{([^}]*)\})?", template):
            pattern += re.escape(literal)
            if label:
                pattern += ".+" if label.endswith("+") else "[^/]+"
        required = [(k, v or None) for k, _, v in (part.partition("=") for part in query.split("&") if part)]
        literal_length = len(re.sub(r"\{[^}]*\}", "", template))
        # Operations told apart by a required header or query parameter only (CopyObject is a PutObject
        # with x-amz-copy-source, AbortMultipartUpload a DeleteObject with uploadId).
        headers = required_in(model.operation_model(name), "header")
        required += [(key, None) for key in required_in(model.operation_model(name), "querystring", lower=False)]
        specificity = literal_length * 10 + len(required) + len(headers)
        routes.append((http["method"], re.compile(pattern + "/?"), required, headers, specificity, name))
    return routes


def required_in(operation: Any, location: str, lower: bool = True) -> list[str]:
    """Wire names of the operation's required input members serialized in `location`."""
    shape = operation.input_shape
    if shape is None:
        return []
    names = [
        str(shape.members[member].serialization["name"])
        for member in shape.required_members
        if shape.members[member].serialization.get("location") == location
    ]
    return [name.lower() for name in names] if lower else names


def operation_of(service: str, method: str, url: str, headers: dict[str, str], body: bytes) -> str | None:
    """The botocore operation a request is, or None if it matches none."""
    split = urlsplit(url)
    query = parse_qs(split.query, keep_blank_values=True)
    target = headers.get("X-Amz-Target") or headers.get("x-amz-target")
    if target:  # JSON protocol
        return target.rsplit(".", 1)[-1]
    rpc = re.fullmatch(r"/service/[^/]+/operation/([A-Za-z]+)", split.path)
    if rpc:  # smithy RPC v2 (CBOR)
        return rpc.group(1)
    protocol = service_model(service).protocol
    if protocol in ("query", "ec2"):
        form = parse_qs(body.decode("utf-8", "replace")) if body else {}
        action = (form.get("Action") or query.get("Action") or [None])[0]
        return action
    best: tuple[int, str] | None = None
    sent = {header.lower() for header in headers}
    for route_method, pattern, required, needed, specificity, name in rest_routes(service):
        if route_method != method or not pattern.fullmatch(split.path) or not sent.issuperset(needed):
            continue
        if all(key in query and (value is None or value in query[key]) for key, value in required):
            if best is None or specificity > best[0]:
                best = (specificity, name)
    return best[1] if best else None


def service_of(headers: dict[str, str]) -> str | None:
    authorization = headers.get("Authorization") or headers.get("authorization") or ""
    scope = re.search(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request", authorization)
    if not scope:
        return None
    return SERVICE_OF_SIGNING_NAME.get(scope.group(1), scope.group(1))


def read_recording(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def calls_in(entries: Iterable[dict[str, Any]]) -> tuple[list[Call], list[str]]:
    """The recorded AWS calls, and a description of each request that could not be identified."""
    calls, unknown = [], []
    for entry in entries:
        headers = entry.get("headers", {})
        service = service_of(headers)
        url = entry["url"]
        if service is None:
            if "/moto-api/" not in url:
                unknown.append(f"{entry['method']} {url} (no AWS signature)")
            continue
        raw = entry.get("body") or ""
        body = base64.b64decode(raw) if entry.get("body_encoded") else raw.encode()
        operation = operation_of(service, entry["method"], url, headers, body)
        if operation is None:
            unknown.append(f"{service} {entry['method']} {urlsplit(url).path}")
            continue
        calls.append(Call(service, operation, entry["method"], urlsplit(url).path))
    return calls, unknown


def actions_of(calls: Iterable[Call]) -> set[str]:
    return {action for call in calls for action in call.actions}


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def allows(policy: dict[str, Any], action: str) -> bool:
    """Whether some Allow statement of `policy` names `action` (wildcards as IAM reads them) and no Deny does."""

    def named(statement: dict[str, Any]) -> bool:
        return any(
            fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in _as_list(statement.get("Action"))
        )

    statements = policy["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    if any(s.get("Effect") == "Deny" and named(s) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and named(s) for s in statements)


def allowed_actions(policy: dict[str, Any]) -> set[str]:
    statements = policy["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    return {a for s in statements if s.get("Effect") == "Allow" for a in _as_list(s.get("Action"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recording", type=Path)
    parser.add_argument("--policy", type=Path, help="report the actions this policy does not allow")
    args = parser.parse_args(argv)
    calls, unknown = calls_in(read_recording(args.recording))
    actions = sorted(actions_of(calls))
    for action in actions:
        print(action)
    for description in unknown:
        print(f"unidentified request: {description}", file=sys.stderr)
    if args.policy:
        policy = json.loads(args.policy.read_text())
        denied = [action for action in actions if not allows(policy, action)]
        if denied:
            print(f"not allowed by {args.policy}: {', '.join(denied)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
