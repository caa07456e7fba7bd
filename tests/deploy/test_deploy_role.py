"""What the rehearsed deploys did around the function, read back from moto; and the deploy role as code.

The shared rehearsal (tests/deploy/conftest.py) takes the update's secrets from SSM Parameter Store
and edits the stage's attach_policy before it. moto recorded every request it served: each is named
by its operation and IAM action (scripts/aws_calls.py) and must be allowed by policies/deploy-role.json.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from aws_calls import actions_of, allowed_actions, allows, calls_in
from stage_resources import DIGEST_TAG, policy_digest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_ROLE = json.loads((ROOT / "policies" / "deploy-role.json").read_text())
# Allowed, but no rehearsal request shows them; each with the reason.
NOT_REHEARSED = {
    "lambda:ListFunctionUrlConfigs": "every zappa update calls it; moto 5.2.5 has no route, so nothing is recorded",
    "lambda:GetAccountSettings": "the preflight's quota check; moto has no such route (--no-quota on moto)",
    "lambda:GetFunctionConcurrency": "the preflight's quota check, skipped on moto with GetAccountSettings",
    "dynamodb:GetItem": "read only when another deploy holds the lock (tests/deploy/test_safety.py)",
}
# What CloudFormation does with the caller's permissions for the resources of Zappa's template.
THROUGH_CLOUDFORMATION = {
    "AWS::ApiGateway::": [f"apigateway:{verb}" for verb in ("GET", "POST", "PUT", "PATCH", "DELETE")],
    "AWS::Lambda::Permission": ["lambda:AddPermission", "lambda:RemovePermission"],
}


@pytest.fixture(scope="module")
def rolled_back(rehearsal, tmp_path_factory):
    """The requests of deploy.sh's rollback (`deploy_state.py snapshot`, then `restore`) of the updated stage.

    The snapshot is of the stage as the update left it, so the restore puts back the same code (from
    the release kept in S3) and configuration: the same calls as after a failed deploy, and the other
    tests still read the updated stage.
    """
    snapshot = tmp_path_factory.mktemp("rollback") / "snapshot.json"
    env = {**rehearsal.env(), "VIRTUAL_ENV": str(rehearsal.venv)}
    python = str(rehearsal.venv / "bin" / "python")
    start = rehearsal.moto.recorded_count()
    for command in (["snapshot", "dev", "--out", str(snapshot)], ["restore", "dev", "--snapshot", str(snapshot)]):
        proc = subprocess.run(
            [python, "scripts/deploy_state.py", *command],
            cwd=rehearsal.repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "code and configuration restored" in proc.stdout + proc.stderr
    return rehearsal.moto.recorded(start)


def rehearsed_actions(rehearsal, rolled_back):
    calls, unknown = calls_in([*rehearsal.recorded, *rolled_back])
    assert unknown == []
    return actions_of(calls)


def test_the_update_took_its_secrets_from_parameter_store(rehearsal):
    variables = rehearsal.lambda_configuration()["Environment"]["Variables"]

    assert rehearsal.secrets_source == "ssm"
    assert {name: variables[name] for name in rehearsal.secrets} == rehearsal.secrets
    assert all(rehearsal.earlier_secrets[name] != value for name, value in rehearsal.secrets.items())
    calls, _ = calls_in(rehearsal.recorded)
    reads = [call.operation for call in calls if call.service == "ssm"]
    assert reads == ["GetParametersByPath"]  # one page for 7 parameters, during the update only
    for value in [*rehearsal.secrets.values(), *rehearsal.earlier_secrets.values()]:
        for proc in (rehearsal.initial, rehearsal.update):
            assert value not in proc.stdout + proc.stderr


def test_the_attach_policy_edited_before_an_ordinary_update_is_on_the_role(rehearsal):
    role = rehearsal.lambda_configuration()["Role"].rsplit("/", 1)[-1]

    assert rehearsal.role_policy() == {"zappa-permissions": rehearsal.edited_policy}
    assert "RehearsalEdit" in json.dumps(rehearsal.edited_policy)
    tags = {t["Key"]: t["Value"] for t in rehearsal.client("iam").list_role_tags(RoleName=role)["Tags"]}
    assert tags[DIGEST_TAG] == policy_digest(rehearsal.edited_policy)
    assert "role policy: policies/dev.json applied to" in rehearsal.update.stdout


def test_the_first_deploy_made_the_private_versioned_encrypted_media_bucket_and_the_rest(rehearsal):
    s3, function = rehearsal.client("s3"), rehearsal.function_name
    bucket = rehearsal.stage_setting("aws_environment_variables")["AWS_STORAGE_BUCKET_NAME"]

    assert f"media bucket {bucket}: created" in rehearsal.initial.stdout
    assert f"media bucket {bucket}: exists" in rehearsal.update.stdout
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    groups = rehearsal.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{function}")["logGroups"]
    assert [g["retentionInDays"] for g in groups] == [rehearsal.stage_setting("stage_resources")["log_retention_days"]]
    invoke = rehearsal.client("lambda").get_function_event_invoke_config(FunctionName=function)
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"].endswith(f":{function}-failed-tasks")
    alarms = rehearsal.client("cloudwatch").describe_alarms(AlarmNamePrefix=function)["MetricAlarms"]
    assert sorted(a["AlarmName"].removeprefix(function + "-") for a in alarms) == [
        "duration-near-timeout",
        "errors",
        "failed-tasks",
        "throttles",
    ]


def test_the_deploy_role_allows_every_call_of_a_first_deploy_an_update_a_rollback_and_the_schedules(
    rehearsal, rolled_back
):
    actions = rehearsed_actions(rehearsal, rolled_back)

    assert {"lambda:CreateFunction", "events:PutRule", "ssm:GetParametersByPath", "iam:PutRolePolicy"} <= actions
    rollback, _ = calls_in(rolled_back)
    assert "UpdateFunctionCode" in {c.operation for c in rollback}, "the rollback put the kept release back"
    assert sorted(action for action in actions if not allows(DEPLOY_ROLE, action)) == []


def test_the_deploy_role_allows_nothing_a_deploy_does_not_call(rehearsal, rolled_back):
    used = rehearsed_actions(rehearsal, rolled_back)
    stack = rehearsal.client("cloudformation").list_stack_resources(StackName=rehearsal.function_name)
    for resource in stack["StackResourceSummaries"]:
        for prefix, actions in THROUGH_CLOUDFORMATION.items():
            if resource["ResourceType"].startswith(prefix):
                used |= set(actions)

    unused = allowed_actions(DEPLOY_ROLE) - used - set(NOT_REHEARSED)
    assert sorted(unused) == []
    assert not set(NOT_REHEARSED) & used, "an action listed as not rehearsed is rehearsed now: remove it from the list"


def test_the_check_finds_an_action_the_policy_lacks(rehearsal, rolled_back):
    statements = [s for s in DEPLOY_ROLE["Statement"] if s["Sid"] != "Schedules"]
    without_schedules = {**DEPLOY_ROLE, "Statement": statements}
    actions = rehearsed_actions(rehearsal, rolled_back)

    assert {"events:PutRule", "events:PutTargets"} <= {a for a in actions if not allows(without_schedules, a)}


def test_the_deploy_role_is_scoped_to_the_dev_stage():
    for statement in DEPLOY_ROLE["Statement"]:
        resources = statement["Resource"]
        resources = [resources] if isinstance(resources, str) else resources
        for action in statement["Action"]:
            assert not action.endswith("*"), action
        if resources == ["*"]:
            assert statement["Action"] == ["lambda:GetAccountSettings", "events:ListRuleNamesByTarget"]
            continue
        for resource in resources:
            if resource.startswith("arn:aws:apigateway:"):  # REST API ids are random: no name to scope to
                assert resource.endswith(("::/restapis", "::/restapis/*")), resource
                continue
            if resource.endswith(":table/writing-sessions-deploy-locks"):  # one table, items keyed by stage
                assert statement["Action"] == ["dynamodb:DescribeTable", "dynamodb:CreateTable"] or statement[
                    "Condition"
                ] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["dev"]}}
                continue
            assert re.search(r"writing-sessions[-/](zappa-|media-)?dev\b", resource), resource
    assert "production" not in json.dumps(DEPLOY_ROLE)


def workflow_environment(path, job):
    return yaml.safe_load((ROOT / ".github" / "workflows" / path).read_text())["jobs"][job]["environment"]


@pytest.mark.parametrize(
    ("trust", "workflow", "job"),
    [("deploy-role-trust.json", "ci.yml", "deploy-dev"), ("sandbox-role-trust.json", "aws-smoke.yml", "smoke")],
)
def test_the_oidc_trust_names_the_environment_the_job_runs_in(trust, workflow, job):
    statement = json.loads((ROOT / "policies" / trust).read_text())["Statement"][0]
    condition = statement["Condition"]["StringEquals"]

    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    environment = workflow_environment(workflow, job)
    assert condition["token.actions.githubusercontent.com:sub"] == f"repo:OWNER/REPO:environment:{environment}"


def test_the_sandbox_role_is_the_deploy_role_with_sandbox_names_plus_undeploy():
    sandbox = json.loads((ROOT / "policies" / "sandbox-role.json").read_text())
    renamed = json.loads(json.dumps(DEPLOY_ROLE).replace("dev", "sandbox"))
    extra = {"UndeployTheThrowawayStage", "RemoveTheThrowawayStagesResources", "StatusMetrics"}

    assert [s for s in sandbox["Statement"] if s["Sid"] not in extra] == renamed["Statement"]
    assert {s["Sid"] for s in sandbox["Statement"]} >= extra
