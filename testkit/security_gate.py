"""The security gate: checkov on the offline plan of every stack (`python -m testkit.security_gate`).

checkov reads a plan best: every variable resolved, every dynamic block expanded, exactly what `terraform apply`
would create. (On the Terraform JSON files themselves, checkov 3.3.30's parser fails on `required_version` and
evaluates nothing behind `${var.…}` defaults or `dynamic` blocks: it would pass by seeing nothing.)

The gate fails on any failed check, and when the scan did not evaluate each main resource of a stack: a scan that
saw nothing is a failure, not a pass. checkov lives in its own virtual environment; its path is `--checkov`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from testkit import terraform

PROJECT = Path(__file__).resolve().parent.parent


def main_resource_types() -> tuple[str, ...]:
    """What each discovered module declares as its main resource types (ModuleDefinition.main_resource_types)."""
    from generator.model.discovery import main_resource_types as declared
    from modules import all_modules

    return declared(all_modules())


def plan_json(tree: Path, stack: str, workdir: Path) -> Path:
    # The stacks' secret variables get placeholders: the plan needs a value, the scan never sees a real one.
    plan = terraform.plan_offline(tree, stack, terraform.placeholder_variables(tree / "stacks" / stack))
    path = workdir / f"{stack}.plan.json"
    path.write_text(json.dumps(plan))
    return path


def main_resources(plan: dict, types: tuple[str, ...]) -> set[str]:
    """The addresses of the plan's managed resources of the main `types`, at any depth of modules."""
    found: set[str] = set()

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            if resource["type"] in types and resource["mode"] == "managed":
                found.add(resource["address"])
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan["planned_values"]["root_module"])
    return found


def scan(checkov: str, plan: Path) -> dict:
    # A value Terraform learns only at apply (the ARN of a key the module creates) is "after_unknown" in a plan;
    # without this setting checkov reads it as absent and reports an unencrypted resource. With it, checkov
    # evaluates such a value as set, which is what apply does.
    env = dict(os.environ, EVAL_TF_PLAN_AFTER_UNKNOWN="true")
    result = subprocess.run(
        [checkov, "--file", str(plan), "--framework", "terraform_plan", "--config-file", str(PROJECT / ".checkov.yaml"),
         "--output", "json", "--compact", "--skip-download"],
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode not in (0, 1) or not result.stdout.strip():
        raise SystemExit(f"checkov did not run on {plan.name} (exit {result.returncode}):\n{result.stderr}")
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


def gate(checkov: str, tree: Path) -> int:
    stacks = sorted(p.name for p in (tree / "stacks").iterdir() if p.is_dir())
    failures = 0
    types = main_resource_types()
    with tempfile.TemporaryDirectory(prefix="checkov-") as scratch:
        for stack in stacks:
            plan_path = plan_json(tree, stack, Path(scratch))
            expected = main_resources(json.loads(plan_path.read_text()), types)
            report = scan(checkov, plan_path)
            results = report.get("results", {})
            passed, failed, skipped = (results.get(k, []) for k in ("passed_checks", "failed_checks", "skipped_checks"))
            evaluated = {c["resource"] for c in passed + failed + skipped}
            unseen = sorted(a for a in expected if a not in evaluated)
            print(f"stacks/{stack}: {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped checks on "
                  f"{len(evaluated)} resources; {len(expected) - len(unseen)} of {len(expected)} main resources evaluated")
            for check in failed:
                print(f"  FAILED {check['check_id']} {check['resource']}: {check['check_name']}")
            for address in unseen:
                print(f"  NOT EVALUATED {address}")
            by_check = Counter(c["check_id"] for c in skipped)
            for check_id, count in sorted(by_check.items()):
                print(f"  skipped {check_id} on {count} resources (reason in .checkov.yaml)")
            failures += len(failed) + len(unseen) + (0 if expected else 1)
    print("security gate: " + ("passed" if failures == 0 else f"FAILED ({failures} problems)"))
    return 0 if failures == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testkit.security_gate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkov", default=str(PROJECT / ".venv-checkov" / "bin" / "checkov"), help="checkov executable")
    parser.add_argument("--tree", type=Path, default=PROJECT / "generated", help="the generated tree to plan and scan")
    args = parser.parse_args(argv)
    return gate(args.checkov, args.tree)


if __name__ == "__main__":
    sys.exit(main())
