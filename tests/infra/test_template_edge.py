"""What a browser meets: CloudFront in front of the pages and the API, the API's authorizer and
open routes, sign-up and sign-in in Cognito, the receipts bucket's CORS and lifecycle."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from expense_tracker.entrypoints.cli import aws as publish_cli
from tests.infra import cfn

# API.md: every route needs a token except these (the spec and the JWKS are public too).
OPEN_ROUTES = {
    "GET /api/health",
    "POST /api/auth/signup",
    "POST /api/auth/confirm",
    "POST /api/auth/login",
    "POST /api/auth/refresh",
    "GET /api/openapi.json",
    "GET /.well-known/jwks.json",
}
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


@pytest.fixture(scope="module")
def template() -> cfn.Template:
    return cfn.translated()


def _routes(template: cfn.Template) -> dict[str, dict[str, Any]]:
    routes = cfn.resources(template, "AWS::ApiGatewayV2::Route").values()
    return {r["Properties"]["RouteKey"]: r["Properties"] for r in routes}


def _distribution(template: cfn.Template) -> dict[str, Any]:
    config: dict[str, Any] = cfn.props(template, "Distribution")["DistributionConfig"]
    return config


def test_only_the_open_routes_skip_the_authorizer(template: cfn.Template) -> None:
    routes = _routes(template)
    open_routes = {k for k, r in routes.items() if r["AuthorizationType"] == "NONE"}
    assert open_routes == OPEN_ROUTES
    for key, route in routes.items():
        if key not in OPEN_ROUTES:
            assert route["AuthorizationType"] == "JWT", key
            assert route["AuthorizerId"] == {"Ref": "CognitoAuthorizer"}, key
    assert routes["ANY /api/{proxy+}"]["AuthorizationType"] == "JWT"


def test_every_route_reaches_the_function(template: cfn.Template) -> None:
    for key, route in _routes(template).items():
        assert route["Target"] == {"Fn::Sub": "integrations/${ApiIntegration}"}, key
    integration = cfn.props(template, "ApiIntegration")
    # The published alias, whose version has SnapStart's snapshot ($LATEST never has one).
    assert integration["IntegrationUri"] == {"Ref": "ApiFunctionAliaslive"}
    assert integration["PayloadFormatVersion"] == "2.0"


def test_open_routes_exist_in_the_app(template: cfn.Template) -> None:
    spec = yaml.safe_load((cfn.ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    for route in OPEN_ROUTES - {"GET /api/openapi.json"}:  # the spec does not list itself
        method, path = route.split(" ")
        assert method.lower() in spec["paths"].get(path, {}), route


def test_the_authorizer_checks_the_pools_issuer_and_the_clients_audience(
    template: cfn.Template,
) -> None:
    authorizer = cfn.props(template, "CognitoAuthorizer")
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    jwt = authorizer["JwtConfiguration"]
    assert jwt["Issuer"] == {
        "Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"
    }
    assert jwt["Audience"] == [{"Ref": "UserPoolClient"}]


def test_the_api_has_no_cors_because_cloudfront_shares_the_origin(
    template: cfn.Template,
) -> None:
    assert "CorsConfiguration" not in cfn.props(template, "HttpApi")


def test_cloudfront_serves_pages_from_the_private_bucket(template: cfn.Template) -> None:
    config = _distribution(template)
    origins = {o["Id"]: o for o in config["Origins"]}
    default = config["DefaultCacheBehavior"]
    pages = origins[default["TargetOriginId"]]
    assert pages["DomainName"] == {"Fn::GetAtt": ["PagesBucket", "RegionalDomainName"]}
    assert pages["OriginAccessControlId"] == {"Fn::GetAtt": ["PagesOriginAccessControl", "Id"]}
    assert pages["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert (cfn.ROOT / "src/expense_tracker/web" / config["DefaultRootObject"]).is_file()


@pytest.mark.parametrize("pattern", ["/api/*", "/.well-known/*"])
def test_cloudfront_passes_api_requests_through_uncached(
    template: cfn.Template, pattern: str
) -> None:
    config = _distribution(template)
    behavior = {b["PathPattern"]: b for b in config["CacheBehaviors"]}[pattern]
    origin = {o["Id"]: o for o in config["Origins"]}[behavior["TargetOriginId"]]
    assert origin["DomainName"] == {
        "Fn::Sub": "${HttpApi}.execute-api.${AWS::Region}.amazonaws.com"
    }
    # Caching disabled is what lets the all-viewer policy forward Authorization.
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST


def test_the_api_behaviour_allows_every_method_the_api_uses(template: cfn.Template) -> None:
    behavior = {b["PathPattern"]: b for b in _distribution(template)["CacheBehaviors"]}["/api/*"]
    assert {"GET", "POST", "PATCH", "DELETE"} <= set(behavior["AllowedMethods"])


def test_geo_restriction_defaults_to_north_america_and_europe(template: cfn.Template) -> None:
    parameter = template["Parameters"]["GeoRestriction"]
    assert parameter["Default"] == "NorthAmericaAndEurope"
    countries = template["Mappings"]["Geo"]
    assert set(parameter["AllowedValues"]) == set(countries) | {"Anywhere"}
    both = set(countries["NorthAmericaAndEurope"]["Countries"])
    assert both == set(countries["NorthAmerica"]["Countries"]) | set(
        countries["Europe"]["Countries"]
    )
    assert {"US", "CA", "MX", "GB", "DE", "FR", "NO"} <= both
    for codes in countries.values():
        assert all(isinstance(c, str) and re.fullmatch(r"[A-Z]{2}", c) for c in codes["Countries"])
    geo = _distribution(template)["Restrictions"]["GeoRestriction"]["Fn::If"]
    assert geo[0] == "Unrestricted"
    assert geo[2]["RestrictionType"] == "whitelist"


def test_users_sign_in_with_a_verified_email(template: cfn.Template) -> None:
    pool = cfn.props(template, "UserPool")
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}


def test_the_app_client_has_no_secret_and_allows_password_sign_in_and_refresh(
    template: cfn.Template,
) -> None:
    client = cfn.props(template, "UserPoolClient")
    assert client["GenerateSecret"] is False
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    # Refresh with rotation (GetTokensFromRefreshToken): a used refresh token is refused.
    # A grace period for a lost refresh answer (tests/aws/test_cognito_refresh_reuse.py).
    assert client["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 60}
    assert client["EnableTokenRevocation"] is True


def test_receipts_cors_allows_the_site_to_upload_and_view_only(template: cfn.Template) -> None:
    (rule,) = cfn.props(template, "ReceiptsBucket")["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [{"Fn::Sub": "https://${Distribution.DomainName}"}]
    assert set(rule["AllowedMethods"]) == {"POST", "GET"}
    for bucket in ("PagesBucket", "DataLakeBucket"):
        assert "CorsConfiguration" not in cfn.props(template, bucket)


def test_receipts_lifecycle_cleans_up_unfinished_uploads(template: cfn.Template) -> None:
    rules = cfn.props(template, "ReceiptsBucket")["LifecycleConfiguration"]["Rules"]
    assert all(rule["Status"] == "Enabled" for rule in rules)
    assert any(
        r.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation") for r in rules
    )
    pending = [r for r in rules if r.get("TagFilters")]
    assert pending and pending[0]["ExpirationInDays"] <= 2
    assert pending[0]["TagFilters"] == [{"Key": "receipt-state", "Value": "pending"}]


def test_pending_uploads_of_every_kind_carry_the_expiring_tag(template: cfn.Template) -> None:
    """Receipts, scan photos and import statements all get their ticket from the store's
    upload_ticket, whose POST policy adds the tag the lifecycle rule expires."""
    from expense_tracker.adapters.aws.s3_receipts import PENDING_TAGGING

    rules = cfn.props(template, "ReceiptsBucket")["LifecycleConfiguration"]["Rules"]
    (pending,) = [r for r in rules if r["Id"] == "expire-abandoned-pending-uploads"]
    assert pending["Prefix"] == "users/"
    tag = pending["TagFilters"][0]
    assert f"<Key>{tag['Key']}</Key><Value>{tag['Value']}</Value>" in PENDING_TAGGING


def test_the_function_may_list_user_prefixes_only_for_the_quota(template: cfn.Template) -> None:
    grants = [
        statement
        for where, statement in cfn.statements(template)
        if where.startswith("ApiFunctionRole/") and "s3:ListBucket" in cfn.as_list(
            statement["Action"])
    ]  # fmt: skip
    assert len(grants) == 1
    assert grants[0]["Condition"] == {"StringLike": {"s3:prefix": ["users/*"]}}


def test_pages_bucket_keeps_versions(template: cfn.Template) -> None:
    assert cfn.props(template, "PagesBucket")["VersioningConfiguration"] == {"Status": "Enabled"}


def test_outputs_name_everything_a_user_and_publish_web_need(template: cfn.Template) -> None:
    outputs = template["Outputs"]
    wanted = {"SiteUrl", "ApiUrl", "UserPoolId", "UserPoolClientId"}
    wanted |= {publish_cli.PAGES_BUCKET_OUTPUT, publish_cli.DISTRIBUTION_OUTPUT}
    assert wanted <= set(outputs)
    assert outputs[publish_cli.PAGES_BUCKET_OUTPUT]["Value"] == {"Ref": "PagesBucket"}
    assert outputs[publish_cli.DISTRIBUTION_OUTPUT]["Value"] == {"Ref": "Distribution"}
