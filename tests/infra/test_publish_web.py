"""`expense-tracker aws publish-web` against moto: the stack's outputs name the bucket and the
distribution; every page lands with its content type and cache policy; CloudFront is told."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from expense_tracker.entrypoints.cli import app
from expense_tracker.entrypoints.cli import aws as publish_cli

REGION = "eu-west-1"
STACK = "household"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A stack like infra/template.yaml's, reduced to what publish-web reads."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        distribution = boto3.client("cloudfront").create_distribution(
            DistributionConfig={
                "CallerReference": "test",
                "Comment": "pages",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "pages",
                            "DomainName": "pages.s3.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "pages",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
            }
        )["Distribution"]
        template = {
            "Resources": {"Pages": {"Type": "AWS::S3::Bucket"}},
            "Outputs": {
                publish_cli.PAGES_BUCKET_OUTPUT: {"Value": {"Ref": "Pages"}},
                publish_cli.DISTRIBUTION_OUTPUT: {"Value": distribution["Id"]},
                publish_cli.SITE_URL_OUTPUT: {"Value": f"https://{distribution['DomainName']}"},
            },
        }
        cloudformation = boto3.client("cloudformation")
        cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(template))
        outputs = cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]["Outputs"]
        yield {o["OutputKey"]: o["OutputValue"] for o in outputs}


def _publish(*args: str) -> Any:
    return CliRunner().invoke(app, ["aws", "publish-web", "--stack", STACK, *args])


def _objects(bucket: str) -> dict[str, Any]:
    s3 = boto3.client("s3")
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.head_object(Bucket=bucket, Key=o["Key"]) for o in listed}


def _site(root: Path) -> Path:
    for name, body in {
        "login.html": "<!doctype html>",
        "tracker.html": "<!doctype html>",
        "js/api.js": "export {}",
        "css/app.css": "body{}",
        "favicon.svg": "<svg/>",
        "__pycache__/x.pyc": "",
        ".DS_Store": "",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    return root


def test_every_packaged_page_is_uploaded_with_its_type_and_cache_policy(
    aws: dict[str, str],
) -> None:
    result = _publish()
    assert result.exit_code == 0, result.output
    web = publish_cli.default_web_root()
    local = {p.relative_to(web).as_posix() for p in web.rglob("*") if p.is_file()}
    local = {k for k in local if "__pycache__" not in k}
    uploaded = _objects(aws[publish_cli.PAGES_BUCKET_OUTPUT])
    assert set(uploaded) == local
    for key, head in uploaded.items():
        assert head["ContentType"] == publish_cli.content_type_for(key), key
        assert head["CacheControl"] == publish_cli.cache_control_for(key), key
        assert head["ContentLength"] == (web / key).stat().st_size, key


def test_content_types_and_cache_headers_by_kind_of_file(
    aws: dict[str, str], tmp_path: Path
) -> None:
    result = _publish("--source", str(_site(tmp_path)))
    assert result.exit_code == 0, result.output
    heads = _objects(aws[publish_cli.PAGES_BUCKET_OUTPUT])
    found = {k: (h["ContentType"], h["CacheControl"]) for k, h in heads.items()}
    assert found == {
        "login.html": ("text/html; charset=utf-8", "no-cache"),
        "tracker.html": ("text/html; charset=utf-8", "no-cache"),
        "js/api.js": ("text/javascript; charset=utf-8", "public, max-age=86400"),
        "css/app.css": ("text/css; charset=utf-8", "public, max-age=86400"),
        "favicon.svg": ("image/svg+xml", "public, max-age=86400"),
    }


def test_publishing_invalidates_the_whole_distribution(aws: dict[str, str], tmp_path: Path) -> None:
    result = _publish("--source", str(_site(tmp_path)))
    assert result.exit_code == 0, result.output
    cloudfront = boto3.client("cloudfront")
    distribution = aws[publish_cli.DISTRIBUTION_OUTPUT]
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    assert listed["Quantity"] == 1
    invalidation_id = listed["Items"][0]["Id"]
    paths = cloudfront.get_invalidation(DistributionId=distribution, Id=invalidation_id)
    assert paths["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/*"]
    assert invalidation_id in result.output
    assert aws[publish_cli.SITE_URL_OUTPUT] in result.output


def test_files_the_pages_no_longer_have_are_removed_unless_kept(
    aws: dict[str, str], tmp_path: Path
) -> None:
    bucket = aws[publish_cli.PAGES_BUCKET_OUTPUT]
    boto3.client("s3").put_object(Bucket=bucket, Key="js/old.js", Body=b"")
    assert _publish("--source", str(_site(tmp_path)), "--no-prune").exit_code == 0
    assert "js/old.js" in _objects(bucket)
    assert _publish("--source", str(tmp_path)).exit_code == 0
    assert "js/old.js" not in _objects(bucket)


def test_a_missing_stack_is_reported_without_a_traceback(
    aws: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["aws", "publish-web", "--stack", "nope", "--source", str(_site(tmp_path))]
    )
    assert result.exit_code == 1
    assert "nope" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_folder_without_pages_is_refused(aws: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.pyc").write_text("", encoding="utf-8")
    result = _publish("--source", str(tmp_path))
    assert result.exit_code == 1
    assert "No pages found" in result.output
    assert _objects(aws[publish_cli.PAGES_BUCKET_OUTPUT]) == {}


def test_html_goes_up_after_the_assets_it_points_at(tmp_path: Path) -> None:
    keys = [page.key for page in publish_cli.page_files(_site(tmp_path))]
    assert keys[-2:] == ["login.html", "tracker.html"]
    assert not any(k.endswith(".html") for k in keys[:-2])
    assert not any("__pycache__" in k or k.startswith(".") for k in keys)


def test_unknown_files_are_served_as_bytes() -> None:
    assert publish_cli.content_type_for("data.unknownext") == "application/octet-stream"
    assert publish_cli.content_type_for("font.WOFF2") == "font/woff2"
