"""scripts/stage_resources.py against moto on 127.0.0.1: role policy, bucket, logs, failed tasks, alarms, replay."""

import io
import json
import re
import zipfile

import pytest
from botocore.stub import Stubber
from stage_resources import (
    DIGEST_TAG,
    Clients,
    Stage,
    StageError,
    check_concurrency,
    check_vpc_config,
    ensure,
    policy_digest,
    remove,
    replay,
    snapshot,
    sync_role_policy,
)

FAKE = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}]}
ENI = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"]


def write_policy(root, name, document):
    (root / "policies").mkdir(exist_ok=True)
    (root / "policies" / name).write_text(json.dumps(document))
    return f"policies/{name}"


@pytest.fixture
def deployed(request, tmp_path, moto_server):
    """A stage whose function and role exist in moto, as Zappa's first deploy leaves them."""
    project = re.sub(r"[^a-z0-9]", "", request.node.name.lower())[-30:]
    config = {
        "dev": {
            "project_name": project,
            "aws_region": "ca-central-1",
            "timeout_seconds": 30,
            "attach_policy": write_policy(tmp_path, "dev.json", POLICY),
            "stage_resources": {"log_retention_days": 14, "async_max_retries": 1},
            "aws_environment_variables": {"AWS_STORAGE_BUCKET_NAME": f"{project}-media-dev"},
        },
        "production": {"extends": "dev", "lambda_concurrency": 40},
    }
    stage = Stage(config, "dev", root=tmp_path)
    aws = Clients("ca-central-1", endpoint_url=moto_server.url, **FAKE)
    role = aws.iam.create_role(
        RoleName=f"{stage.function}-ZappaLambdaExecutionRole",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]
    aws.iam.put_role_policy(
        RoleName=role["RoleName"], PolicyName="zappa-permissions", PolicyDocument=json.dumps(POLICY)
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return event\n")
    aws.lambda_.create_function(
        FunctionName=stage.function,
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="handler.lambda_handler",
        Code={"ZipFile": code.getvalue()},
    )
    stage.role = role["RoleName"]
    return stage, aws


def test_ensure_creates_every_piece_and_a_second_run_changes_nothing(deployed):
    stage, aws = deployed

    first = ensure(stage, aws)
    second = ensure(stage, aws)

    assert "applied to" in first[0] and "already on" in second[0]
    assert f"media bucket {stage.media_bucket}: created" in first[1]
    assert f"media bucket {stage.media_bucket}: exists" in second[1]
    bucket = stage.media_bucket
    assert aws.s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = aws.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = aws.s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    assert aws.s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "ca-central-1"
    group = aws.logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{stage.function}")["logGroups"]
    assert [g["retentionInDays"] for g in group] == [14]
    config = aws.lambda_.get_function_event_invoke_config(FunctionName=stage.function)
    assert config["MaximumRetryAttempts"] == 1
    assert config["DestinationConfig"]["OnFailure"]["Destination"].endswith(f":{stage.function}-failed-tasks")
    alarms = {a["AlarmName"]: a for a in aws.cloudwatch.describe_alarms(AlarmNamePrefix=stage.function)["MetricAlarms"]}
    assert set(alarms) == {
        f"{stage.function}-{s}" for s in ("errors", "throttles", "duration-near-timeout", "failed-tasks")
    }
    assert alarms[f"{stage.function}-duration-near-timeout"]["Threshold"] == 24000  # 80 % of 30 s
    assert alarms[f"{stage.function}-errors"]["Dimensions"] == [{"Name": "FunctionName", "Value": stage.function}]


def test_an_edited_attach_policy_reaches_the_role_on_the_next_run(deployed):
    stage, aws = deployed
    sync_role_policy(stage, aws)
    edited = {**POLICY, "Statement": [*POLICY["Statement"], {"Effect": "Allow", "Action": ENI, "Resource": "*"}]}
    write_policy(stage.root, "dev.json", edited)

    line = sync_role_policy(stage, aws)

    assert "applied to" in line
    on_role = aws.iam.get_role_policy(RoleName=stage.role, PolicyName="zappa-permissions")["PolicyDocument"]
    assert on_role == edited
    tags = {t["Key"]: t["Value"] for t in aws.iam.list_role_tags(RoleName=stage.role)["Tags"]}
    assert tags[DIGEST_TAG] == policy_digest(edited)


def test_a_stage_without_attach_policy_is_refused(deployed):
    stage, aws = deployed
    del stage.config["dev"]["attach_policy"]
    with pytest.raises(StageError, match="no attach_policy"):
        sync_role_policy(stage, aws)


def test_replay_sends_each_failed_task_back_to_the_function_and_empties_the_queue(deployed):
    stage, aws = deployed
    ensure(stage, aws)
    url = aws.sqs.get_queue_url(QueueName=stage.failed_tasks_queue)["QueueUrl"]
    task = {"task_path": "app.notifications.tasks.send_email", "args": ["personal@example.org"], "kwargs": {}}
    aws.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"requestPayload": task, "responseContext": {}}))
    aws.sqs.send_message(QueueUrl=url, MessageBody="not a failure record")
    invoked = []
    aws.lambda_.meta.events.register("before-call.lambda.Invoke", lambda params, **_: invoked.append(params))

    dry = replay(stage, aws, dry_run=True)
    assert "would replay app.notifications.tasks.send_email" in dry and invoked == []
    lines = replay(stage, aws)

    assert (
        invoked and json.loads(invoked[0]["body"]) == task and invoked[0]["headers"]["X-Amz-Invocation-Type"] == "Event"
    )
    assert "replayed app.notifications.tasks.send_email" in lines
    assert not any("personal@example.org" in line for line in dry + lines)


def stage_with(**settings):
    config = {"dev": {"project_name": "demo", "aws_region": "ca-central-1", **settings}}
    return Stage(config, "dev")


def test_a_vpc_config_needs_two_subnets_a_security_group_and_the_eni_permissions(tmp_path):
    bare = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}
    with_eni = {**bare, "Statement": [*bare["Statement"], {"Effect": "Allow", "Action": ENI, "Resource": "*"}]}
    one_subnet = {"SubnetIds": ["subnet-a"], "SecurityGroupIds": []}
    good = {"SubnetIds": ["subnet-a", "subnet-b"], "SecurityGroupIds": ["sg-1"]}

    stage = Stage(
        {"dev": {"attach_policy": write_policy(tmp_path, "bare.json", bare), "vpc_config": one_subnet}}, "dev", tmp_path
    )
    problems = check_vpc_config(stage)
    assert len(problems) == 3
    assert "two availability zones" in problems[0] and "SecurityGroupIds" in problems[1]
    assert "ec2:CreateNetworkInterface" in problems[2]

    stage = Stage(
        {"dev": {"attach_policy": write_policy(tmp_path, "eni.json", with_eni), "vpc_config": good}}, "dev", tmp_path
    )
    assert check_vpc_config(stage) == []
    assert check_vpc_config(stage_with()) == []  # no vpc_config: nothing to check


def quota(stage, unreserved, limit, reserved=None):
    """Lambda's answers for the account's quota, at the HTTP edge (moto has no GetAccountSettings)."""
    aws = Clients("ca-central-1", **FAKE)
    stubber = Stubber(aws.lambda_)
    stubber.add_response(
        "get_account_settings",
        {"AccountLimit": {"ConcurrentExecutions": limit, "UnreservedConcurrentExecutions": unreserved}},
    )
    if reserved is None:
        stubber.add_client_error("get_function_concurrency", "ResourceNotFoundException", http_status_code=404)
    else:
        stubber.add_response("get_function_concurrency", {"ReservedConcurrentExecutions": reserved})
    stubber.activate()
    return check_concurrency(stage, aws)


def test_the_preflight_refuses_a_reservation_the_account_quota_cannot_hold():
    production = stage_with(lambda_concurrency=40)

    problems = quota(production, unreserved=10, limit=10)  # a new account's quota

    assert len(problems) == 1
    assert "allows 10 concurrent executions" in problems[0] and "leave -30 unreserved" in problems[0]
    assert "quota increase" in problems[0]


def test_the_preflight_accepts_a_reservation_that_fits_counting_the_functions_own():
    production = stage_with(lambda_concurrency=40)

    assert quota(production, unreserved=950, limit=1000) == []
    assert quota(production, unreserved=10, limit=50, reserved=40) == []  # already reserved: an update changes nothing
    assert quota(production, unreserved=15, limit=50, reserved=30) != []  # 30 -> 40 leaves 5


def test_a_snapshot_is_taken_of_the_stages_database(moto_server):
    aws = Clients("ca-central-1", endpoint_url=moto_server.url, **FAKE)
    aws.rds.create_db_instance(
        DBInstanceIdentifier="writing-db-snapshot-test",
        DBInstanceClass="db.t4g.micro",
        Engine="postgres",
        MasterUsername="writing",
        MasterUserPassword="not-a-real-password",
        AllocatedStorage=20,
    )
    stage = stage_with(stage_resources={"db_instance_identifier": "writing-db-snapshot-test"})

    line = snapshot(stage, aws)

    snapshots = aws.rds.describe_db_snapshots(DBInstanceIdentifier="writing-db-snapshot-test", SnapshotType="manual")[
        "DBSnapshots"
    ]
    assert [s["Status"] for s in snapshots] == ["available"]
    assert snapshots[0]["DBSnapshotIdentifier"].startswith("demo-dev-pre-migrate-")
    assert f"snapshot {snapshots[0]['DBSnapshotIdentifier']} of writing-db-snapshot-test available" == line
    with pytest.raises(StageError, match="db_instance_identifier"):
        snapshot(stage_with(), aws)


def test_remove_deletes_a_throwaway_stages_pieces_and_refuses_any_other(deployed):
    stage, aws = deployed
    ensure(stage, aws)
    aws.s3.put_object(Bucket=stage.media_bucket, Key="media/a.txt", Body=b"1")
    aws.s3.put_object(Bucket=stage.media_bucket, Key="media/a.txt", Body=b"2")  # two versions

    with pytest.raises(StageError, match="not marked throwaway"):
        remove(stage, aws)
    assert aws.s3.head_bucket(Bucket=stage.media_bucket)

    stage.config["dev"]["stage_resources"]["throwaway"] = True
    remove(stage, aws)

    buckets = [b["Name"] for b in aws.s3.list_buckets()["Buckets"]]
    assert stage.media_bucket not in buckets
    assert aws.cloudwatch.describe_alarms(AlarmNamePrefix=stage.function)["MetricAlarms"] == []
    assert not any(url.endswith(stage.failed_tasks_queue) for url in aws.sqs.list_queues().get("QueueUrls", []))
