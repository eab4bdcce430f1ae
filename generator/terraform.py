"""Run the real Terraform CLI on a generated tree: init, validate, and an offline plan.

No registry is reachable in CI, so `terraform init` reads the hashicorp/aws provider from a local filesystem
mirror when TF_PROVIDER_MIRROR names one (the folder that holds `registry.terraform.io/`); `.ci/run` finds it and
sets the variable. Without it, init uses the registry as usual.

An offline plan needs the provider to skip every call to AWS: `plan_offline` copies the tree to a scratch folder
and adds an override file with placeholder credentials, the provider's `skip_*` settings and a local backend, so the committed
configuration stays as a user would apply it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from generator import secrets

MIRROR_ENV = "TF_PROVIDER_MIRROR"

OFFLINE_OVERRIDE = {
    # A remote backend (S3) would need AWS too: the offline plan keeps its state in the scratch folder.
    "terraform": {"backend": {"local": {"path": "offline.tfstate"}}},
    "provider": {
        "aws": {
            "access_key": "offline-placeholder",
            "secret_key": "offline-placeholder",
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "skip_region_validation": True,
            "skip_requesting_account_id": True,
        }
    }
}


# What an offline plan passes for a root's variables, which are the secrets a person supplies at apply.
PLACEHOLDER_SECRET = "placeholder-token-0123456789"


def placeholder_variables(stack_dir: Path) -> dict[str, str]:
    variables = stack_dir / "variables.tf.json"
    if not variables.exists():
        return {}
    return {name: PLACEHOLDER_SECRET for name in json.loads(variables.read_text(encoding="utf-8"))["variable"]}


class TerraformFailed(Exception):
    pass


def binary() -> str | None:
    return shutil.which(os.environ.get("TERRAFORM_BINARY_NAME", "terraform"))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CHECKPOINT_DISABLE", "1")
    env["TF_IN_AUTOMATION"] = "1"
    env["TF_INPUT"] = "0"
    return env


def _mirror_config(mirror: str) -> Path:
    """A CLI configuration that installs providers from the mirror only. Its own file per run, made by mkstemp
    (a unique name, created with O_EXCL): a fixed name in the shared temp folder could be a symlink someone
    planted there, which writing would follow."""
    fd, name = tempfile.mkstemp(prefix="terraform-mirror-", suffix=".tfrc")
    with os.fdopen(fd, "w", encoding="utf-8") as config:
        config.write(f'provider_installation {{\n  filesystem_mirror {{\n    path = {json.dumps(mirror)}\n  }}\n}}\n')
    return Path(name)


REDACTED = "(redacted)"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every given value replaced, longest first (one value may contain another)."""
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def run(workdir: Path, *args: str, variables: Mapping[str, str] | None = None) -> str:
    """Run terraform; `variables` reach it as TF_VAR_<name> in its environment, never on the command line (where
    `ps` and every error message would show them), and are redacted from whatever it prints on failure."""
    command = [binary() or "terraform", *args]
    env = _env()
    values = dict(variables or {})
    env.update({f"TF_VAR_{name}": value for name, value in values.items()})
    mirror = os.environ.get(MIRROR_ENV)
    config = _mirror_config(mirror) if mirror else None
    if config is not None:
        env["TF_CLI_CONFIG_FILE"] = str(config)
    try:
        result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    finally:
        if config is not None:
            config.unlink(missing_ok=True)
    if result.returncode != 0:
        raise TerraformFailed(redact(
            f"{' '.join(command)} failed in {workdir} (exit {result.returncode}):\n{result.stdout}\n{result.stderr}",
            values.values(),
        ))
    return result.stdout


def init(workdir: Path) -> None:
    run(workdir, "init", "-input=false", "-no-color", "-backend=false")


def validate(workdir: Path) -> dict[str, Any]:
    init(workdir)
    report = json.loads(run(workdir, "validate", "-json", "-no-color"))
    if not report.get("valid"):
        raise TerraformFailed(f"terraform validate in {workdir}: {json.dumps(report['diagnostics'], indent=2)}")
    return report


def plan_offline(
    tree: Path, stack: str, variables: Mapping[str, str] | None = None, scratch: Path | None = None
) -> dict[str, Any]:
    """Plan `stacks/<stack>` of a generated tree without AWS; returns `terraform show -json` of the plan."""
    owned = scratch is None
    scratch = Path(tempfile.mkdtemp(prefix="tf-plan-")) if owned else scratch
    try:
        copy = scratch / "tree"
        shutil.copytree(tree, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
        workdir = copy / "stacks" / stack
        (workdir / "offline_override.tf.json").write_text(json.dumps(OFFLINE_OVERRIDE, indent=2))
        run(workdir, "init", "-input=false", "-no-color")
        args = ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.tfplan"]
        run(workdir, *args, variables=variables)
        return json.loads(run(workdir, "show", "-json", "plan.tfplan"))
    finally:
        if owned:
            shutil.rmtree(scratch, ignore_errors=True)


class ModuleHarness:
    """Plan one generated module with given inputs, offline, as a caller's root would: Terratest's InitAndPlan
    for a module. `terraform init` runs once; each `plan` rewrites only the module block's arguments."""

    def __init__(self, module_dir: Path, workdir: Path):
        self.workdir = workdir
        shutil.copytree(module_dir, workdir / "module")
        self._write({})
        run(workdir, "init", "-input=false", "-no-color")

    def _write(self, arguments: Mapping[str, Any]) -> None:
        root = {**OFFLINE_OVERRIDE, "module": {"under_test": {"source": "./module", **arguments}}}
        root["provider"] = {"aws": {**OFFLINE_OVERRIDE["provider"]["aws"], "region": "ap-northeast-2"}}
        (self.workdir / "main.tf.json").write_text(json.dumps(root, indent=2))

    def plan(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        self._write(arguments)
        try:
            run(self.workdir, "plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.tfplan")
        except TerraformFailed as err:
            # An error may quote an argument: never a secret one (auth_token and the like).
            hidden = [v for k, v in arguments.items() if isinstance(v, str) and secrets.is_secret_name(k)]
            raise TerraformFailed(redact(str(err), hidden)) from None
        return json.loads(run(self.workdir, "show", "-json", "plan.tfplan"))

    def plan_error(self, arguments: Mapping[str, Any]) -> str:
        """Plan inputs the module must refuse; returns Terraform's error output."""
        try:
            self.plan(arguments)
        except TerraformFailed as err:
            return " ".join(str(err).split())
        raise AssertionError(f"terraform plan accepted {json.dumps(arguments)}")
