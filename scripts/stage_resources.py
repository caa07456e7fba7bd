#!/usr/bin/env python3
"""What a stage needs around its Lambda that Zappa does not make, and the operator's tools for it.

    python scripts/stage_resources.py ensure STAGE      # after every deploy/update (deploy.sh runs it)
    python scripts/stage_resources.py preflight STAGE   # before any change (concurrency quota, vpc_config)
    python scripts/stage_resources.py replay STAGE [--dry-run]   # failed asynchronous tasks, run again
    python scripts/stage_resources.py snapshot STAGE    # RDS snapshot before a production migrate
    python scripts/stage_resources.py remove STAGE      # delete them, for a throwaway stage only (smoke job)

`ensure` is idempotent and prints one line per piece:
- **role policy**: the stage's `attach_policy` is put on the function's role when its digest differs
  from the one tagged on the role (`zappa update --zip` never touches the role);
- **media bucket** (`AWS_STORAGE_BUCKET_NAME`): created if missing; every run enforces "private"
  (public access block, ACLs disabled), versioning and default encryption;
- **log retention** on `/aws/lambda/<function>` (`log_retention_days`);
- **failed tasks**: an SQS queue `<function>-failed-tasks` as the on-failure destination of
  asynchronous invocations (Zappa `@task`), after `async_max_retries` retries;
- **alarms**: errors, throttles, duration near the timeout, failed tasks waiting (to `alarm_topic_arn`).
Its settings are the stage's `stage_resources` object in zappa_settings.json (Zappa ignores it).
boto3 comes from the deploy venv (a Zappa dependency); AWS_ENDPOINT_URL is honoured (rehearsals).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DIGEST_TAG = "attach-policy-sha256"
FAILED_TASKS_RETENTION_SECONDS = 14 * 24 * 3600  # SQS's maximum
UNRESERVED_MINIMUM = 10  # AWS keeps at least this much of the account's concurrency unreserved
ENI_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface")


class StageError(Exception):
    """The stage cannot be handled as configured: the message says what to change."""


class Stage:
    """A stage's settings (following `extends`) and the names derived from them."""

    def __init__(self, config: dict[str, Any], name: str, root: Path = ROOT) -> None:
        if name not in config:
            raise StageError(f"stage '{name}' is not in the settings file")
        self.config, self.name, self.root = config, name, root

    def setting(self, key: str, default: Any = None) -> Any:
        current, seen = self.name, set()
        while current and current not in seen:
            seen.add(current)
            if key in self.config[current]:
                return self.config[current][key]
            current = self.config[current].get("extends")
        return default

    def resources(self, key: str, default: Any = None) -> Any:
        return (self.setting("stage_resources") or {}).get(key, default)

    @property
    def function(self) -> str:
        return f"{self.setting('project_name')}-{self.name}"

    @property
    def region(self) -> str:
        return str(self.setting("aws_region", "us-east-1"))

    @property
    def media_bucket(self) -> str:
        return str((self.setting("aws_environment_variables") or {}).get("AWS_STORAGE_BUCKET_NAME", ""))

    @property
    def failed_tasks_queue(self) -> str:
        return f"{self.function}-failed-tasks"

    def attach_policy(self) -> dict[str, Any]:
        path = self.setting("attach_policy")
        if not path:
            raise StageError(f"stage '{self.name}' has no attach_policy: Zappa's default policy is far too broad")
        return dict(json.loads((self.root / path).read_text()))


def policy_digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


class Clients:
    """boto3 clients in the stage's region, made on first use."""

    def __init__(self, region: str, **options: Any) -> None:
        self.region = region
        self.options = options  # endpoint_url and credentials, for tests against moto
        self._made: dict[str, Any] = {}

    def __getattr__(self, service: str) -> Any:
        if service.startswith("_"):
            raise AttributeError(service)
        service = service.rstrip("_")  # `aws.lambda_`: `lambda` is a keyword
        if service not in self._made:
            import boto3

            self._made[service] = boto3.client(service, region_name=self.region, **self.options)
        return self._made[service]


# --- ensure -------------------------------------------------------------------------------------
def sync_role_policy(stage: Stage, aws: Any) -> str:
    document = stage.attach_policy()
    digest = policy_digest(document)
    role = aws.lambda_.get_function_configuration(FunctionName=stage.function)["Role"].rsplit("/", 1)[-1]
    tags = {t["Key"]: t["Value"] for t in aws.iam.list_role_tags(RoleName=role)["Tags"]}
    if tags.get(DIGEST_TAG) == digest:
        return f"role policy: {stage.setting('attach_policy')} already on {role} (digest {digest[:12]})"
    # The policy first, the tag after: an interruption between them only makes the next run put it again.
    aws.iam.put_role_policy(RoleName=role, PolicyName="zappa-permissions", PolicyDocument=json.dumps(document))
    aws.iam.tag_role(RoleName=role, Tags=[{"Key": DIGEST_TAG, "Value": digest}])
    return f"role policy: {stage.setting('attach_policy')} applied to {role} (digest {digest[:12]})"


def ensure_media_bucket(stage: Stage, aws: Any) -> str:
    bucket = stage.media_bucket
    if not bucket:
        return "media bucket: none (no AWS_STORAGE_BUCKET_NAME)"
    created = False
    try:
        aws.s3.head_bucket(Bucket=bucket)
    except Exception as exc:
        if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise StageError(
                f"media bucket {bucket}: not usable ({error_code(exc) or exc}); is the name taken?"
            ) from None
        location = (
            {} if stage.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": stage.region}}
        )
        aws.s3.create_bucket(Bucket=bucket, **location)
        created = True
    block = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)
    aws.s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
    aws.s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    aws.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    aws.s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
    )
    return f"media bucket {bucket}: {'created' if created else 'exists'}, private, versioned, encrypted"


def ensure_log_retention(stage: Stage, aws: Any) -> str:
    days = int(stage.resources("log_retention_days", 30))
    group = f"/aws/lambda/{stage.function}"
    try:
        aws.logs.create_log_group(logGroupName=group)  # Lambda makes it on the first log line otherwise
    except Exception as exc:
        if error_code(exc) != "ResourceAlreadyExistsException":
            raise
    aws.logs.put_retention_policy(logGroupName=group, retentionInDays=days)
    return f"log retention: {group} kept {days} days"


def ensure_failed_tasks_queue(stage: Stage, aws: Any) -> tuple[str, str]:
    """The on-failure destination of asynchronous invocations; returns (report line, queue ARN)."""
    retries = int(stage.resources("async_max_retries", 2))
    url = aws.sqs.create_queue(
        QueueName=stage.failed_tasks_queue,
        Attributes={"MessageRetentionPeriod": str(FAILED_TASKS_RETENTION_SECONDS), "SqsManagedSseEnabled": "true"},
    )["QueueUrl"]
    arn = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.lambda_.put_function_event_invoke_config(
        FunctionName=stage.function,
        MaximumRetryAttempts=retries,
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    return f"failed tasks: after {retries} retries, asynchronous invocations go to {stage.failed_tasks_queue}", arn


def ensure_alarms(stage: Stage, aws: Any) -> str:
    timeout_ms = int(stage.setting("timeout_seconds", 30)) * 1000
    ratio = float(stage.resources("duration_alarm_ratio", 0.8))
    topic = stage.resources("alarm_topic_arn", "")
    actions = {"AlarmActions": [topic], "OKActions": [topic]} if topic else {}
    function = [{"Name": "FunctionName", "Value": stage.function}]
    alarms = [
        ("errors", "AWS/Lambda", "Errors", "Sum", 1, function),
        ("throttles", "AWS/Lambda", "Throttles", "Sum", 1, function),
        ("duration-near-timeout", "AWS/Lambda", "Duration", "Maximum", int(timeout_ms * ratio), function),
        (
            "failed-tasks",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "Maximum",
            1,
            [{"Name": "QueueName", "Value": stage.failed_tasks_queue}],
        ),
    ]
    for suffix, namespace, metric, statistic, threshold, dimensions in alarms:
        aws.cloudwatch.put_metric_alarm(
            AlarmName=f"{stage.function}-{suffix}",
            Namespace=namespace,
            MetricName=metric,
            Dimensions=dimensions,
            Statistic=statistic,
            Period=300,
            EvaluationPeriods=1,
            Threshold=threshold,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",
            **actions,
        )
    where = f"to {topic}" if topic else "no alarm_topic_arn: state only, nobody is told"
    return f"alarms: {', '.join(a[0] for a in alarms)} ({where})"


def ensure(stage: Stage, aws: Any) -> list[str]:
    lines = [sync_role_policy(stage, aws), ensure_media_bucket(stage, aws), ensure_log_retention(stage, aws)]
    lines.append(ensure_failed_tasks_queue(stage, aws)[0])
    lines.append(ensure_alarms(stage, aws))
    return lines


# --- preflight ----------------------------------------------------------------------------------
def check_vpc_config(stage: Stage) -> list[str]:
    """Problems with the stage's optional `vpc_config` (Zappa's own setting)."""
    vpc = stage.setting("vpc_config")
    if not vpc:
        return []
    problems = []
    if len(vpc.get("SubnetIds") or []) < 2:
        problems.append("vpc_config: give private subnets in at least two availability zones (SubnetIds)")
    if not vpc.get("SecurityGroupIds"):
        problems.append("vpc_config: SecurityGroupIds is empty")
    from aws_calls import allows

    missing = [action for action in ENI_ACTIONS if not allows(stage.attach_policy(), action)]
    if missing:
        problems.append(f"vpc_config: the stage's attach_policy lacks {', '.join(missing)} (Lambda refuses the VPC)")
    return problems


def check_concurrency(stage: Stage, aws: Any) -> list[str]:
    """The reservation (`lambda_concurrency`) must leave the account's minimum unreserved."""
    wanted = int(stage.setting("lambda_concurrency") or 0)
    if not wanted:
        return []
    limits = aws.lambda_.get_account_settings()["AccountLimit"]
    try:
        current = int(
            aws.lambda_.get_function_concurrency(FunctionName=stage.function).get("ReservedConcurrentExecutions", 0)
        )
    except Exception as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
        current = 0  # first deploy
    left = int(limits["UnreservedConcurrentExecutions"]) + current - wanted
    if left >= UNRESERVED_MINIMUM:
        return []
    return [
        f"concurrency: the account allows {limits['ConcurrentExecutions']} concurrent executions; reserving"
        f" {wanted} for {stage.function} would leave {left} unreserved, and AWS requires {UNRESERVED_MINIMUM}."
        " Ask for a quota increase (Service Quotas, Lambda 'Concurrent executions') or lower lambda_concurrency."
    ]


def preflight(stage: Stage, aws: Any, quota: bool = True) -> list[str]:
    return check_vpc_config(stage) + (check_concurrency(stage, aws) if quota else [])


# --- operator tools -----------------------------------------------------------------------------
def replay(stage: Stage, aws: Any, dry_run: bool = False) -> list[str]:
    """Invoke the function again, asynchronously, with each failed task's payload; delete what was sent."""
    url = aws.sqs.get_queue_url(QueueName=stage.failed_tasks_queue)["QueueUrl"]
    lines, sent = [], 0
    while True:
        # A dry run leaves what it read visible at once (and reads one batch): the real run follows.
        hidden = 0 if dry_run else 60
        messages = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=hidden).get(
            "Messages", []
        )
        if not messages:
            break
        for message in messages:
            try:
                payload = json.loads(message["Body"])["requestPayload"]
            except (ValueError, KeyError, TypeError):
                lines.append(f"left in the queue: message {message['MessageId']} is not a Lambda failure record")
                continue
            # The task's name only: its arguments may hold personal data.
            task = payload.get("task_path", "?") if isinstance(payload, dict) else "?"
            if dry_run:
                lines.append(f"would replay {task}")
                continue
            aws.lambda_.invoke(
                FunctionName=stage.function, InvocationType="Event", Payload=json.dumps(payload).encode()
            )
            aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            sent += 1
            lines.append(f"replayed {task}")
        if dry_run:
            break
    lines.append(f"{sent} task(s) replayed to {stage.function}" if not dry_run else "dry run: nothing sent")
    return lines


def snapshot(stage: Stage, aws: Any, wait: bool = True) -> str:
    instance = stage.resources("db_instance_identifier", "")
    if not instance:
        raise StageError(f"stage '{stage.name}' has no stage_resources.db_instance_identifier")
    name = f"{stage.function}-pre-migrate-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"
    aws.rds.create_db_snapshot(DBSnapshotIdentifier=name, DBInstanceIdentifier=instance)
    if wait:
        aws.rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier=name)
    return f"snapshot {name} of {instance} {'available' if wait else 'started'}"


def remove(stage: Stage, aws: Any) -> list[str]:
    """Delete what `ensure` made, for a throwaway stage only (`stage_resources.throwaway: true`)."""
    if stage.resources("throwaway") is not True:
        raise StageError(f"stage '{stage.name}' is not marked throwaway: its bucket and alarms are kept")
    suffixes = ("errors", "throttles", "duration-near-timeout", "failed-tasks")
    aws.cloudwatch.delete_alarms(AlarmNames=[f"{stage.function}-{suffix}" for suffix in suffixes])
    lines = ["alarms deleted"]
    try:
        url = aws.sqs.get_queue_url(QueueName=stage.failed_tasks_queue)["QueueUrl"]
        aws.sqs.delete_queue(QueueUrl=url)
        lines.append(f"queue {stage.failed_tasks_queue} deleted")
    except Exception as exc:
        if "NonExistentQueue" not in error_code(exc):
            raise
    bucket = stage.media_bucket
    if bucket:
        try:
            for page in aws.s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                doomed = [
                    {"Key": item["Key"], "VersionId": item["VersionId"]}
                    for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
                ]
                if doomed:
                    aws.s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
            aws.s3.delete_bucket(Bucket=bucket)
            lines.append(f"media bucket {bucket} emptied and deleted")
        except Exception as exc:
            if error_code(exc) != "NoSuchBucket":
                raise
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["ensure", "preflight", "replay", "snapshot", "remove"])
    parser.add_argument("stage")
    parser.add_argument("--settings", type=Path, default=ROOT / "zappa_settings.json")
    parser.add_argument("--dry-run", action="store_true", help="replay: list the failed tasks, send nothing")
    parser.add_argument("--no-quota", action="store_true", help="preflight: skip the account quota (moto has none)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        stage = Stage(json.loads(args.settings.read_text()), args.stage, root=args.settings.resolve().parent)
        aws = Clients(stage.region)
        if args.command == "ensure":
            lines = ensure(stage, aws)
        elif args.command == "preflight":
            problems = preflight(stage, aws, quota=not args.no_quota)
            for problem in problems:
                print(f"stage_resources preflight: {problem}", file=sys.stderr)
            if problems:
                return 1
            lines = [
                f"preflight: {stage.name} fits (vpc_config, concurrency quota{' skipped' if args.no_quota else ''})"
            ]
        elif args.command == "replay":
            lines = replay(stage, aws, dry_run=args.dry_run)
        elif args.command == "remove":
            lines = remove(stage, aws)
        else:
            lines = [snapshot(stage, aws)]
    except StageError as exc:
        print(f"stage_resources: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
