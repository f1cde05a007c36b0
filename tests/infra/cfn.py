"""Reading, translating and linting infra/template.yaml offline (no AWS account, no network)."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from cfnlint.api import ManualArgs, lint
from cfnlint.decode import cfn_yaml
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
TEMPLATE = INFRA / "template.yaml"
# One region per continent the stack is meant for; lint checks region-specific support.
LINT_REGIONS = ["us-east-1", "eu-west-1", "ca-central-1"]
TRANSLATE_REGION = "eu-west-1"
PACKAGED_CODE_URI = "s3://packaged-artifacts/function.zip"  # what `sam package` puts there

Template = dict[str, Any]


def _plain(value: Any) -> Template:
    """A JSON round trip: plain dicts and lists, nothing shared with the input."""
    result: Template = json.loads(json.dumps(value))
    return result


def load(path: Path = TEMPLATE) -> Template:
    """The template as plain data, short-form intrinsics (!Ref) in their long form."""
    return _plain(cfn_yaml.load(str(path)))


@cache
def _source() -> str:
    return json.dumps(load())


def _decoded(text: str) -> Template:
    result: Template = json.loads(text)
    return result


def source() -> Template:
    """A fresh copy each time: tests may change it."""
    return _decoded(_source())


def packaged(template: Template) -> Template:
    """The template as `sam package` hands it over: local code folders become S3 URIs."""
    result = copy.deepcopy(template)
    for resource in result["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = PACKAGED_CODE_URI
    return result


def translate(template: Template, region: str = TRANSLATE_REGION) -> Template:
    """SAM -> CloudFormation with aws-sam-translator, offline. The region comes from the
    environment, as boto3 would read it; no managed policies are looked up (the template
    names none)."""
    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        translator = Translator(managed_policy_map=None, sam_parser=Parser())
        result = translator.translate(
            packaged(template), parameter_values={}, get_managed_policy_map=dict
        )
    finally:
        if saved is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved
    return _plain(result)


@cache
def _translated() -> str:
    return json.dumps(translate(source()))


def translated() -> Template:
    return _decoded(_translated())


def lint_text(text: str, regions: list[str] | None = None) -> list[str]:
    """Every error and warning cfn-lint reports, as `rule: message (path)`."""
    matches = lint(text, config=ManualArgs(regions=regions or LINT_REGIONS))
    return [f"{m.rule.id}: {m.message} ({'/'.join(map(str, m.path))})" for m in matches]


def lint_template(template: Template, regions: list[str] | None = None) -> list[str]:
    return lint_text(json.dumps(template), regions)


def resources(template: Template, kind: str) -> dict[str, Template]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def only(template: Template, kind: str) -> Template:
    found = list(resources(template, kind).values())
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def props(template: Template, name: str) -> Template:
    properties: Template = template["Resources"][name]["Properties"]
    return properties


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_documents(template: Template) -> Iterator[tuple[str, Template]]:
    """(where, document) for every IAM and bucket policy document, conditional ones included."""
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == "AWS::IAM::Role":
            for policy in properties.get("Policies", []):
                for branch in _branches(policy):
                    yield f"{name}/{branch['PolicyName']}", branch["PolicyDocument"]
        elif kind in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy"}:
            yield name, properties["PolicyDocument"]


def _branches(value: Template) -> list[Template]:
    """Both sides of a Fn::If that is not AWS::NoValue."""
    if "Fn::If" in value:
        _, yes, no = value["Fn::If"]
        return [b for b in (yes, no) if b != {"Ref": "AWS::NoValue"}]
    return [value]


def statements(template: Template) -> Iterator[tuple[str, Template]]:
    for where, document in policy_documents(template):
        for statement in as_list(document["Statement"]):
            yield where, statement
