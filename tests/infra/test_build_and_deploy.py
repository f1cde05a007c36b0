"""`make deploy` builds the Lambda package for arm64 from the project, deploys (guided the first
time), then publishes the pages; the SAM CLI and the publish command are stand-ins here."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.infra import cfn

FUNCTION_MAKEFILE = cfn.INFRA / "function" / "Makefile"


def _make(*args: str, cwd: Path = cfn.INFRA) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _makefile_functions() -> list[tuple[str, dict[str, object]]]:
    template = cfn.source()
    return [
        (name, r)
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::Serverless::Function"
    ]


def _makefile_function() -> tuple[str, dict[str, object]]:
    return next(f for f in _makefile_functions() if f[0] == "ApiFunction")


def test_every_function_is_built_by_the_makefile_next_to_its_code_uri() -> None:
    rules = [line.split(":")[0] for line in FUNCTION_MAKEFILE.read_text().splitlines()]
    targets = {
        target for rule in rules if not rule.startswith((".", "\t")) for target in rule.split()
    }
    for name, function in _makefile_functions():
        assert function["Metadata"] == {"BuildMethod": "makefile"}, name
        code_uri = function["Properties"]["CodeUri"]  # type: ignore[index]
        assert (cfn.INFRA / code_uri / "Makefile") == FUNCTION_MAKEFILE
        assert f"build-{name}" in targets, name


def test_the_build_installs_the_projects_wheel_with_aws_extra_for_arm64_linux() -> None:
    name, function = _makefile_function()
    version = function["Properties"]["Runtime"].removeprefix("python")  # type: ignore[index]
    result = _make(
        "-n", f"build-{name}", "ARTIFACTS_DIR=/tmp/artifacts", cwd=FUNCTION_MAKEFILE.parent
    )
    assert result.returncode == 0, result.stderr
    commands = [shlex.split(c) for c in result.stdout.replace("\\\n", " ").splitlines()]
    (wheel,) = [c for c in commands if c[1:4] == ["-m", "pip", "wheel"]]
    assert wheel[-1] == str(cfn.ROOT)
    (install,) = [c for c in commands if c[1:4] == ["-m", "pip", "install"]]
    text = " ".join(install)
    assert f"--python-version {version}" in text
    assert "--platform manylinux2014_aarch64" in text
    assert "--only-binary=:all:" in install
    assert f"--constraint {cfn.ROOT / 'requirements.lock'}" in text
    assert "--target /tmp/artifacts" in text
    assert re.search(r"expense_tracker-\*\.whl\)\[aws\]$", install[-1]), install[-1]


def test_the_build_refuses_to_run_outside_sam() -> None:
    name, _ = _makefile_function()
    result = _make(f"build-{name}", "ARTIFACTS_DIR=", cwd=FUNCTION_MAKEFILE.parent)
    assert result.returncode != 0
    assert "ARTIFACTS_DIR" in result.stderr


def test_the_shared_sam_config_never_caches_the_build_and_allows_iam() -> None:
    config = tomllib.loads((cfn.INFRA / "samconfig.toml").read_text(encoding="utf-8"))
    assert config["default"]["build"]["parameters"]["cached"] is False
    deploy = config["default"]["deploy"]["parameters"]
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    assert "stack_name" not in deploy, "the first deploy asks; a stack name here skips --guided"


@pytest.fixture
def stand_ins(tmp_path: Path) -> dict[str, Path]:
    """A `sam` that records its arguments and, when guided, saves answers as SAM does."""
    log = tmp_path / "calls.log"
    sam = tmp_path / "sam"
    sam.write_text(
        "#!/bin/bash\n"
        f'echo "sam $*" >> {log}\n'
        'if [[ " $* " == *" --guided "* ]]; then\n'
        '  config="$(sed -n "s/.*--config-file \\([^ ]*\\).*/\\1/p" <<< "$*")"\n'
        '  printf \'stack_name = "household"\\nregion = "eu-west-1"\\n\' >> "$config"\n'
        "fi\n",
        encoding="utf-8",
    )
    publish = tmp_path / "expense-tracker"
    publish.write_text(f'#!/bin/bash\necho "expense-tracker $*" >> {log}\n', encoding="utf-8")
    for script in (sam, publish):
        script.chmod(0o755)
    config = tmp_path / "samconfig.toml"
    config.write_text((cfn.INFRA / "samconfig.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return {"log": log, "sam": sam, "publish": publish, "config": config}


def _deploy(stand_ins: dict[str, Path]) -> list[str]:
    stand_ins["log"].unlink(missing_ok=True)
    result = _make(
        "deploy",
        f"SAM={stand_ins['sam']}",
        f"ET={stand_ins['publish']}",
        f"SAMCONFIG={stand_ins['config']}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return stand_ins["log"].read_text(encoding="utf-8").splitlines()


def test_first_deploy_is_guided_then_publishes_the_pages(stand_ins: dict[str, Path]) -> None:
    config = stand_ins["config"]
    assert _deploy(stand_ins) == [
        f"sam build --template-file template.yaml --config-file {config}",
        f"sam deploy --config-file {config} --guided",
        "expense-tracker aws publish-web --stack household --region eu-west-1",
    ]


def test_later_deploys_reuse_the_saved_answers(stand_ins: dict[str, Path]) -> None:
    _deploy(stand_ins)
    config = stand_ins["config"]
    assert _deploy(stand_ins) == [
        f"sam build --template-file template.yaml --config-file {config}",
        f"sam deploy --config-file {config}",
        "expense-tracker aws publish-web --stack household --region eu-west-1",
    ]


def test_publishing_before_any_deploy_says_what_to_do(stand_ins: dict[str, Path]) -> None:
    result = _make("publish", f"ET={stand_ins['publish']}", f"SAMCONFIG={stand_ins['config']}")
    assert result.returncode != 0
    assert "run make deploy" in result.stderr
    assert not stand_ins["log"].exists()
