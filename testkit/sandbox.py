"""A real `terraform apply` of the generated modules without AWS: moto's server stands in for it
(`ci/pipeline.sh sandbox`, `python -m testkit.sandbox`).

The step starts moto's server (`moto[server]`, the `ci` extra) on a free loopback port, writes a root that calls
generated/modules/ with the AWS provider pointed at it (an endpoint per service, placeholder credentials, the
provider's `skip_*` settings; the provider from the local mirror when there is one, as the tests find it), then:

1. `terraform apply`: a VPC and three subnets of the root's own, an SNS topic for the alarms; the DynamoDB module
   whole (partition and sort key, a GSI, an LSI, TTL, point-in-time recovery, SSE with the module's KMS key and key
   policy, a resource policy, ten alarms); of the ElastiCache and MSK modules, the shared pieces moto models: their
   KMS key, key policy and alias, their security group and its rules, and their CloudWatch log groups;
2. `terraform plan -detailed-exitcode` of the same: it must say "No changes" (a perpetual diff is a module bug);
3. `terraform destroy`: everything goes, nothing is left in the state.

moto 5.2.5 does not model everything, so the rest of those two modules is left out (by `-target`): ElastiCache
parameter groups and MSK configurations do not exist there (404), without them neither the replication group nor
the cluster can be created; application auto scaling targets (provisioned DynamoDB capacity, MSK storage scaling)
wait forever, moto implementing no ListTagsForResource for them; and moto returns no description for a security
group rule that references another group, so the MSK brokers' rule between themselves would differ at every plan.
Every command has a time limit; the server is stopped whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from generator.model import versions
from testkit import terraform

PROJECT = Path(__file__).resolve().parent.parent
REGION = "ap-northeast-2"
# The services the root and the modules call; each is pointed at the server.
SERVICES = ("cloudwatch", "dynamodb", "ec2", "elasticache", "iam", "kafka", "kms", "logs", "sns", "sts",
            "applicationautoscaling")
SERVER_START_LIMIT = 60  # seconds for moto's server to answer
COMMAND_LIMIT = 600  # seconds for one terraform command (apply, plan, destroy)

# What the ElastiCache and MSK modules create that moto models (their main resources need what it does not).
SHARED_PIECES = ("aws_kms_key.this", "aws_kms_key_policy.this", "aws_kms_alias.this", "aws_security_group.this",
                 "aws_vpc_security_group_ingress_rule.from_cidr_blocks", "aws_vpc_security_group_ingress_rule.from_security_groups",
                 "aws_vpc_security_group_ingress_rule.extra", "aws_vpc_security_group_egress_rule.extra")
CACHE_PIECES = SHARED_PIECES + ("aws_cloudwatch_log_group.slow_log", "aws_cloudwatch_log_group.engine_log")
# Not the MSK module's between-brokers rule: moto 5.2.5 returns no description for a rule that references a security
# group (its DescribeSecurityGroupRules reads the description of CIDR rules only), so the plan after apply would
# show the description to add again at every plan: a gap of moto's, not a diff of the module's.
KAFKA_PIECES = SHARED_PIECES + ("aws_cloudwatch_log_group.broker_logs",)


class SandboxFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MotoServer:
    """moto's server on a loopback port, in a session of its own; `stop()` ends it (and only it)."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.log = log

    def wait_ready(self, limit: float = SERVER_START_LIMIT) -> float:
        started = time.monotonic()
        while True:
            if self.process.poll() is not None:
                raise SandboxFailed(f"moto's server exited ({self.process.returncode}) before it answered; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2) as answer:
                    if answer.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() - started > limit:
                raise SandboxFailed(f"moto's server did not answer on {self.url} within {limit} s; see {self.log}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def root(endpoint: str) -> dict[str, Any]:
    """The sandbox root: the provider pointed at `endpoint`, the network and topic it needs, the module calls."""
    subnets = [f"${{aws_subnet.sandbox_{i}.id}}" for i in range(3)]
    topic = "${aws_sns_topic.alarms.arn}"
    return {
        "terraform": {
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": versions.AWS_PROVIDER}},
            "backend": {"local": {"path": "terraform.tfstate"}},
        },
        "provider": {"aws": [{
            "region": REGION,
            # moto takes any credentials; these are placeholders, not secrets.
            "access_key": "sandbox-placeholder",
            "secret_key": "sandbox-placeholder",
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "skip_region_validation": True,
            "endpoints": [{service: endpoint for service in SERVICES}],
            "default_tags": [{"tags": {"Project": "mapzip", "Environment": "sandbox"}}],
        }]},
        "data": {"aws_caller_identity": {"current": {}}},
        "resource": {
            "aws_vpc": {"sandbox": {"cidr_block": "10.42.0.0/16", "enable_dns_support": True}},
            "aws_subnet": {f"sandbox_{i}": {"vpc_id": "${aws_vpc.sandbox.id}", "cidr_block": f"10.42.{i}.0/24",
                                            "availability_zone": f"{REGION}{'abc'[i]}"} for i in range(3)},
            "aws_sns_topic": {"alarms": {"name": "mapzip-sandbox-data-alarms"}},
        },
        "module": {
            "table": {
                "source": "./modules/dynamodb",
                "name_prefix": "mapzip-sandbox-",
                "table_name": "reviews",
                "hash_key": "place_id",
                "range_key": "review_id",
                "attributes": [
                    {"name": "place_id", "type": "S"}, {"name": "review_id", "type": "S"},
                    {"name": "author_id", "type": "S"}, {"name": "created_at", "type": "N"},
                ],
                "global_secondary_indexes": [{"name": "by_author", "hash_key": "author_id", "range_key": "created_at"}],
                "local_secondary_indexes": [{"name": "by_created", "range_key": "created_at"}],
                "ttl_attribute_name": "expires_at",
                "point_in_time_recovery_enabled": True,
                "deletion_protection_enabled": False,  # the sandbox destroys what it made
                "create_resource_policy": True,
                "resource_policy": json.dumps({"Version": "2012-10-17", "Statement": [{
                    "Sid": "ReadByTheAccount", "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"},
                    "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                    "Resource": f"arn:aws:dynamodb:{REGION}:${{data.aws_caller_identity.current.account_id}}:table/"
                                "mapzip-sandbox-reviews",
                }]}),
                "alarms_enabled": True,
                "alarm_actions": [topic],
                "ok_actions": [topic],
            },
            "cache": {
                "source": "./modules/elasticache",
                "name_prefix": "mapzip-sandbox-",
                "cluster_name": "auth",
                "vpc_id": "${aws_vpc.sandbox.id}",
                "subnet_ids": subnets,
                "allowed_cidr_blocks": ["10.42.0.0/16"],
                "log_retention_in_days": 30,
            },
            "kafka": {
                "source": "./modules/msk",
                "name_prefix": "mapzip-sandbox-",
                "cluster_name": "events",
                "vpc_id": "${aws_vpc.sandbox.id}",
                "subnet_ids": subnets,
                "allowed_cidr_blocks": ["10.42.0.0/16"],
                "log_retention_in_days": 30,
            },
        },
    }


def targets() -> list[str]:
    """What the sandbox applies: the root's own resources, the DynamoDB module whole, the modelled shared pieces."""
    return (["aws_vpc.sandbox", *(f"aws_subnet.sandbox_{i}" for i in range(3)), "aws_sns_topic.alarms", "module.table"]
            + [f"module.cache.{r}" for r in CACHE_PIECES] + [f"module.kafka.{r}" for r in KAFKA_PIECES])


def terraform_command(workdir: Path, *args: str, limit: float = COMMAND_LIMIT) -> tuple[subprocess.CompletedProcess, float]:
    """Run terraform in `workdir` (the provider from the local mirror, as the tests install it), bounded by `limit`
    seconds: past it the command is killed and SandboxFailed raised."""
    started = time.monotonic()
    with terraform._environment(attach=False) as env:
        env.pop("TF_REATTACH_PROVIDERS", None)
        process = subprocess.Popen([terraform.binary() or "terraform", *args], cwd=workdir, env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            raise SandboxFailed(f"terraform {args[0]} did not finish within {limit:.0f} s:\n{_tail(stdout + stderr)}")
        except BaseException:  # Ctrl-C: it runs in a session of its own, so the terminal's signal missed it
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), time.monotonic() - started


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _checked(workdir: Path, *args: str) -> tuple[str, float]:
    result, seconds = terraform_command(workdir, *args)
    if result.returncode != 0:
        raise SandboxFailed(f"terraform {args[0]} failed (exit {result.returncode}):\n{_tail(result.stdout + result.stderr)}")
    return result.stdout, seconds


def state_addresses(workdir: Path) -> list[str]:
    result, _ = terraform_command(workdir, "state", "list")
    if result.returncode != 0:
        raise SandboxFailed(f"terraform state list failed:\n{_tail(result.stderr)}")
    return result.stdout.split()


def managed(addresses: list[str]) -> list[str]:
    """The resources among state addresses (not the data sources read)."""
    return [a for a in addresses if not a.startswith("data.") and ".data." not in a]


def run(tree: Path, workdir: Path, say=print) -> dict[str, float]:
    """Apply, plan again, destroy; returns the seconds each took. Raises SandboxFailed with what went wrong."""
    times: dict[str, float] = {}
    server = MotoServer(workdir / "moto.log")
    try:
        times["moto start"] = server.wait_ready()
        say(f"moto server on {server.url} (ready in {times['moto start']:.1f} s)")
        shutil.copytree(tree / "modules", workdir / "modules")
        (workdir / "main.tf.json").write_text(json.dumps(root(server.url), indent=2) + "\n")
        target_args = [f"-target={t}" for t in targets()]
        _, times["init"] = _checked(workdir, "init", "-input=false", "-no-color")
        _, times["apply"] = _checked(workdir, "apply", "-auto-approve", "-input=false", "-no-color", *target_args)
        applied = managed(state_addresses(workdir))
        say(f"applied {len(applied)} resources in {times['apply']:.0f} s")
        result, times["plan"] = terraform_command(workdir, "plan", "-detailed-exitcode", "-input=false", "-no-color",
                                                  *target_args)
        if result.returncode != 0 or "No changes." not in result.stdout:
            raise SandboxFailed("the plan after apply is not empty (a perpetual diff), exit "
                                f"{result.returncode}:\n{_tail(result.stdout + result.stderr, 80)}")
        say(f"plan after apply: No changes ({times['plan']:.0f} s)")
        _, times["destroy"] = _checked(workdir, "destroy", "-auto-approve", "-input=false", "-no-color")
        left = state_addresses(workdir)
        if left:
            raise SandboxFailed(f"destroy left {len(left)} resources in the state: {', '.join(left[:10])}")
        say(f"destroyed all {len(applied)} in {times['destroy']:.0f} s; the state is empty")
        return times
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testkit.sandbox", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=PROJECT / "generated", help="the generated tree whose modules to apply")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (root, state, moto's log)")
    args = parser.parse_args(argv)
    if terraform.binary() is None:
        print("error: terraform is not on PATH", file=sys.stderr)
        return 1
    try:
        import moto.server  # noqa: F401
    except ImportError:
        print("error: moto's server is not installed; install the ci extra: .venv/bin/pip install -e '.[test,ci]'",
              file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="sandbox-"))
    started = time.monotonic()
    try:
        times = run(args.tree, workdir)
    except (SandboxFailed, terraform.ProviderUnavailable) as err:
        print(f"error: sandbox: {err}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"work folder kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print("sandbox: apply, plan (No changes), destroy: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
          + f"; {time.monotonic() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
