"""The pytest plugin that schedules the suite's Terraform work (registered by tests/conftest.py's `pytest_plugins`).

Terraform is the slow layer (each command loads the 600 MB AWS provider, about 3 s of CPU). Every test that asks for
one of this plugin's Terraform fixtures carries the `terraform` marker, so `pytest -m "not terraform"` runs the rest
in seconds. When the selected tests need Terraform, their work starts in the background as soon as the tree is
synthesized, two Terraform processes at a time, while the other tests run:

- module cases declared at import time with `plan_case` / `refusal_case`, read with `planned(case)` /
  `refused(case)`: planned together (`terraform.CaseBatch`: one root for the accepted ones, one for the refused
  ones, planned in rounds); a case Terraform refuses where it must plan fails its own test only; only the cases
  declared by the files of the selected tests that read cases are planned;
- each stack, planned offline once (`stack_plan(name)`, `shipped_stack_plan(name)`);
- roots of a test file's own, declared with `@background_terraform`, read with `background(function)` (a synthesis
  they need is their `prepare`, done in the main thread when the work starts), and commands such as `python
  main.py --verify`, declared with `background_process`.

Each module's shipped `terraform test` is not run here: the pipeline's `module-tests` step runs it.

The plugin needs one fixture of the project's: `generated_tree`, the synthesized tree (a folder holding modules/
and stacks/). Everything it declares lives here, in `DECLARED`; the session's work lives in the pytest config's
stash. The provider comes from where `testkit.terraform.provider_mirror` finds it; when Terraform cannot install it,
the first Terraform test stops the session with one line that says what to set.
"""

from __future__ import annotations

import copy
import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
import subprocess
from typing import Any, Callable, Mapping, NamedTuple

import pytest

from testkit import terraform
from testkit.project import SHIPPED_TREE, plan_key, shipped_stacks
from testkit.terraform import ModuleCase

# Fixtures that run Terraform: a test asking for one is marked `terraform`.
TERRAFORM_FIXTURES = frozenset({"terraform_work", "planned", "background", "refused", "stack_plan", "shipped_stack_plan"})

Job = Callable[[Path, Path], Any]


@dataclass
class Declarations:
    """What the test files declare at import time, for the session to start."""
    cases: list[ModuleCase] = field(default_factory=list)
    # The test modules that declared each case: a session plans only the cases of the files it runs tests of.
    case_files: dict[ModuleCase, set[str]] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    prepare: dict[Job, Callable[[Path], None] | None] = field(default_factory=dict)
    # The session's TerraformWork once started (require_terraform waits for its provider check).
    running: list["TerraformWork"] = field(default_factory=list)


DECLARED = Declarations()


def plan_case(kind: str, arguments: Mapping[str, Any]) -> ModuleCase:
    """Declare, at import time, a call of module `kind` that Terraform must plan; `planned(case)` returns the plan
    (`terraform show -json`, resources at `module.under_test.*`). All declared cases share one plan; a case that
    Terraform refuses fails its own test only."""
    return _declare(ModuleCase.of(kind, arguments))


def refusal_case(kind: str, arguments: Mapping[str, Any]) -> ModuleCase:
    """Declare, at import time, a call of module `kind` that Terraform must refuse; `refused(case)` returns its
    error output on one line."""
    return _declare(ModuleCase.of(kind, arguments, refused=True))


def selected_cases(declared: Declarations, files: set[str] | None) -> list[ModuleCase]:
    """The declared cases that a test module of `files` declared (every case when `files` is None), in order."""
    return [case for case in dict.fromkeys(declared.cases) if files is None or declared.case_files[case] & files]


def _declare(case: ModuleCase) -> ModuleCase:
    """Record `case` with the test module declaring it (the first caller outside testkit)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("testkit."):
        frame = frame.f_back
    DECLARED.cases.append(case)
    DECLARED.case_files.setdefault(case, set()).add(frame.f_globals.get("__name__", "") if frame else "")
    return case


def background_terraform(function: Job | None = None, *, prepare: Callable[[Path], None] | None = None):
    """Declare, at import time, Terraform work on a root of the test file's own: `function(generated_tree,
    workdir)` returns what the tests assert on. It starts with the session's other Terraform work, in the
    background while the tests that need no Terraform run, when a selected test of its file asks for the
    `background` fixture; `background(function)` waits for its result (or raises its error).

    A job runs in a worker thread, where nothing may synthesize (the jsii runtime serves one thread). A job whose
    root is a synthesis of its own gives it as `prepare(workdir)`: that runs in the session's main thread when the
    work starts (its error is the job's), and the job finds its result in the same `workdir`. A job keeps to its
    `workdir` (give `plan_offline` a `scratch` there): tests in the main thread may patch process-wide functions
    (shutil.rmtree, os.replace) for a check of their own while it runs."""

    def declare(function: Job) -> Job:
        refuse_a_second(function, DECLARED.jobs)
        DECLARED.prepare[function] = prepare
        DECLARED.jobs.append(function)
        return function

    return declare if function is None else declare(function)


def user_environment() -> dict[str, str]:
    """The environment a user's shell gives a process the tests start: not the session's plugin cache (Terraform's
    cache is not safe for concurrent installs, and the session's Terraform work installs into it)."""
    return {name: value for name, value in os.environ.items() if name != "TF_PLUGIN_CACHE_DIR"}


class Command(NamedTuple):
    args: list[str]
    env: dict[str, str]
    cwd: Path


def background_process(build: Callable[[Path], Command] | None = None, *, attach: bool = True):
    """Declare a command run with the session's Terraform work: `build(workdir)` gives it, in the session's main
    thread (it may run something in this process first), and a worker runs it; `background(job)` is (its
    CompletedProcess, workdir).

    With `attach` (the default) the command's Terraform commands attach to the worker's provider process
    (`TF_REATTACH_PROVIDERS`): a `--verify` run then costs 3 commands of about 3 s of CPU instead of 6 s each
    (measured: plan 7.4 -> 3.5 s, show 4.5 -> 2.2 s), and nothing else changes but the provider's install, which
    an attached command skips. `attach=False` for the run that must install the provider the way a user's does
    (tests/test_verify_estates.py runs the README's command so)."""
    if build is None:  # @background_process(attach=False)
        return lambda build: background_process(build, attach=attach)
    commands: dict[Path, Command] = {}

    def prepare(workdir: Path) -> None:
        commands[workdir] = build(workdir)

    def job(_tree: Path, workdir: Path) -> tuple[subprocess.CompletedProcess, Path]:
        command = commands[workdir]
        env = {**command.env, **(terraform.reattach_environment() if attach else {})}
        return subprocess.run(command.args, cwd=command.cwd, env=env, capture_output=True, text=True), workdir

    job.__module__, job.__name__, job.__qualname__ = build.__module__, build.__name__, build.__qualname__
    return background_terraform(job, prepare=prepare)


def refuse_a_second(function: Callable[..., Any], declared: list[Callable[..., Any]]) -> None:
    """Each declaration has a folder of its own, named by its module and function."""
    name = (function.__module__, function.__name__)
    if any((f.__module__, f.__name__) == name for f in declared if f is not function):
        raise TypeError(f"{name[0]}.{name[1]} is declared twice")


def _started(start: Callable[[], Future]) -> Future:
    """`start()`, which prepares and queues a declared job; whatever it raises (a pytest.fail or skip, a SystemExit
    from the command line; KeyboardInterrupt aside) becomes the outcome of that job, for the tests that read it, and
    never stops the session's other work."""
    try:
        return start()
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        failed: Future = Future()
        failed.set_exception(error)
        return failed


# --- collection: the marker, and which work the selected tests need ------------------------------------------------

_WANTS_TERRAFORM = pytest.StashKey[set]()
_JOB_FILES = pytest.StashKey[set]()
_CASE_FILES = pytest.StashKey[set]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if TERRAFORM_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.terraform)


def pytest_collection_finish(session: pytest.Session) -> None:
    # The Terraform fixtures the selected tests use: the session starts only the work they need.
    session.config.stash[_WANTS_TERRAFORM] = {
        name for item in session.items for name in getattr(item, "fixturenames", ()) if name in TERRAFORM_FIXTURES
    }
    session.config.stash[_JOB_FILES] = _files_using(session, "background")
    # Cases are planned for the files whose selected tests read them: a run of one file (or of the new-module
    # check's selection) does not pay for every module case of the suite.
    session.config.stash[_CASE_FILES] = _files_using(session, "planned") | _files_using(session, "refused")


def _files_using(session: pytest.Session, fixture: str) -> set[str]:
    """The test modules with a selected test that asks for `fixture`: only their declarations start."""
    return {
        item.module.__name__ for item in session.items
        if fixture in getattr(item, "fixturenames", ()) and getattr(item, "module", None) is not None
    }


# --- the Terraform work -------------------------------------------------------------------------------------------

def require_terraform() -> None:
    """Terraform is on PATH, and the session's plugin cache is filled: a test that plans a root of its own must not
    init while the provider check installs into the cache (Terraform's cache is not safe for concurrent installs:
    CI once failed a module test with "could not read package directory: .terraform/providers/...")."""
    if terraform.binary() is None:
        if os.environ.get("CI"):
            pytest.fail("terraform is not on PATH; CI must have it")
        pytest.skip("terraform is not on PATH")
    for work in DECLARED.running:
        work.provider.result()


class TerraformWork:
    """The session's Terraform work, started in the background: the provider check first (it fills the plugin
    cache alone: Terraform's cache is not safe for concurrent installs), then the declared cases, the stack plans
    and the test files' own roots, two processes at a time."""

    def __init__(self, tree_root: Path, workdir: Path, cases: list[ModuleCase], wanted: set[str] | None = None,
                 jobs: list[Job] = (), prepare: Mapping[Job, Callable[[Path], None] | None] | None = None):
        self.tree_root = tree_root
        self.batch = terraform.CaseBatch(tree_root / "modules", workdir / "cases", cases)
        self.stacks = sorted(p.name for p in (tree_root / "stacks").iterdir() if p.is_dir())
        self.workdir = workdir
        self._prepare = dict(prepare or {})
        self._reusing = False
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="terraform")
        self.provider: Future = self._executor.submit(self._check_provider)
        self._plans: dict[str, Future] = {}  # by the digest of what the plan reads (plan_key)
        # What the selected tests use (all of it when not told), in the order the tests read it. Anything else
        # runs on first use.
        wanted = set(TERRAFORM_FIXTURES) if wanted is None else wanted
        if "planned" in wanted and any(not c.refused for c in self.batch.cases):
            self._after_provider(self.batch.plan_all)
        if "refused" in wanted and any(c.refused for c in self.batch.cases):
            self._after_provider(self.batch.refusals)
        if "stack_plan" in wanted:
            for stack in self.stacks:
                self._plan(tree_root, stack)
        if "shipped_stack_plan" in wanted:
            for stack in shipped_stacks():
                self._plan(SHIPPED_TREE, stack)
        # The test files' own roots, in the order their tests run.
        self._jobs: dict[Job, Future] = {job: self._start_job(job) for job in jobs}

    def _check_provider(self) -> None:
        terraform.check_provider(self.workdir / "provider-check")
        # The provider is in the plugin cache: from now on each thread's commands reuse a provider process.
        cache = os.environ.get("TF_PLUGIN_CACHE_DIR")
        if cache:
            self._reusing = terraform.reuse_provider_processes(Path(cache), self.workdir / "providers")

    def _after_provider(self, job: Callable[..., Any], *args: Any) -> Future:
        def after() -> Any:
            self.provider.result()
            return job(*args)

        return self._executor.submit(after)

    def _start_job(self, job: Job) -> Future:
        """Prepare `job` here (the calling thread is the session's main one) and queue it (see `_started`)."""
        workdir = self.workdir / f"job-{job.__module__}-{job.__name__}"

        def start() -> Future:
            workdir.mkdir()
            prepare = self._prepare.get(job)
            if prepare is not None:
                prepare(workdir)
            return self._after_provider(job, self.tree_root, workdir)

        return _started(start)

    def job(self, job: Job) -> Any:
        self.ready()
        if job not in self._jobs:
            self._jobs[job] = self._start_job(job)
        return copy.deepcopy(self._jobs[job].result())

    def _plan(self, tree_root: Path, stack: str) -> Future:
        """The offline plan of `stacks/<stack>` of `tree_root`, queued once per content: a stack of the team's that
        is the same as a fixture's (or as another of theirs) is planned once."""
        key = plan_key(tree_root, stack)
        if key not in self._plans:
            self._plans[key] = self._after_provider(self._plan_stack, tree_root, stack, key)
        return self._plans[key]

    def _plan_stack(self, tree_root: Path, stack: str, key: str) -> dict[str, Any]:
        variables = terraform.placeholder_variables(tree_root / "stacks" / stack)
        scratch = self.workdir / f"stack-{stack}-{key[:12]}"
        scratch.mkdir()
        return terraform.plan_offline(tree_root, stack, variables, scratch=scratch)

    def ready(self) -> None:
        """Wait for the provider check; stop the session with its one line when the provider is unavailable."""
        try:
            self.provider.result()
        except terraform.ProviderUnavailable as err:
            pytest.exit(str(err), returncode=1)

    def stack_plan(self, stack: str, tree_root: Path | None = None) -> dict[str, Any]:
        self.ready()
        return copy.deepcopy(self._plan(tree_root or self.tree_root, stack).result())

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._reusing:  # only the work that started them: a test's own TerraformWork leaves the session's alone
            terraform.stop_provider_processes()


@pytest.fixture(scope="session")
def terraform_work(request: pytest.FixtureRequest, generated_tree: Path, tmp_path_factory: pytest.TempPathFactory):
    require_terraform()
    workdir = tmp_path_factory.mktemp("terraform")
    # One plugin cache for the session: the provider check installs the provider there once; the reused provider
    # processes start from it, and an init that does not attach (provider reuse off) links it from there.
    if not os.environ.get("TF_PLUGIN_CACHE_DIR"):
        cache = workdir / "plugin-cache"
        cache.mkdir()
        os.environ["TF_PLUGIN_CACHE_DIR"] = str(cache)
    # Once the provider check has filled the cache, every later init links from it and never writes to it again,
    # even for a root without a lock file (by default Terraform >= 1.4 installs again, into the shared cache, when
    # the lock file lacks the provider's checksums: concurrent inits then race).
    os.environ.setdefault("TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE", "1")
    job_files = request.config.stash.get(_JOB_FILES, None)
    jobs = [job for job in DECLARED.jobs if job_files is None or job.__module__ in job_files]
    cases = selected_cases(DECLARED, request.config.stash.get(_CASE_FILES, None))
    work = TerraformWork(generated_tree, workdir, cases, request.config.stash.get(_WANTS_TERRAFORM, None),
                         jobs, DECLARED.prepare)
    DECLARED.running.append(work)
    yield work
    work.close()
    DECLARED.running.remove(work)


@pytest.fixture(scope="session", autouse=True)
def _start_early(request: pytest.FixtureRequest) -> None:
    """Start the Terraform work at the session's start when any selected test needs it, so that it runs while the
    tests that need no Terraform do."""
    if request.config.stash.get(_WANTS_TERRAFORM, None) and terraform.binary() is not None:
        request.getfixturevalue("terraform_work")


@pytest.fixture(scope="session")
def planned(terraform_work: TerraformWork) -> Callable[[ModuleCase], dict[str, Any]]:
    """`planned(case)`: the offline plan of a case declared with `plan_case`."""

    def get(case: ModuleCase) -> dict[str, Any]:
        terraform_work.ready()
        return copy.deepcopy(terraform_work.batch.plan(case))

    return get


@pytest.fixture(scope="session")
def refused(terraform_work: TerraformWork) -> Callable[[ModuleCase], str]:
    """`refused(case)`: Terraform's error for a case declared with `refusal_case` (AssertionError if it plans)."""

    def get(case: ModuleCase) -> str:
        terraform_work.ready()
        return terraform_work.batch.error(case)

    return get


@pytest.fixture(scope="session")
def background(terraform_work: TerraformWork) -> Callable[[Job], Any]:
    """`background(job)`: the result of a job declared with `background_terraform` (waits for it)."""
    return terraform_work.job


@pytest.fixture(scope="session")
def stack_plan(terraform_work: TerraformWork) -> Callable[[str], dict[str, Any]]:
    """`stack_plan("dev")`: `terraform show -json` of the offline plan of stacks/dev of the tests' own tree (the
    stack of tests/fixtures/environments/dev.toml)."""
    return terraform_work.stack_plan


@pytest.fixture(scope="session")
def shipped_stack_plan(terraform_work: TerraformWork) -> Callable[[str], dict[str, Any]]:
    """`shipped_stack_plan(name)`: the offline plan of the committed generated/stacks/<name> (a team's stack)."""
    return lambda stack: terraform_work.stack_plan(stack, SHIPPED_TREE)
