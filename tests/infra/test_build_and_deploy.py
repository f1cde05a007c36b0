"""`make deploy` builds the Lambda package for arm64 from the project, deploys (guided the first
time), then publishes the pages; the SAM CLI and the publish command are stand-ins here."""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.infra import cfn

FUNCTION_MAKEFILE = cfn.INFRA / "function" / "Makefile"
# uv's names for the manylinux platform Lambda's Amazon Linux 2023 runs, by architecture.
PLATFORMS = {"arm64": "aarch64-manylinux_2_34", "x86_64": "x86_64-manylinux_2_34"}
# importlib.util.MAGIC_NUMBER of each Lambda Python runtime (Lib/importlib/_bootstrap_external.py).
MAGIC_NUMBERS = {
    "3.11": (3495).to_bytes(2, "little") + b"\r\n",
    "3.12": (3531).to_bytes(2, "little") + b"\r\n",
    "3.13": (3571).to_bytes(2, "little") + b"\r\n",
}


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


def _build_commands(name: str) -> list[list[str]]:
    result = _make(
        "-n", f"build-{name}", "ARTIFACTS_DIR=/tmp/artifacts", cwd=FUNCTION_MAKEFILE.parent
    )
    assert result.returncode == 0, result.stderr
    return [shlex.split(c) for c in result.stdout.replace("\\\n", " ").splitlines() if c]


def test_the_build_installs_the_hashed_lambda_profile_for_the_runtime_and_architecture() -> None:
    name, function = _makefile_function()
    properties: dict[str, Any] = function["Properties"]  # type: ignore[assignment]
    version = properties["Runtime"].removeprefix("python")
    (architecture,) = properties["Architectures"]
    installs = [c for c in _build_commands(name) if c[1:3] == ["pip", "install"]]
    assert len(installs) == 2, installs
    for install in installs:
        text = " ".join(install)
        assert f"--python-version {version}" in text
        assert f"--python-platform {PLATFORMS[architecture]}" in text
        assert "--only-binary :all:" in text
        assert "--target /tmp/artifacts" in text
    # The locked, hashed app + `aws` profile; then the project's own wheel, without its deps.
    assert "--require-hashes" in installs[0]
    assert installs[0][-1] == str(cfn.ROOT / "requirements" / "lambda.txt")
    assert "--no-deps" in installs[1]
    assert re.search(r"expense_tracker-\*\.whl\)$", installs[1][-1]), installs[1][-1]


def test_the_lambda_profile_holds_the_app_and_aws_groups_but_no_local_server_or_tools() -> None:
    locked = (cfn.ROOT / "requirements" / "lambda.txt").read_text(encoding="utf-8")
    names = {line.split("==")[0].lower() for line in locked.splitlines() if "==" in line[:60]}
    assert {"fastapi", "boto3", "mangum", "pydantic"} <= names
    assert not names & {"uvicorn", "uvloop", "typer", "rich", "pygments", "moto", "pytest"}


def _clients_made(folder: Path) -> set[str]:
    """Every service name the function's code makes a client for: `<x>.client("service")`,
    `<session>.create_client("service")`, or the wiring's `_client(settings, "service", ...)`
    and `_lazy(settings, "service", ...)` (a client made on first use)."""
    services = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func, args = node.func, node.args
            if isinstance(func, ast.Attribute) and func.attr in {"client", "create_client"}:
                named = args[0] if args else None
            elif isinstance(func, ast.Name) and func.id in {"_client", "_lazy"} and len(args) > 1:
                named = args[1]
            else:
                continue
            if isinstance(named, ast.Constant) and isinstance(named.value, str):
                services.add(named.value)
    return services


def test_every_client_the_function_makes_keeps_its_botocore_model_in_the_package() -> None:
    listed = (FUNCTION_MAKEFILE.parent / "botocore-services.txt").read_text(encoding="utf-8")
    kept = {line.split("#")[0].strip() for line in listed.splitlines()} - {""}
    made = _clients_made(cfn.ROOT / "src" / "expense_tracker" / "adapters" / "aws")
    assert {"dynamodb", "s3", "cognito-idp"} <= made
    assert made <= kept, f"add {sorted(made - kept)} to infra/function/botocore-services.txt"


def test_the_package_bytecode_is_for_the_runtimes_python_or_absent(tmp_path: Path) -> None:
    """A .pyc loads only in the Python whose magic number it starts with; any other version
    recompiles every module in memory at each cold start (/var/task is read-only). The build's
    bytecode step runs here on a small package and every .pyc's magic number is read."""
    _, function = _makefile_function()
    version = function["Properties"]["Runtime"].removeprefix("python")  # type: ignore[index]
    package = tmp_path / "package"
    (package / "pkg" / "__pycache__").mkdir(parents=True)
    (package / "pkg" / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    # What a build for another Python would have left: removed by the step.
    (package / "pkg" / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"stale")
    result = _make("bytecode", f"DIR={package}", cwd=FUNCTION_MAKEFILE.parent)
    assert result.returncode == 0, result.stderr
    compiled = list(package.rglob("*.pyc"))
    if "ships no bytecode" in result.stderr:
        assert compiled == []
        return
    assert [p.name for p in compiled] == [f"__init__.cpython-{version.replace('.', '')}.pyc"]
    for pyc in compiled:
        assert pyc.read_bytes()[:4] == MAGIC_NUMBERS[version]


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
