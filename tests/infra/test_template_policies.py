"""Security properties of the translated CloudFormation: least privilege, private buckets, a
durable table, HTTPS only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra import cfn

DATA_SERVICES = ("dynamodb:", "s3:", "cognito-idp:", "secretsmanager:", "logs:")


@pytest.fixture(scope="module")
def template() -> cfn.Template:
    return cfn.translated()


def test_every_allowed_action_is_named_without_wildcards(template: cfn.Template) -> None:
    allows = [(w, s) for w, s in cfn.statements(template) if s["Effect"] == "Allow"]
    assert allows, "no Allow statement found: the policy walk is broken"
    for where, statement in allows:
        for action in cfn.as_list(statement["Action"]):
            assert "*" not in action, f"{where}: wildcard action {action}"


def test_no_data_permission_is_granted_on_every_resource(template: cfn.Template) -> None:
    for where, statement in cfn.statements(template):
        actions = cfn.as_list(statement["Action"])
        if statement["Effect"] == "Allow" and any(a.startswith(DATA_SERVICES) for a in actions):
            assert "*" not in cfn.as_list(statement["Resource"]), where


def test_no_full_access_managed_policy_anywhere(template: cfn.Template) -> None:
    text = json.dumps(template)
    assert "FullAccess" not in text
    for role in cfn.resources(template, "AWS::IAM::Role").values():
        assert not role["Properties"].get("ManagedPolicyArns"), "only inline, named policies"


def test_the_function_role_is_scoped_to_the_stacks_own_resources(
    template: cfn.Template,
) -> None:
    scopes: dict[str, set[str]] = {}
    for where, statement in cfn.statements(template):
        if where.startswith("ApiFunctionRole/"):
            for action in cfn.as_list(statement["Action"]):
                scopes.setdefault(action.split(":")[0], set()).update(
                    json.dumps(r, sort_keys=True) for r in cfn.as_list(statement["Resource"])
                )

    def scope(*resources: Any) -> set[str]:
        return {json.dumps(r, sort_keys=True) for r in resources}

    assert scopes == {
        "dynamodb": scope({"Fn::GetAtt": ["Table", "Arn"]}, {"Fn::Sub": "${Table.Arn}/index/*"}),
        # The lake is the worker's; the bucket itself only for listing users/* (the quota).
        "s3": scope(
            {"Fn::Sub": "${ReceiptsBucket.Arn}/users/*"}, {"Fn::GetAtt": ["ReceiptsBucket", "Arn"]}
        ),
        "secretsmanager": scope({"Ref": "CursorSecret"}, {"Ref": "OriginSecret"}),
        "cognito-idp": scope({"Fn::GetAtt": ["UserPool", "Arn"]}),
        "logs": scope({"Fn::GetAtt": ["ApiFunctionLogGroup", "Arn"]}),
        "sqs": scope({"Fn::GetAtt": ["JobsQueue", "Arn"]}),
        "ses": scope(
            {
                "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
                ":identity/${AlertEmailIdentity}"
            }
        ),
    }


def test_every_bucket_is_private_encrypted_and_owner_enforced(template: cfn.Template) -> None:
    buckets = cfn.resources(template, "AWS::S3::Bucket")
    assert set(buckets) == {"ReceiptsBucket", "PagesBucket", "DataLakeBucket"}
    for name, bucket in buckets.items():
        properties = bucket["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, name
        assert properties["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "BucketOwnerEnforced"}
        ], name
        rules = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rules[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}


def test_every_bucket_refuses_requests_without_tls(template: cfn.Template) -> None:
    policies = cfn.resources(template, "AWS::S3::BucketPolicy").values()
    guarded = set()
    for policy in policies:
        for statement in cfn.as_list(policy["Properties"]["PolicyDocument"]["Statement"]):
            if statement["Effect"] == "Deny" and statement.get("Condition") == {
                "Bool": {"aws:SecureTransport": "false"}
            }:
                guarded.add(policy["Properties"]["Bucket"]["Ref"])
    assert guarded == set(cfn.resources(template, "AWS::S3::Bucket"))


def test_only_cloudfront_reads_the_pages_and_only_for_this_distribution(
    template: cfn.Template,
) -> None:
    allows = [
        s
        for s in cfn.props(template, "PagesBucketPolicy")["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source_arn = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source_arn.endswith(":distribution/${Distribution}")
    for name in ("ReceiptsBucketPolicy", "DataLakeBucketPolicy"):
        document = cfn.props(template, name)["PolicyDocument"]
        assert all(s["Effect"] == "Deny" for s in document["Statement"]), name


def test_the_table_is_durable_encrypted_and_retained(template: cfn.Template) -> None:
    table = cfn.only(template, "AWS::DynamoDB::Table")
    properties = table["Properties"]
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


def test_the_user_pool_outlives_the_stack(template: cfn.Template) -> None:
    pool = cfn.only(template, "AWS::Cognito::UserPool")
    assert pool["DeletionPolicy"] == pool["UpdateReplacePolicy"] == "Retain"
    assert pool["Properties"]["DeletionProtection"] == "ACTIVE"


def test_viewers_only_ever_use_https(template: cfn.Template) -> None:
    config = cfn.props(template, "Distribution")["DistributionConfig"]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    for behavior in behaviors:
        assert behavior["ViewerProtocolPolicy"] in {"redirect-to-https", "https-only"}
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}
    for origin in config["Origins"]:
        if "CustomOriginConfig" in origin:
            assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_security_headers_include_hsts_nosniff_framing_and_csp(template: cfn.Template) -> None:
    config = cfn.props(template, "SecurityHeadersPolicy")["ResponseHeadersPolicyConfig"]
    headers = config["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["StrictTransportSecurity"]["Override"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert set(headers) >= {"ContentTypeOptions", "ReferrerPolicy", "ContentSecurityPolicy"}


def test_the_secrets_are_generated_never_literals(template: cfn.Template) -> None:
    for name in ("CursorSecret", "OriginSecret"):
        secret = cfn.props(template, name)
        assert secret["GenerateSecretString"]["PasswordLength"] >= 32
        assert "SecretString" not in secret
    variables = cfn.props(template, "ApiFunction")["Environment"]["Variables"]
    # Only the ARN: the function reads the value at init (tests/aws/test_cursor_secret.py).
    assert variables["EXPENSE_TRACKER_SECRET_ARN"] == {"Ref": "CursorSecret"}
    assert not [p for p in template["Parameters"] if "secret" in p.lower()]
