"""Run the real Terraform CLI on a generated tree: init, an offline plan, `terraform test`, and many module cases
planned with few provider loads.

Where the hashicorp/aws provider comes from (`provider_mirror`, also `python -m testkit.terraform --find-mirror`
for CI scripts): the folder TF_PROVIDER_MIRROR names (the one that holds `registry.terraform.io/`); else the first
of Terraform's implied local mirror directories that holds the provider; else a folder found on this machine's
filesystem; else the registry, as Terraform does by default. A TF_CLI_CONFIG_FILE that names no file is dropped
(Terraform would warn about it at every call).

An offline plan needs the provider to skip every call to AWS: `plan_offline` copies the tree to a scratch folder
and adds an override file with placeholder credentials, the provider's `skip_*` settings and a local backend, so the committed
configuration stays as a user would apply it.

Loading the provider costs about 3 s of CPU per Terraform command (its schema is large); `CaseBatch` plans many
module cases as one root (one plan, one show) and runs the cases Terraform must refuse as `terraform test` files
next to the module's own tests (one process).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from generator.commands import offline as _offline
# Where the provider comes from and the offline override: the product's own (--verify plans with them), reused here
# so that the tests and the product find the provider alike.
from generator.commands.offline import (MIRROR_ENV, OFFLINE_OVERRIDE, PLACEHOLDER_SECRET, PROVIDER,  # noqa: F401
                                        binary, discovered_mirror, holds_provider, implied_mirror_dirs,
                                        placeholder_variables, provider_help, search_filesystem)
from generator.commands.offline import INSTALL_FAILURES as _INSTALL_FAILURES
from generator.language import secrets
from generator.model import versions


class TerraformFailed(Exception):
    pass


class ProviderUnavailable(TerraformFailed):
    """Terraform cannot install the provider: the message is one line that says what to set."""


# --- where the provider comes from (generator.commands.offline) -------------------------------------------------

def provider_mirror() -> Path | None:
    """The filesystem mirror to install hashicorp/aws from, or None for the registry."""
    try:
        return _offline.provider_mirror()
    except _offline.NoProvider as err:
        raise ProviderUnavailable(str(err)) from None


@contextlib.contextmanager
def _environment(variables: Mapping[str, str] | None = None, command: str = "",
                 attach: bool = True) -> Iterator[dict[str, str]]:
    """The environment of one Terraform run: `variables` as TF_VAR_<name> (never on the command line, where `ps`
    and every error message would show them); attached to this thread's provider process when the session reuses
    one (see below); otherwise, with a local mirror, a CLI configuration that installs providers from it only. That
    file is this run's own, made by mkstemp (O_EXCL, a unique name: a fixed name in the shared
    temp folder could be a symlink someone planted there, which writing would follow), and removed when the run
    ends; concurrent runs each have theirs."""
    env = _env()
    env.update({f"TF_VAR_{name}": value for name, value in (variables or {}).items()})
    reattach = _thread_provider() if attach and command in _REATTACH_COMMANDS else None
    if reattach is not None:
        env["TF_REATTACH_PROVIDERS"] = reattach
    # An attached command installs no provider, so it needs no mirror configuration, and reads no mirror variable:
    # a test may be changing that variable for a check of its own while this command runs in another thread.
    mirror = provider_mirror() if reattach is None else None
    config = None
    if mirror:
        handle, config = tempfile.mkstemp(prefix="terraform-offline-mirror-", suffix=".tfrc")
        with os.fdopen(handle, "w") as out:
            out.write(f'provider_installation {{\n  filesystem_mirror {{\n    path = {json.dumps(str(mirror))}\n  }}\n}}\n')
        env["TF_CLI_CONFIG_FILE"] = config
    try:
        yield env
    finally:
        if config is not None:
            Path(config).unlink(missing_ok=True)


# --- one provider process per thread, reused by every command -----------------------------------------------------
#
# Terraform starts the provider for every command, and `terraform test` twice per run: about 0.3 s of CPU each time
# for the AWS provider to initialise, plus its schema. A provider started once in its debug mode (`-debug`, the
# plugin SDK's documented way to run it outside Terraform) keeps running, and Terraform attaches to it when
# TF_REATTACH_PROVIDERS names it: the same binary, the same schema and validation, started once. Measured here: 10
# `terraform test` runs 10 s of CPU -> 4 s; a `show -json` 2.3 s -> 1.2 s. A provider keeps the configuration of
# the last command that configured it, so two commands at once never share one: each thread has its own.

# `init` too: with the provider attached, init installs the root's modules and does nothing for the provider (no
# install, no version check against the root's constraint, no lock file entry); measured: 0.75 s -> 0.05 s per
# init, the plan after it the same. The provider check never attaches: it installs the binary every process is
# started from, under the generated modules' constraint, and is what finds out whether it can be installed at all.
_REATTACH_COMMANDS = frozenset({"init", "plan", "show", "test", "validate", "providers"})
_PROVIDERS: dict[str, Any] = {"binary": None, "folder": None, "started": []}
_PER_THREAD = threading.local()
atexit.register(lambda: stop_provider_processes())  # never outlive the session, whatever stops it


def reuse_provider_processes(plugin_cache: Path, folder: Path) -> bool:
    """From now on, each thread's init/plan/show/test/validate/providers commands attach to a provider process of
    its own, started from the hashicorp/aws binary in `plugin_cache` on the thread's first such command. False (and
    nothing changes) unless the cache holds exactly one such binary: the one the provider check installed, under
    the generated modules' version constraint."""
    found = sorted(plugin_cache.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*"))
    if len(found) != 1:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    _PROVIDERS.update(binary=found[0], folder=folder)
    return True


def stop_provider_processes() -> None:
    _PROVIDERS.update(binary=None)
    for process in _PROVIDERS["started"]:
        process.terminate()
    for process in _PROVIDERS["started"]:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    _PROVIDERS["started"].clear()


def _thread_provider() -> str | None:
    """TF_REATTACH_PROVIDERS for this thread's provider process (started on first use), or None."""
    binary, folder = _PROVIDERS["binary"], _PROVIDERS["folder"]
    if binary is None:
        return None
    known = getattr(_PER_THREAD, "reattach", None)
    if known is not None and known[0] == binary:
        return known[1]
    log = folder / f"provider-{threading.get_ident()}-{len(_PROVIDERS['started'])}.log"
    with open(log, "wb") as out:
        # Its own session and no pipe of ours: it cannot hold a caller's output open, and it is stopped at the end.
        process = subprocess.Popen([str(binary), "-debug"], stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=folder, env=_provider_env(), start_new_session=True)
    _PROVIDERS["started"].append(process)
    deadline = time.monotonic() + 120
    while True:
        found = re.search(r"TF_REATTACH_PROVIDERS='([^']+)'", log.read_text(errors="replace"))
        if found:
            _PER_THREAD.reattach = (binary, found.group(1))
            return found.group(1)
        if process.poll() is not None or time.monotonic() > deadline:
            raise TerraformFailed(f"{binary} -debug did not start (see {log})")
        time.sleep(0.05)


def reattach_environment() -> dict[str, str]:
    """{"TF_REATTACH_PROVIDERS": ...} naming this thread's provider process when the session reuses one, else {}:
    for a process a test starts (`python main.py --verify`) whose Terraform commands may attach to it. The process
    must run while this thread waits for it (a provider serves one command at a time)."""
    reattach = _thread_provider()
    return {"TF_REATTACH_PROVIDERS": reattach} if reattach is not None else {}


def _provider_env() -> dict[str, str]:
    env = _env()
    # The AWS provider wraps its HTTP client with AWS_CA_BUNDLE when it is configured, and refuses to do it a second
    # time in one process ("unable to add custom RootCAs HTTPClient"); offline plans never reach AWS, so no bundle.
    env.pop("AWS_CA_BUNDLE", None)
    # In debug mode it logs every request at trace level (megabytes per plan): warnings only.
    env.update(TF_LOG="WARN", TF_LOG_PROVIDER="WARN", TF_LOG_SDK="OFF", TF_LOG_SDK_PROTO="OFF",
               TF_LOG_SDK_FRAMEWORK="OFF", TF_LOG_SDK_MUX="OFF")
    return env


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CHECKPOINT_DISABLE", "1")
    env["TF_IN_AUTOMATION"] = "1"
    env["TF_INPUT"] = "0"
    # Every Terraform command decodes the AWS provider's schema (about 1,600 resource types) into a heap of a few
    # hundred MB, and Go's default GOGC=100 collects that heap over and over. Measured on the accepted-cases root:
    # plan 16 s -> 13 s of CPU and `show -json` 2.7 s -> 1.7 s with GOGC=400, peak 312 MB -> 674 MB (GOGC=off: 11 s
    # but 3.9 GB). The reused provider processes get it too (their heap holds the same schema). A GOGC the caller
    # sets wins.
    env.setdefault("GOGC", "400")
    if env.get("TF_CLI_CONFIG_FILE") and not Path(env["TF_CLI_CONFIG_FILE"]).is_file():
        del env["TF_CLI_CONFIG_FILE"]  # Terraform would warn "Unable to open CLI configuration file" at every call
    return env


def check_provider(workdir: Path) -> None:
    """Install the provider once in an empty root, under the generated modules' version constraint; raises
    ProviderUnavailable with one line when that fails. With TF_PLUGIN_CACHE_DIR set, the binary lands in the cache,
    where later inits link it from, or (provider reuse) the session's provider processes are started from."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "main.tf.json").write_text(json.dumps(
        {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": versions.AWS_PROVIDER}}}},
        indent=2))
    init(workdir, attach=False)  # raises ProviderUnavailable when the provider cannot be installed


REDACTED = "(redacted)"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every given value replaced, longest first (one value may contain another)."""
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def completed(workdir: Path, *args: str, variables: Mapping[str, str] | None = None,
              attach: bool = True) -> subprocess.CompletedProcess:
    """Run terraform, whatever its exit code: for a command whose failure, or whose exit code (`plan
    -detailed-exitcode`), is the result. `variables` reach it as TF_VAR_<name> in its environment, never on the
    command line (where `ps` and every error message would show them). `attach` (the default) lets the command use
    this thread's provider process when the session reuses one."""
    with _environment(variables, args[0] if args else "", attach) as env:
        return subprocess.run([binary() or "terraform", *args], cwd=workdir, env=env, capture_output=True, text=True)


def run(workdir: Path, *args: str, variables: Mapping[str, str] | None = None, attach: bool = True) -> str:
    """Run terraform as `completed` does and return what it printed; a failure raises, with the variables' values
    redacted from whatever it printed."""
    values = dict(variables or {})
    result = completed(workdir, *args, variables=values, attach=attach)
    command = result.args
    if result.returncode != 0 and args[:1] == ("init",):
        output = result.stdout + result.stderr
        failure = next((f for f in _INSTALL_FAILURES if f in output), None)
        if failure:
            raise ProviderUnavailable(provider_help(failure.lower()))
    if result.returncode != 0:
        raise TerraformFailed(redact(
            f"{' '.join(command)} failed in {workdir} (exit {result.returncode}):\n{result.stdout}\n{result.stderr}",
            values.values(),
        ))
    return result.stdout


def init(workdir: Path, attach: bool = True) -> None:
    run(workdir, "init", "-input=false", "-no-color", "-backend=false", attach=attach)


def test(workdir: Path) -> "TestReport":
    """`terraform test` in an initialised module folder; the report of every run, whether or not it passed."""
    result = completed(workdir, "test", "-json", "-no-color")
    report = TestReport.parse(result.stdout)
    if not report.runs and result.returncode != 0:
        raise TerraformFailed(
            f"terraform test failed in {workdir} (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return report


@dataclass
class TestRun:
    file: str
    name: str
    status: str = "pending"  # pass, fail, error, skip
    diagnostics: list[str] = field(default_factory=list)


@dataclass
class TestReport:
    """`terraform test -json`, by file and run: each run's status and its diagnostics as text."""

    runs: dict[tuple[str, str], TestRun] = field(default_factory=dict)
    file_diagnostics: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, output: str) -> "TestReport":
        report = cls()
        for line in output.splitlines():
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            if message.get("type") == "test_abstract":
                for path, names in message["test_abstract"].items():
                    for name in names:
                        report.runs[(path, name)] = TestRun(path, name)
            elif message.get("type") == "test_run" and message["test_run"].get("progress") == "complete":
                run = message["test_run"]
                key = (run["path"], run["run"])
                report.runs.setdefault(key, TestRun(*key)).status = run["status"]
            elif message.get("type") == "diagnostic":
                text = _diagnostic_text(message["diagnostic"])
                where = (message.get("@testfile"), message.get("@testrun"))
                if where in report.runs:
                    report.runs[where].diagnostics.append(text)
                else:
                    report.file_diagnostics.setdefault(str(where[0]), []).append(text)
        return report

    def failures(self, files: Iterable[str] | None = None) -> list[str]:
        """One entry per run that did not pass, with its diagnostics; empty when every run passed."""
        chosen = None if files is None else set(files)
        return [
            f"{run.file} run {run.name!r}: {run.status}" + "".join(f"\n  {d}" for d in run.diagnostics)
            for run in self.runs.values()
            if run.status != "pass" and (chosen is None or run.file in chosen)
        ] + [f"{path}: {d}" for path, ds in self.file_diagnostics.items() for d in ds
             if chosen is None or path in chosen]


def validate(workdir: Path) -> dict[str, Any]:
    init(workdir)
    report = json.loads(run(workdir, "validate", "-json", "-no-color"))
    if not report.get("valid"):
        raise TerraformFailed(f"terraform validate in {workdir}: {json.dumps(report['diagnostics'], indent=2)}")
    return report


def plan_root(root: Path, variables: Mapping[str, str] | None = None) -> dict[str, Any]:
    """How the test tools plan a root: `terraform init`, a plan that locks and refreshes nothing (no state to lock,
    no AWS to read) into plan.tfplan, and its `terraform show -json`."""
    run(root, "init", "-input=false", "-no-color")
    run(root, "plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.tfplan",
        variables=variables)
    return json.loads(run(root, "show", "-json", "plan.tfplan"))


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
        return plan_root(workdir, variables)
    finally:
        if owned:
            shutil.rmtree(scratch, ignore_errors=True)


# The provider of the roots that call a module under test: offline, in the region the examples use.
HARNESS_PROVIDER = {"aws": {**OFFLINE_OVERRIDE["provider"]["aws"], "region": "ap-northeast-2"}}


class ModuleHarness:
    """Plan one generated module with given inputs, offline, as a caller's root would: Terratest's InitAndPlan
    for a module. `terraform init` runs once; each `plan` rewrites only the module block's arguments."""

    def __init__(self, module_dir: Path, workdir: Path):
        self.workdir = workdir
        shutil.copytree(module_dir, workdir / "module")
        self._write({})
        run(workdir, "init", "-input=false", "-no-color")

    def _write(self, arguments: Mapping[str, Any]) -> None:
        root = {**OFFLINE_OVERRIDE, "provider": HARNESS_PROVIDER,
                "module": {"under_test": {"source": "./module", **arguments}}}
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


# --- many module cases, few provider loads -----------------------------------------------------------------------

@dataclass(frozen=True)
class ModuleCase:
    """One call of a generated module (`kind`, the folder under modules/) with the given arguments. A `refused`
    case is one Terraform must refuse (a validation or precondition fails)."""

    kind: str
    arguments_json: str  # canonical JSON: cases are compared and hashed by value
    refused: bool = False

    @classmethod
    def of(cls, kind: str, arguments: Mapping[str, Any], refused: bool = False) -> "ModuleCase":
        return cls(kind, json.dumps(arguments, sort_keys=True), refused)

    @property
    def arguments(self) -> dict[str, Any]:
        return json.loads(self.arguments_json)


UNDER_TEST = "module.under_test"


def _readdress(value: Any, old: str, new: str) -> Any:
    """Rename the module prefix in every address of a `terraform show -json` fragment."""
    if isinstance(value, dict):
        return {
            k: (new + v[len(old):] if k in ("address", "module_address") and isinstance(v, str) and
                (v == old or v.startswith(old + ".") or v.startswith(old + "[")) else _readdress(v, old, new))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_readdress(v, old, new) for v in value]
    return value


def split_plan(show: Mapping[str, Any], module: str) -> dict[str, Any]:
    """The part of a plan of many module calls that belongs to `module` (such as "module.case_3"), addressed as
    `module.under_test`, the way `ModuleHarness.plan` returns the plan of a root holding that one call."""
    children = show.get("planned_values", {}).get("root_module", {}).get("child_modules", [])
    mine = [c for c in children if c.get("address") == module]
    changes = [
        c for c in show.get("resource_changes", [])
        if c.get("module_address", "").split(".", 2)[:2] == module.split(".")
    ]
    call = module.split(".", 1)[1]
    calls = show.get("configuration", {}).get("root_module", {}).get("module_calls", {})
    part = {
        "format_version": show.get("format_version"),
        "terraform_version": show.get("terraform_version"),
        "planned_values": {"root_module": {"child_modules": mine}},
        "resource_changes": changes,
        "configuration": {"root_module": {"module_calls": {"under_test": calls[call]} if call in calls else {}}},
    }
    return _readdress(part, module, UNDER_TEST)


def _diagnostic_text(diagnostic: Mapping[str, Any]) -> str:
    """A diagnostic of Terraform's `-json` output as one text: "Error: <summary>: <detail>"."""
    return f"{diagnostic['severity'].capitalize()}: {diagnostic['summary']}: {diagnostic.get('detail', '')}"


_CASE_CALL = re.compile(r"^module\.(case_\d+)\b")
_CASE_FILE = re.compile(r"^modules/(case_\d+)/")


def _diagnostics_by_call(plan_json_output: str) -> tuple[dict[int, list[str]], list[str]]:
    """The diagnostics of `terraform plan -json` by the module call they belong to (`case_<i>`): an error in the
    root names the call it is in (`module.case_3`), one inside a module names the case's own copy of the module
    (`modules/case_3/…`). Also returns the diagnostics that name no case."""
    by_case: dict[int, list[str]] = {}
    unplaced: list[str] = []
    for line in plan_json_output.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("type") != "diagnostic":
            continue
        diagnostic = message["diagnostic"]
        text = _diagnostic_text(diagnostic)
        where = (diagnostic.get("snippet") or {}).get("context") or ""
        match = _CASE_CALL.match(diagnostic.get("address") or "") or _CASE_FILE.match(
            (diagnostic.get("range") or {}).get("filename", "")) or _CASE_CALL.match(where)
        if match:
            by_case.setdefault(int(match.group(1).split("_")[1]), []).append(text)
        elif diagnostic["severity"] == "error":
            unplaced.append(text)
    return by_case, unplaced


class CaseBatch:
    """Many module cases, planned with few provider loads.

    The cases Terraform accepts become module calls of one root: one init, one `plan`, one `show -json`, split
    per case (`split_plan`). The cases it must refuse become module calls of another root, each with its own copy
    of the module (so that an error inside a module names its case by file), planned in rounds (`refusals`):
    Terraform validates every call before it plans any, so a round in which some calls fail their validations
    hides the preconditions of the others; the next round plans only the calls that have not failed yet. Two or
    three plans for every refused case of every module (a `terraform test` run per case started the provider
    twice: about 0.7 s each). Each part runs once, on first use, and may be started on another thread (a part is
    Terraform processes: two parts at a time use two cores).
    """

    def __init__(self, modules_dir: Path, workdir: Path, cases: Iterable[ModuleCase]):
        self.modules_dir = modules_dir
        self.workdir = workdir
        self.cases = list(dict.fromkeys(cases))
        self._lock = threading.Lock()
        self._parts: dict[str, Any] = {}

    # The parts, each computed once (under a lock per part, so threads and callers share the result).
    def _part(self, key: str, compute):
        with self._lock:
            entry = self._parts.get(key)
            if entry is None:
                entry = self._parts[key] = {"lock": threading.Lock()}
        with entry["lock"]:
            if "value" not in entry and "error" not in entry:
                try:
                    entry["value"] = compute()
                except BaseException as err:  # re-raised to every caller of this part
                    entry["error"] = err
            if "error" in entry:
                raise entry["error"]
            return entry["value"]

    def plan_all(self) -> dict[ModuleCase, dict[str, Any] | str]:
        """The plan of every accepted case, by case; for a case Terraform refused, its error on one line."""
        return self._part("accepted", self._plan_accepted)

    def _plan_accepted(self) -> dict[ModuleCase, dict[str, Any] | str]:
        """One root, one plan and one `show` for all the accepted cases when Terraform plans them all. When it
        refuses some (a wrong argument, a rule a case breaks), the plan is made again without them, so that a bad
        case fails its own test only: the cases an error names (by call or by module file) leave; when no error
        names one, the group is halved until each refused case stands alone."""
        accepted = [c for c in self.cases if not c.refused]
        root = self.workdir / "accepted"
        for kind in sorted({c.kind for c in accepted}):
            shutil.copytree(self.modules_dir / kind, root / "modules" / kind, ignore=shutil.ignore_patterns("tests"))

        def write(group: list[int]) -> None:
            calls = {f"case_{i}": {"source": f"./modules/{accepted[i].kind}", **accepted[i].arguments} for i in group}
            root_document = {**OFFLINE_OVERRIDE, "provider": HARNESS_PROVIDER, "module": calls}
            (root / "main.tf.json").write_text(json.dumps(root_document, indent=2))

        found: dict[ModuleCase, dict[str, Any] | str] = {}
        if not accepted:
            return found
        write(list(range(len(accepted))))
        run(root, "init", "-input=false", "-no-color")  # installs every call; a later group is a subset of them
        groups = [list(range(len(accepted)))]
        while groups:
            group = groups.pop(0)
            write(group)
            planned = completed(root, "plan", "-input=false", "-no-color", "-lock=false", "-refresh=false",
                                "-out=plan.tfplan")
            if planned.returncode == 0:
                show = json.loads(run(root, "show", "-json", "plan.tfplan"))
                found.update({accepted[i]: split_plan(show, f"module.case_{i}") for i in group})
                continue
            # Refused: the same plan again, as JSON lines, names the calls its errors belong to (a plan that passes
            # runs once, in the ordinary view, as it did before cases were isolated).
            result = completed(root, "plan", "-json", "-input=false", "-no-color", "-lock=false", "-refresh=false")
            by_case, unplaced = _diagnostics_by_call(result.stdout)
            errors = {i: texts for i, texts in by_case.items() if i in group and any(t.startswith("Error: ") for t in texts)}
            if len(group) == 1 and not errors:
                errors = {group[0]: unplaced or [result.stderr]}
            found.update({accepted[i]: " ".join(" ".join(texts).split()) for i, texts in errors.items()})
            rest = [i for i in group if i not in errors]
            if errors and rest:
                groups.append(rest)
            elif not errors:
                groups += [rest[:len(rest) // 2], rest[len(rest) // 2:]]
        return found

    def refusals(self) -> dict[ModuleCase, str | None]:
        """Terraform's errors for every refused case, by case, on one line; None for a case it accepted."""
        return self._part("refused", self._plan_refused)

    def _plan_refused(self) -> dict[ModuleCase, str | None]:
        refused = [c for c in self.cases if c.refused]
        root = self.workdir / "refused"
        for i, case in enumerate(refused):
            shutil.copytree(self.modules_dir / case.kind, root / "modules" / f"case_{i}",
                            ignore=shutil.ignore_patterns("tests"))
        found: dict[int, list[str]] = {}
        remaining = list(range(len(refused)))
        initialised = False
        while remaining:
            calls = {f"case_{i}": {"source": f"./modules/case_{i}", **refused[i].arguments} for i in remaining}
            root_document = {**OFFLINE_OVERRIDE, "provider": HARNESS_PROVIDER, "module": calls}
            (root / "main.tf.json").write_text(json.dumps(root_document, indent=2))
            if not initialised:
                run(root, "init", "-input=false", "-no-color")
                initialised = True
            result = completed(root, "plan", "-json", "-input=false", "-no-color", "-lock=false", "-refresh=false")
            by_case, unplaced = _diagnostics_by_call(result.stdout)
            failed = {i: texts for i, texts in by_case.items() if any(t.startswith("Error: ") for t in texts)}
            if unplaced or (result.returncode != 0 and not failed):
                raise TerraformFailed(
                    f"terraform plan of the refused cases failed in {root} (exit {result.returncode}) with errors that "
                    f"name no case:\n" + "\n".join(unplaced) + f"\n{result.stderr}")
            if not failed:
                break  # the calls left plan: Terraform accepts them
            found.update(failed)
            remaining = [i for i in remaining if i not in failed]
        return {case: (" ".join(" ".join(found[i]).split()) if i in found else None) for i, case in enumerate(refused)}

    def plan(self, case: ModuleCase) -> dict[str, Any]:
        """The plan of an accepted case; AssertionError, with Terraform's error, when Terraform refused it."""
        if case.refused or case not in self.cases:
            raise KeyError(f"{case} is not a case this batch plans")
        plan = self.plan_all()[case]
        if isinstance(plan, str):
            raise AssertionError(f"terraform refused the {case.kind} case {case.arguments_json}: {plan}")
        return plan

    def error(self, case: ModuleCase) -> str:
        """Terraform's error for a refused case, on one line; AssertionError when Terraform accepted it."""
        if not case.refused or case not in self.cases:
            raise KeyError(f"{case} is not a case this batch refuses")
        error = self.refusals()[case]
        if error is None:
            raise AssertionError(f"terraform plan accepted {case.arguments_json}")
        return error


def _scratch_copy(tree: Path, scratch: Path) -> Path:
    # Terraform writes .terraform/ and a lock file where it runs: a copy keeps the committed tree as generated.
    copy = scratch / "generated"
    shutil.copytree(tree, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
    return copy


def _each_folder(folders: list[Path], check) -> list[tuple[list[str], list[str]]]:
    """`check(folder)` -> (lines to print, failures) for every folder, two at a time (two cores, each thread with a
    provider process of its own once `_reusing_providers` is on), in the folders' order."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="terraform") as pool:
        return list(pool.map(check, folders))


@contextlib.contextmanager
def _reusing_providers(scratch: Path) -> Iterator[None]:
    """The pipeline steps' Terraform commands attach to one provider process per thread, as the suite's do
    (testkit/pytest_terraform.py): the provider is installed once into a plugin cache of the step's own (unless the
    caller set TF_PLUGIN_CACHE_DIR), and every init, validate and test attaches. Measured on the module-tests step
    (198 `terraform test` runs, each starting the provider twice): see docs/testing.md."""
    saved = {name: os.environ.get(name)
             for name in ("TF_PLUGIN_CACHE_DIR", "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE")}
    if not saved["TF_PLUGIN_CACHE_DIR"]:
        (scratch / "plugin-cache").mkdir()
        os.environ["TF_PLUGIN_CACHE_DIR"] = str(scratch / "plugin-cache")
    os.environ.setdefault("TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE", "1")
    try:
        check_provider(scratch / "provider-check")  # raises ProviderUnavailable, one line, when it cannot install
        reuse_provider_processes(Path(os.environ["TF_PLUGIN_CACHE_DIR"]), scratch / "providers")
        yield
    finally:
        stop_provider_processes()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def validate_tree(tree: Path) -> list[str]:
    """`terraform validate` of every module and stack of a generated tree (in a copy); the failures, one each."""

    def check(folder: Path) -> tuple[list[str], list[str]]:
        name = folder.relative_to(copy).as_posix()
        try:
            validate(folder)
            return [f"{name}: valid"], []
        except ProviderUnavailable:
            raise
        except TerraformFailed as err:
            return [], [f"{name}: {err}"]

    with tempfile.TemporaryDirectory(prefix="tf-validate-") as scratch:
        copy = _scratch_copy(tree, Path(scratch))
        folders = sorted(f for f in [*copy.glob("modules/*"), *copy.glob("stacks/*")] if f.is_dir())
        with _reusing_providers(Path(scratch)):
            results = _each_folder(folders, check)
    return _printed(results)


def test_modules(tree: Path) -> list[str]:
    """`terraform test` in every module of a generated tree (in a copy); the failed runs, one each."""

    def check(folder: Path) -> tuple[list[str], list[str]]:
        name = folder.relative_to(copy).as_posix()
        run(folder, "init", "-input=false", "-no-color")
        report = test(folder)
        failed = report.failures()
        failures = [f"{name}: {f}" for f in failed]
        if not report.runs:
            failures.append(f"{name}: no terraform test run")
        return [f"{name}: {len(report.runs) - len(failed)} of {len(report.runs)} runs passed"], failures

    with tempfile.TemporaryDirectory(prefix="tf-test-") as scratch:
        copy = _scratch_copy(tree, Path(scratch))
        folders = sorted(p for p in copy.glob("modules/*") if p.is_dir())
        with _reusing_providers(Path(scratch)):
            results = _each_folder(folders, check)
    return _printed(results)


def _printed(results: list[tuple[list[str], list[str]]]) -> list[str]:
    """Print each folder's lines in the folders' order; the failures of all of them."""
    failures = []
    for lines, failed in results:
        for line in lines:
            print(line)
        failures += failed
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testkit.terraform", description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--find-mirror", action="store_true",
                      help=f"print the local provider mirror the tests use ({MIRROR_ENV}, else one found), or nothing")
    mode.add_argument("--validate", metavar="TREE", type=Path,
                      help="terraform validate every module and stack of TREE (a generated/ folder)")
    mode.add_argument("--test", metavar="TREE", type=Path,
                      help="terraform test in every module of TREE (a generated/ folder), offline")
    args = parser.parse_args(argv)
    try:
        if args.find_mirror:
            mirror = provider_mirror()
            if mirror:
                print(mirror)
            return 0
        tree = args.validate or args.test
        if not (tree / "modules").is_dir():
            print(f"error: {tree}: not a generated tree (no modules/ folder)", file=sys.stderr)
            return 1
        failures = validate_tree(tree) if args.validate else test_modules(tree)
    except ProviderUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
