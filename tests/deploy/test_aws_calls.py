"""scripts/aws_calls.py: a recorded request is named by its operation and IAM action; a policy is read as IAM reads it.

The requests are the ones botocore itself builds (caught before they are sent), for each protocol
the deploy meets: REST JSON (Lambda, API Gateway), REST XML (S3), query (IAM, CloudFormation),
JSON (SSM, EventBridge, SQS, Logs) and whatever CloudWatch uses in this botocore.
"""

import base64
import json

import boto3
import pytest
from aws_calls import Call, allows, calls_in

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["lambda:Get*", "s3:ListBucket", "apigateway:GET"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
        {"Effect": "Deny", "Action": "lambda:GetPolicy", "Resource": "*"},
    ],
}


class Caught(Exception):
    pass


def recorded(service, operation, **params):
    """The request botocore would send for `operation`, as moto's recorder writes it down."""
    client = boto3.client(
        service,
        region_name="ca-central-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    entries = []

    def catch(request, **_):
        body = request.body or b""
        body = body.read() if hasattr(body, "read") else body
        body = body if isinstance(body, bytes) else body.encode()

        entries.append(
            {
                "method": request.method,
                "url": request.url,
                "headers": {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()},
                "body": base64.b64encode(body).decode(),
                "body_encoded": True,
            }
        )
        raise Caught

    client.meta.events.register("before-send", catch)
    with pytest.raises(Caught):
        getattr(client, operation)(**params)
    return entries


CASES = [
    ("lambda", "get_function_configuration", {"FunctionName": "writing-sessions-dev"}, "GetFunctionConfiguration"),
    ("lambda", "invoke", {"FunctionName": "f", "InvocationType": "Event"}, "lambda:InvokeFunction"),
    ("lambda", "update_function_code", {"FunctionName": "f", "ZipFile": b"x"}, "UpdateFunctionCode"),
    ("lambda", "put_function_concurrency", {"FunctionName": "f", "ReservedConcurrentExecutions": 5}, None),
    ("lambda", "list_versions_by_function", {"FunctionName": "f"}, None),
    ("s3", "head_bucket", {"Bucket": "b"}, "s3:ListBucket"),
    ("s3", "create_bucket", {"Bucket": "b"}, "CreateBucket"),
    ("s3", "put_bucket_versioning", {"Bucket": "b", "VersioningConfiguration": {"Status": "Enabled"}}, None),
    ("s3", "put_object", {"Bucket": "b", "Key": "a/b.zip", "Body": b"x"}, "PutObject"),
    ("s3", "list_objects_v2", {"Bucket": "b"}, "s3:ListBucket"),
    ("s3", "get_object", {"Bucket": "b", "Key": "k"}, "GetObject"),
    ("s3", "delete_object", {"Bucket": "b", "Key": "k"}, "DeleteObject"),
    ("s3", "abort_multipart_upload", {"Bucket": "b", "Key": "k", "UploadId": "u"}, "AbortMultipartUpload"),
    ("s3", "copy_object", {"Bucket": "b", "Key": "k", "CopySource": "b/j"}, "s3:PutObject"),
    ("apigateway", "get_rest_apis", {}, "apigateway:GET"),
    ("iam", "get_role", {"RoleName": "r"}, "GetRole"),
    ("cloudformation", "describe_stacks", {"StackName": "s"}, "DescribeStacks"),
    ("ssm", "get_parameters_by_path", {"Path": "/p/dev/", "WithDecryption": True}, "GetParametersByPath"),
    ("events", "put_rule", {"Name": "r", "ScheduleExpression": "rate(1 day)"}, "PutRule"),
    ("sqs", "create_queue", {"QueueName": "q"}, "CreateQueue"),
    ("logs", "put_retention_policy", {"logGroupName": "/aws/lambda/f", "retentionInDays": 30}, None),
    (
        "cloudwatch",
        "put_metric_alarm",
        {
            "AlarmName": "a",
            "MetricName": "Errors",
            "Namespace": "AWS/Lambda",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "Statistic": "Sum",
        },
        "cloudwatch:PutMetricAlarm",
    ),
]


@pytest.mark.parametrize(("service", "operation", "params", "expected"), CASES, ids=[c[1] for c in CASES])
def test_each_recorded_request_is_named_by_its_operation(service, operation, params, expected):
    calls, unknown = calls_in(recorded(service, operation, **params))

    assert unknown == []
    assert len(calls) == 1
    name = "".join(part.title() for part in operation.split("_"))
    assert calls[0].operation == name or (expected and expected.endswith(calls[0].operation))
    action = calls[0].actions[0]
    if expected and ":" in expected:
        assert action == expected
    else:
        assert action == f"{service}:{expected or name}"


def test_a_function_creation_also_needs_its_role_and_code_and_identity_needs_nothing():
    created = Call("lambda", "CreateFunction", "POST", "/").actions
    assert created == ["lambda:CreateFunction", "iam:PassRole", "s3:GetObject"]  # Lambda reads the code from S3
    assert Call("events", "PutRule", "POST", "/").actions == ["events:PutRule", "iam:PassRole"]
    assert Call("s3", "CopyObject", "PUT", "/b/k").actions == ["s3:PutObject", "s3:GetObject"]
    assert Call("sts", "GetCallerIdentity", "POST", "/").actions == []


def test_requests_that_are_not_aws_calls_are_reported_not_guessed():
    entries = [
        {"method": "POST", "url": "http://127.0.0.1/moto-api/config", "headers": {}, "body": ""},
        {"method": "GET", "url": "http://127.0.0.1/anything", "headers": {}, "body": ""},
    ]
    calls, unknown = calls_in(entries)
    assert calls == [] and unknown == ["GET http://127.0.0.1/anything (no AWS signature)"]


def test_a_policy_allows_by_wildcard_and_a_deny_wins():
    assert allows(POLICY, "lambda:GetFunctionConfiguration")
    assert allows(POLICY, "LAMBDA:getfunction")  # IAM compares actions without case
    assert not allows(POLICY, "lambda:GetPolicy")  # denied explicitly
    assert not allows(POLICY, "lambda:UpdateFunctionCode")
    assert not allows(POLICY, "apigateway:POST")
    assert allows(json.loads(json.dumps(POLICY)), "iam:PassRole")
