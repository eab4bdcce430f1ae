"""The Terraform CLI without AWS: where the hashicorp/aws provider comes from, and the override that plans a root
offline. Used by `--verify` (generator.commands.verify); the test tools (testkit.terraform) reuse it, so that the
product and the tests find the provider the same way.

Where the provider comes from (`provider_mirror`): the folder TF_PROVIDER_MIRROR names (the one that holds
`registry.terraform.io/`); else the first of Terraform's implied local mirror directories that holds the provider;
else a folder found on this machine's filesystem; else the registry, as Terraform does by default. Nothing here
names a folder of this machine: the mirror is found, never assumed.

An offline plan needs the provider to skip every call to AWS: OFFLINE_OVERRIDE, written as an override file next to
the root's own files, gives placeholder credentials, the provider's `skip_*` settings and a local backend.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator, Mapping

MIRROR_ENV = "TF_PROVIDER_MIRROR"
PROVIDER = "registry.terraform.io/hashicorp/aws"

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

# What `terraform init` says when it cannot get a provider (no registry, an empty or wrong mirror).
INSTALL_FAILURES = ("Failed to query available provider packages", "Failed to install provider",
                    "Incompatible provider version", "Failed to resolve provider packages")


class NoProvider(Exception):
    """The provider cannot be found or installed: the message is one line that says what to set."""


def binary() -> str | None:
    """The terraform executable on PATH (TERRAFORM_BINARY_NAME names another), or None."""
    return shutil.which(os.environ.get("TERRAFORM_BINARY_NAME", "terraform"))


def implied_mirror_dirs() -> list[Path]:
    """Terraform's implied local mirror directories, in its order (CLI configuration docs, "Implied Local Mirror
    Directories"): terraform.d/plugins in the working directory, then the user's and the system's data folders."""
    home = Path.home()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    data_dirs = [Path(d) for d in (os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":") if d]
    return [
        Path("terraform.d") / "plugins",
        home / ".terraform.d" / "plugins",
        data_home / "terraform" / "plugins",
        *(d / "terraform" / "plugins" for d in data_dirs),
        home / "Library" / "Application Support" / "io.terraform" / "plugins",  # macOS
        Path("/Library/Application Support/io.terraform/plugins"),
    ]


def holds_provider(folder: Path) -> bool:
    return (folder / PROVIDER).is_dir()


# Folders a provider mirror never lives in, and which are large to walk: virtual file systems, version control,
# package trees, Terraform working directories (their providers are links into a mirror or a cache).
_NOT_SEARCHED = ("/proc", "/sys", "/dev", "/run")
_NOT_SEARCHED_NAMES = (".git", "node_modules", "site-packages", "__pycache__", ".terraform")


def search_filesystem(root: str = "/") -> Path | None:
    """The first folder on this file system that holds registry.terraform.io/hashicorp/aws. The temporary folder
    is skipped: a plugin cache a test session left there is no mirror."""
    find = shutil.which("find")
    if find is None:
        return None
    pruned: list[str] = []
    for name in _NOT_SEARCHED_NAMES:
        pruned += ["-name", name, "-o"]
    for path in (*_NOT_SEARCHED, tempfile.gettempdir()):
        pruned += ["-path", path, "-o"]
    # The cheap test (-name) first: find evaluates the expression for every entry of the file system.
    command = [find, root, "-xdev", "(", *pruned[:-1], ")", "-prune", "-o",
               "-name", "aws", "-type", "d", "-path", f"*/{PROVIDER}", "-print", "-quit"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None
    found = result.stdout.strip()
    return Path(found).parents[2] if found else None


@functools.cache
def discovered_mirror() -> Path | None:
    """A local mirror found without being told: an implied mirror directory, else the file system. Searched once
    per process."""
    for folder in implied_mirror_dirs():
        if holds_provider(folder):
            return folder.resolve()
    return search_filesystem()


def provider_mirror() -> Path | None:
    """The filesystem mirror to install hashicorp/aws from, or None for the registry."""
    named = os.environ.get(MIRROR_ENV)
    if named:
        if not holds_provider(Path(named)):
            raise NoProvider(
                f"{MIRROR_ENV}={named} holds no {PROVIDER}: set it to the folder that holds registry.terraform.io/ "
                "(`terraform providers mirror DIR` makes one)"
            )
        return Path(named)
    return discovered_mirror()


def provider_help(detail: str) -> str:
    """One line for a failed provider installation: where Terraform looked and what to set."""
    mirror = os.environ.get(MIRROR_ENV) or discovered_mirror()
    where = f"the mirror {mirror}" if mirror else "the registry (no local mirror found)"
    return (
        f"terraform could not install {PROVIDER} from {where}: {detail}. Set {MIRROR_ENV} to a folder that holds "
        f"registry.terraform.io/hashicorp/aws (`terraform providers mirror DIR` makes one), or give the machine "
        "registry access"
    )


def base_environment() -> dict[str, str]:
    """The environment of a Terraform run: no checkpoint call, no prompt, and a CLI configuration file variable
    that names no file dropped (Terraform would warn about it at every call)."""
    env = dict(os.environ)
    env.setdefault("CHECKPOINT_DISABLE", "1")
    env["TF_IN_AUTOMATION"] = "1"
    env["TF_INPUT"] = "0"
    # The AWS provider's schema is a heap of a few hundred MB that Go's default GOGC=100 collects over and over:
    # GOGC=400 saves about a fifth of a plan's CPU (testkit.terraform measures it). A GOGC the caller sets wins.
    env.setdefault("GOGC", "400")
    if env.get("TF_CLI_CONFIG_FILE") and not Path(env["TF_CLI_CONFIG_FILE"]).is_file():
        del env["TF_CLI_CONFIG_FILE"]
    return env


@contextlib.contextmanager
def mirror_configuration(env: dict[str, str], mirror: Path | None) -> Iterator[dict[str, str]]:
    """`env` with, when there is a mirror, a CLI configuration that installs providers from it only: a file of
    this run's own (mkstemp: a unique name, never one someone could plant in the shared temporary folder),
    removed when the run ends."""
    if mirror is None:
        yield env
        return
    handle, config = tempfile.mkstemp(prefix="terraform-offline-mirror-", suffix=".tfrc")
    with os.fdopen(handle, "w") as out:
        out.write(f'provider_installation {{\n  filesystem_mirror {{\n    path = {json.dumps(str(mirror))}\n  }}\n}}\n')
    try:
        yield {**env, "TF_CLI_CONFIG_FILE": config}
    finally:
        Path(config).unlink(missing_ok=True)


def placeholder_variables(stack_dir: Path) -> dict[str, str]:
    """A placeholder for each variable of a generated root (the secrets a person supplies at apply)."""
    variables = stack_dir / "variables.tf.json"
    if not variables.exists():
        return {}
    return {name: PLACEHOLDER_SECRET for name in json.loads(variables.read_text(encoding="utf-8"))["variable"]}


def install_failure(output: str) -> str | None:
    """The line that explains a failed `terraform init`, when it failed to get the provider."""
    failure = next((f for f in INSTALL_FAILURES if f in output), None)
    return provider_help(failure.lower()) if failure else None


def variables_environment(variables: Mapping[str, str]) -> dict[str, str]:
    """Variables as TF_VAR_<name>: never on the command line, where `ps` and every error message would show them."""
    return {f"TF_VAR_{name}": value for name, value in variables.items()}
