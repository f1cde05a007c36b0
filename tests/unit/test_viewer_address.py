"""The login limiter's client key: behind CloudFront the connecting address is an edge
server's, shared by many viewers, so the viewer's own comes from CloudFront-Viewer-Address, but
only on requests that carry the secret CloudFront adds (X-Origin-Verify); anyone calling the
API directly could otherwise pick an address per attempt. CloudFront cannot run here: the
requests are built as CloudFront would send them, and the template is read for the header."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest
from starlette.requests import Request

from expense_tracker.container import Container
from expense_tracker.entrypoints.http.deps import client_address, viewer_ip
from tests.infra import cfn

EDGE = "15.158.0.7"  # a CloudFront edge server, as API Gateway sees the connection
SECRET = b"origin-secret-" + b"x" * 30


def _request(headers: dict[str, str]) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/auth/login",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (EDGE, 443),
    }
    return Request(scope)


def _address(headers: dict[str, str], secret: bytes | None = SECRET) -> str:
    return client_address(_request(headers), cast(Container, SimpleNamespace(origin_secret=secret)))


def test_behind_cloudfront_the_viewers_address_is_the_key() -> None:
    headers = {"CloudFront-Viewer-Address": "198.51.100.10:46532", "X-Origin-Verify": "x"}
    assert _address({**headers, "X-Origin-Verify": SECRET.decode()}) == "198.51.100.10"


def test_an_ipv6_viewer_address_keeps_its_colons() -> None:
    headers = {"CloudFront-Viewer-Address": "2001:db8::8:46532", "X-Origin-Verify": SECRET.decode()}
    assert _address(headers) == "2001:db8::8"


@pytest.mark.parametrize("presented", [None, "", "wrong-secret"])
def test_without_cloudfronts_secret_a_viewer_address_header_is_ignored(
    presented: str | None,
) -> None:
    headers = {"CloudFront-Viewer-Address": "203.0.113.9:1234"}
    if presented is not None:
        headers["X-Origin-Verify"] = presented
    assert _address(headers) == EDGE


def test_where_no_cloudfront_is_configured_the_header_is_never_trusted() -> None:
    headers = {"CloudFront-Viewer-Address": "203.0.113.9:1234", "X-Origin-Verify": "anything"}
    assert _address(headers, secret=None) == EDGE


def test_a_malformed_viewer_address_falls_back_to_the_connection() -> None:
    assert viewer_ip("not-an-address") is None
    headers = {"CloudFront-Viewer-Address": "junk:12", "X-Origin-Verify": SECRET.decode()}
    assert _address(headers) == EDGE


def test_cloudfront_sends_the_secret_and_the_function_reads_it_from_secrets_manager() -> None:
    template = cfn.source()
    distribution = cfn.props(template, "Distribution")["DistributionConfig"]
    (api,) = [o for o in distribution["Origins"] if o["Id"] == "api"]
    (header,) = api["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-Origin-Verify"
    assert "resolve:secretsmanager:${OriginSecret}" in str(header["HeaderValue"])
    variables = cfn.props(template, "ApiFunction")["Environment"]["Variables"]
    assert variables["EXPENSE_TRACKER_ORIGIN_SECRET_ARN"] == {"Ref": "OriginSecret"}
    api_behaviour = [b for b in distribution["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    # Managed-AllViewerExceptHostHeader: forwards CloudFront-Viewer-Address to the origin.
    assert api_behaviour[0]["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
