"""`aws publish-web`: put the pages into a deployed stack's bucket and refresh CloudFront.

The stack (infra/template.yaml) names its pages bucket and distribution in its outputs, so the
only thing a user passes is the stack name. boto3 is imported lazily: it is the `aws` extra."""

from __future__ import annotations

import mimetypes
import uuid
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .base import app

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudfront import CloudFrontClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

PAGES_BUCKET_OUTPUT = "PagesBucketName"
DISTRIBUTION_OUTPUT = "DistributionId"
SITE_URL_OUTPUT = "SiteUrl"

# HTML is revalidated on every visit, so a publish shows at once. Assets keep fixed names (no
# content hash), so their lifetime bounds how long a visitor may run old scripts with new
# pages: a day.
HTML_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=86400"

# Explicit, so the upload does not depend on the machine's mime.types.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
}
SKIPPED_SUFFIXES = {".py", ".pyc"}

aws_app = typer.Typer(no_args_is_help=True, help="Operate a deployment on AWS (docs/deploy.md).")
app.add_typer(aws_app, name="aws")


class PublishError(Exception):
    """Something the user must fix; the message says what."""


@dataclass(frozen=True)
class PageFile:
    path: Path
    key: str
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class Published:
    uploaded: list[str]
    removed: list[str]
    invalidation_id: str


def default_web_root() -> Path:
    return Path(str(files("expense_tracker") / "web"))


def content_type_for(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def cache_control_for(key: str) -> str:
    if key.endswith(".html"):
        return HTML_CACHE
    return ASSET_CACHE


def page_files(root: Path) -> list[PageFile]:
    """Every file to publish, HTML last: a new page never points at an asset not yet there."""
    found: list[PageFile] = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        hidden = any(part.startswith((".", "__")) for part in relative.parts)
        if path.is_file() and not hidden and path.suffix not in SKIPPED_SUFFIXES:
            key = relative.as_posix()
            found.append(PageFile(path, key, content_type_for(key), cache_control_for(key)))
    if not found:
        raise PublishError(f"No pages found in {root}")
    return sorted(found, key=lambda f: (f.key.endswith(".html"), f.key))


def stack_outputs(cloudformation: CloudFormationClient, stack: str) -> dict[str, str]:
    from botocore.exceptions import ClientError

    try:
        stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        raise PublishError(f"Cannot read stack {stack!r}: {exc}") from exc
    outputs = stacks[0].get("Outputs", []) if stacks else []
    return {o["OutputKey"]: o["OutputValue"] for o in outputs if "OutputKey" in o}


def targets(outputs: dict[str, str], stack: str) -> tuple[str, str]:
    missing = [k for k in (PAGES_BUCKET_OUTPUT, DISTRIBUTION_OUTPUT) if not outputs.get(k)]
    if missing:
        raise PublishError(f"Stack {stack!r} has no output {', '.join(missing)}")
    return outputs[PAGES_BUCKET_OUTPUT], outputs[DISTRIBUTION_OUTPUT]


def stale_keys(s3: S3Client, bucket: str, keep: set[str]) -> list[str]:
    stale: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        stale.extend(o["Key"] for o in page.get("Contents", []) if o["Key"] not in keep)
    return stale


def publish(
    s3: S3Client,
    cloudfront: CloudFrontClient,
    *,
    bucket: str,
    distribution_id: str,
    pages: list[PageFile],
    prune: bool,
) -> Published:
    for page in pages:
        s3.put_object(
            Bucket=bucket,
            Key=page.key,
            Body=page.path.read_bytes(),
            ContentType=page.content_type,
            CacheControl=page.cache_control,
        )
    removed = stale_keys(s3, bucket, {p.key for p in pages}) if prune else []
    for first in range(0, len(removed), 1000):  # the bucket is versioned: nothing is lost
        batch: list[ObjectIdentifierTypeDef] = [{"Key": k} for k in removed[first : first + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    invalidation = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},  # one path: one of 1,000 free a month
            "CallerReference": f"publish-web-{uuid.uuid4()}",
        },
    )
    return Published([p.key for p in pages], removed, invalidation["Invalidation"]["Id"])


@aws_app.command("publish-web")
def publish_web(
    stack: Annotated[str, typer.Option("--stack", help="The CloudFormation stack's name")],
    region: Annotated[
        str | None, typer.Option(help="The stack's region (default: the AWS CLI's)")
    ] = None,
    source: Annotated[
        Path | None, typer.Option(help="The pages folder (default: the installed package's)")
    ] = None,
    prune: Annotated[
        bool, typer.Option(help="Delete bucket files the pages no longer have")
    ] = True,
) -> None:
    """Upload the web pages to the stack's bucket and invalidate its CloudFront cache."""
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError as exc:  # pragma: no cover - the dev and aws installs have it
        raise typer.BadParameter("boto3 is missing: pip install 'expense-tracker[aws]'") from exc
    session = boto3.session.Session(region_name=region)
    try:
        pages = page_files(source or default_web_root())
        outputs = stack_outputs(session.client("cloudformation"), stack)
        bucket, distribution_id = targets(outputs, stack)
        done = publish(
            session.client("s3"),
            session.client("cloudfront"),
            bucket=bucket,
            distribution_id=distribution_id,
            pages=pages,
            prune=prune,
        )
    except (PublishError, BotoCoreError, ClientError) as exc:
        typer.echo(f"publish-web: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Uploaded {len(done.uploaded)} files to s3://{bucket}")
    if done.removed:
        typer.echo(f"Removed {len(done.removed)} files the pages no longer have")
    typer.echo(f"CloudFront invalidation {done.invalidation_id} started (a few minutes)")
    if outputs.get(SITE_URL_OUTPUT):
        typer.echo(f"Site: {outputs[SITE_URL_OUTPUT]}")
