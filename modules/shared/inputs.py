"""Inputs and checks several modules declare alike: naming, networking, logs and tags."""

from __future__ import annotations

import dataclasses
import functools
import operator
from typing import Any

from generator.language import rules
from generator.language.expr import Expr, all_, all_of, any_, call, if_, implies, lift, try_, value, var
from generator.language.inputs import Advice, Check, Input, Rule, holds
from generator.language.types import BOOL, NUMBER, STRING, list_of, map_of, object_of, optional
from modules.catalog import LOG_RETENTION_DAYS

NAME_PREFIX_DESCRIPTION = "Prefix of every name the module creates, such as \"mapzip-dev-\"."


# One extra rule of the module's security group, by a name the caller chooses: the name is the rule's key in
# Terraform's state, so it is known at plan time whatever the peer (a group or a CIDR created in the same apply).
SECURITY_GROUP_RULE = object_of(
    description=optional(STRING),
    ip_protocol=optional(STRING, "tcp"),
    from_port=optional(NUMBER),
    to_port=optional(NUMBER),
    cidr_ipv4=optional(STRING),
    cidr_ipv6=optional(STRING),
    prefix_list_id=optional(STRING),
    referenced_security_group_id=optional(STRING),
)
_PEERS = ("cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id")
IP_PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6", "-1")


def _peer_count(rule: Expr) -> Expr:
    """How many of a rule's peers are set."""
    return functools.reduce(operator.add, (if_(rule[peer].not_null(), 1, 0) for peer in _PEERS))


_RULE_RULES = (
    Rule(
        "name exactly one peer per rule: cidr_ipv4, cidr_ipv6, prefix_list_id or referenced_security_group_id",
        when=all_(call("values", value), lambda r: _peer_count(r) == 1),
        example={"clients": {"from_port": 443, "cidr_ipv4": "10.0.0.0/16", "cidr_ipv6": "fd00::/8"}},
        passing={"clients": {"from_port": 443, "cidr_ipv6": "fd00::/8"},
                 "peers": {"from_port": 443, "referenced_security_group_id": "sg-0123456789abcdef0"}},
    ),
    Rule(
        'have ip_protocol tcp, udp, icmp, icmpv6 or "-1" (all traffic), with from_port exactly when it is not "-1"',
        when=all_(call("values", value), lambda r: r["ip_protocol"].is_in(IP_PROTOCOLS)
                  & ((r["ip_protocol"] == "-1") == r["from_port"].is_null())),
        # All traffic with a port: AWS ignores the port, so the rule would not say what it opens.
        example={"clients": {"ip_protocol": "-1", "from_port": 443, "cidr_ipv4": "10.0.0.0/16"}},
        passing={"everything": {"ip_protocol": "-1", "cidr_ipv4": "10.0.0.0/16"},
                 "dns": {"ip_protocol": "udp", "from_port": 53, "cidr_ipv4": "10.0.0.0/16"}},
    ),
)


def network(reached: str, subnets: Input) -> tuple[Input, ...]:
    """vpc_id, subnet_ids (given, as each service constrains them differently) and the security group inputs.

    Attach and allow are different inputs on purpose: attaching a group (associated_security_group_ids) puts the
    cluster in it and opens nothing; allowing a group (allowed_security_group_ids) opens the cluster's ports to
    the members of that group. Passing the EKS node group to the first leaves the cluster unreachable from EKS.
    """
    return (
        Input("vpc_id", STRING, "VPC of the security group.", rules=(rules.resource_id("vpc"),),
              example="vpc-0123456789abcdef0"),
        subnets,
        Input(
            "create_security_group",
            BOOL,
            f"Create the module's security group, which opens {reached} to the allowed sources. false: bring your "
            "own group in associated_security_group_ids; the module then creates no group and adds no rule "
            "(allowed_* and the *_rules inputs must stay empty).",
            default=True,
        ),
        Input(
            "allowed_security_group_ids",
            list_of(STRING),
            f"Security groups (such as the EKS nodes') allowed to reach {reached}: one ingress rule per port and "
            "group, keyed by the group's position in this list.",
            default=[],
            rules=(rules.resource_ids("sg"), rules.distinct("security group", "sg-0123456789abcdef0")),
        ),
        Input(
            "allowed_cidr_blocks",
            list_of(STRING),
            f"CIDR blocks (IPv4 or IPv6) allowed to reach {reached}, keyed by position like "
            "allowed_security_group_ids. 0.0.0.0/0 and ::/0 are refused unless allow_ingress_from_anywhere is true.",
            default=[],
            rules=(rules.cidr_blocks(), rules.distinct("CIDR block")),
        ),
        Input(
            "allow_ingress_from_anywhere",
            BOOL,
            "Explicitly allow 0.0.0.0/0 or ::/0 in allowed_cidr_blocks and ingress_rules. Weakens security; synth "
            "prints a warning.",
            default=False,
            weakens=(True, f"opens {reached} to any address"),
        ),
        Input(
            "ingress_rules",
            map_of(SECURITY_GROUP_RULE),
            "Extra ingress rules of the module's group, by a name of your choice (the name keys the rule in "
            "state): ip_protocol (default tcp), from_port, to_port (default from_port), one peer (cidr_ipv4, "
            "cidr_ipv6, prefix_list_id or referenced_security_group_id), description.",
            default={},
            rules=_RULE_RULES,
        ),
        Input(
            "egress_rules",
            map_of(SECURITY_GROUP_RULE),
            "Egress rules of the module's group, shaped like ingress_rules. Default: none: security groups are "
            "stateful, so replies to clients need no egress rule, and the service opens no connection of its own "
            "into your VPC.",
            default={},
            rules=_RULE_RULES,
        ),
        Input(
            "associated_security_group_ids",
            list_of(STRING),
            "Existing security groups to attach to the cluster, besides the module's own. Attaching opens nothing: "
            "to let a group's members in, list it in allowed_security_group_ids.",
            default=[],
            rules=(rules.resource_ids("sg"), rules.distinct("security group", "sg-0123456789abcdef0")),
        ),
        Input(
            "security_group_ids",
            list_of(STRING),
            "Deprecated: the old name of associated_security_group_ids (attaches groups, opens nothing).",
            default=[],
            rules=(rules.resource_ids("sg"), rules.distinct("security group")),
            deprecated="it attaches the groups to the cluster and opens nothing; name them in "
            "associated_security_group_ids to attach them, or in allowed_security_group_ids to let their members in",
        ),
    )


# Sources the module's group lets in: its ingress rules.
_SOURCES = (var("allowed_security_group_ids").length() + var("allowed_cidr_blocks").length()
            + var("ingress_rules").length())


_ANYWHERE = var("allow_ingress_from_anywhere")
_SG_EXAMPLE = "sg-0123456789abcdef0"
NO_OPEN_INGRESS = Check(
    ("allowed_cidr_blocks", "allow_ingress_from_anywhere"),
    "must not contain 0.0.0.0/0 or ::/0 unless allow_ingress_from_anywhere = true",
    when=_ANYWHERE | ~rules.open_to_internet(var("allowed_cidr_blocks")),
    example={"allowed_cidr_blocks": ["0.0.0.0/0"]},
    passing={"allowed_cidr_blocks": ["::/0"], "allow_ingress_from_anywhere": True},
)
NO_OPEN_INGRESS_RULE = Check(
    ("ingress_rules", "allow_ingress_from_anywhere"),
    "must not open 0.0.0.0/0 or ::/0 unless allow_ingress_from_anywhere = true",
    when=_ANYWHERE | ~any_(call("values", var("ingress_rules")),
                           lambda r: (r["cidr_ipv4"] == "0.0.0.0/0") | (r["cidr_ipv6"] == "::/0")),
    shown=("allow_ingress_from_anywhere",),
    example={"ingress_rules": {"anywhere": {"from_port": 443, "cidr_ipv4": "0.0.0.0/0"}}},
    passing={"ingress_rules": {"vpc": {"from_port": 443, "cidr_ipv4": "10.0.0.0/16"},
                               "anywhere": {"from_port": 443, "cidr_ipv6": "::/0"}},
             "allow_ingress_from_anywhere": True},
)
OWN_GROUP_NEEDS_ATTACHED = Check(
    ("create_security_group", "associated_security_group_ids", "security_group_ids"),
    "needs at least one group in associated_security_group_ids when false (the cluster would otherwise get the "
    "VPC's default group)",
    when=var("create_security_group")
    | (var("associated_security_group_ids").length() + var("security_group_ids").length() > 0),
    example={"create_security_group": False},
    passing={"create_security_group": False, "security_group_ids": [_SG_EXAMPLE]},
)
OWN_GROUP_OPENS_NOTHING = Check(
    ("create_security_group", "allowed_security_group_ids", "allowed_cidr_blocks", "ingress_rules", "egress_rules"),
    "must be true to open ports: the module adds no rule to a group it does not own (add the rules to your own "
    "group)",
    when=var("create_security_group") | (_SOURCES + var("egress_rules").length() == 0),
    shown=("create_security_group",),
    example={"create_security_group": False, "associated_security_group_ids": [_SG_EXAMPLE],
             "allowed_cidr_blocks": ["10.0.0.0/16"]},
    passing={"create_security_group": False, "associated_security_group_ids": [_SG_EXAMPLE]},
)
NETWORK_CHECKS = (NO_OPEN_INGRESS, NO_OPEN_INGRESS_RULE, OWN_GROUP_NEEDS_ATTACHED, OWN_GROUP_OPENS_NOTHING)


def unreachable(reached: str) -> Advice:
    """The module's group opens nothing: a valid configuration whose cluster no client can reach."""
    return Advice(
        ("create_security_group", "allowed_security_group_ids", "allowed_cidr_blocks", "ingress_rules"),
        lambda v: rules.holds(var("create_security_group") & (_SOURCES == 0), v),
        f"= true, but allowed_security_group_ids, allowed_cidr_blocks and ingress_rules are empty: the module's "
        f"group opens {reached} to nobody (associated_security_group_ids attach groups, they do not let anyone in)",
    )

# Blocks that add up to every address open the service as 0.0.0.0/0 does (0.0.0.0/1 + 128.0.0.0/1). Not repeated
# when the list holds 0.0.0.0/0 or ::/0 itself (NO_OPEN_INGRESS says so).
NO_INGRESS_COVERING_EVERY_ADDRESS = Check(
    ("allowed_cidr_blocks", "allow_ingress_from_anywhere"),
    "must not add up to every IPv4 or every IPv6 address (such as 0.0.0.0/1 with 128.0.0.0/1) unless "
    "allow_ingress_from_anywhere = true",
    when=_ANYWHERE | rules.open_to_internet(var("allowed_cidr_blocks"))
    | ~rules.covers_every_address(var("allowed_cidr_blocks")),
    example={"allowed_cidr_blocks": ["0.0.0.0/1", "128.0.0.0/1"]},
    # Nested blocks whose sizes add up to every address and still leave 192.0.0.0/2 (c000::/2) out: a block within
    # another one counts once.
    passing={"allowed_cidr_blocks": ["0.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "::/1", "::/2",
                                     "8000::/2"]},
)


def _repeats_a_module_rule(rule: Expr, ports: Expr) -> Expr:
    """An ingress rule the module's own rules already make: TCP from and to one of the module's ports, from a group
    of allowed_security_group_ids or a block of allowed_cidr_blocks (the same protocol, ports and peer)."""
    peer = try_(call("coalesce", rule["referenced_security_group_id"], rule["cidr_ipv4"], rule["cidr_ipv6"]), "")
    return if_(
        rule["from_port"].is_null(),
        False,
        all_of(
            rule["ip_protocol"] == "tcp",
            rule["from_port"].is_in(ports),
            call("coalesce", rule["to_port"], rule["from_port"]) == rule["from_port"],
            peer.is_in(call("concat", var("allowed_security_group_ids"), var("allowed_cidr_blocks"))),
        ),
    )


def duplicate_ingress_check(ports: Expr, example: dict, passing: dict) -> Check:
    """AWS refuses a second rule of one group with the same protocol, ports and peer (InvalidPermission.Duplicate,
    at apply): an ingress_rules entry that repeats a rule the module makes for allowed_security_group_ids or
    allowed_cidr_blocks. `ports`: the module's ports as an expression over its inputs (booleans and numbers, known
    at plan time)."""
    names = tuple(sorted(ports.inputs()))

    def repeated(v: Any) -> str:
        return ", ".join(f"{k} (TCP {v['ingress_rules'][k]['from_port']})" for k in sorted(v["ingress_rules"])
                         if holds(_repeats_a_module_rule(lift(v["ingress_rules"][k]), ports), v))

    return Check(
        ("ingress_rules", "allowed_security_group_ids", "allowed_cidr_blocks", *names),
        lambda v: "must not repeat a rule the module already makes for allowed_security_group_ids or "
        f"allowed_cidr_blocks (TCP on the module's ports; AWS refuses it: InvalidPermission.Duplicate); repeated: "
        f"{repeated(v)}",
        when=~any_(call("values", var("ingress_rules")), lambda r: _repeats_a_module_rule(r, ports)),
        hcl_message="ingress_rules must not repeat a rule the module already makes for allowed_security_group_ids "
        "or allowed_cidr_blocks (TCP on the module's ports; AWS refuses it: InvalidPermission.Duplicate).",
        shown=("allowed_security_group_ids", "allowed_cidr_blocks"),
        example=example,
        passing=passing,
    )


def logs(what: str) -> tuple[Input, ...]:
    return (
        Input(
            "log_retention_in_days",
            NUMBER,
            f"Retention of {what}, in days.",
            default=365,
            rules=(rules.one_of(LOG_RETENTION_DAYS),),
        ),
        Input(
            "log_kms_key_arn",
            STRING,
            f"KMS key that encrypts {what} (its policy must let CloudWatch Logs use it). Default: the module's key.",
            default=None,
            rules=(rules.arn("kms"), rules.arn_shape("kms")),
        ),
    )


TAGS = Input(
    "tags", map_of(STRING), "Tags for every resource, merged over the provider's default tags.", default={},
    rules=rules.tag_rules(),
)
# The modules with a security group add a Name tag to it, which counts against AWS's 50.
TAGS_WITH_NAME = dataclasses.replace(TAGS, rules=rules.tag_rules(added=("Name",)))


# --- Adoption: names and keys an existing estate already uses -----------------------------------------------------
# A security group's name and description are ForceNew (aws-constraints.md; confirmed by replace_paths in the
# adoption test): a group created by hand-written HCL keeps its own, or the first plan replaces it.
def security_group_naming(default_description: str) -> tuple[Input, ...]:
    return (
        Input(
            "security_group_name",
            STRING,
            "Exact name of the security group, for a group that already exists. Default: a name_prefix from the "
            "module's name (a new group on every name change, created before the old one is destroyed).",
            default=None,
            rules=(rules.length_between(1, 255),),
        ),
        Input(
            "security_group_description",
            STRING,
            f"Description of the security group (changing it replaces the group). Default: {default_description}.",
            default=None,
            rules=(rules.length_between(1, 255),),
        ),
    )


def kms_key(service: str, alias: str) -> tuple[Rule, ...]:
    """A customer managed key's ARN (of the whole shape), or the service's AWS managed key by its alias
    (`alias/aws/<service>`), which an existing resource may use: its at-rest key is ForceNew, so adopting it means
    keeping that key."""
    arn, shape = rules.arn("kms"), rules.arn_shape("kms")
    return (
        Rule(
            must=f"be an ARN of the kms service (arn:aws:kms:…), or {alias} for {service}'s AWS managed key",
            when=(value == alias) | arn.when,
            example="alias/my-key",  # a customer managed key's alias: the services take its ARN
            passing=alias,
        ),
        Rule(
            must=f"{shape.must}, or {alias}",
            when=(value == alias) | shape.when,
            got=shape.got,
            example="arn:aws:kms:ap-northeast-2:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab",  # short account id
            passing=KEY_ARN_EXAMPLE,
        ),
    )


def aws_managed_key_warning(alias: str) -> tuple[str, str]:
    return (
        alias,
        "uses the AWS managed key instead of a customer managed one: its policy cannot be restricted and its use "
        "is not yours to audit or rotate (kept to adopt an existing resource: the at-rest key cannot change in place)",
    )


# A key ARN of the whole shape, for the failing examples of the checks below.
KEY_ARN_EXAMPLE = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# The same key in another region than the examples' (generator.language.rules.EXAMPLE_REGION), and in the China partition
# with the examples' region: the failing examples of the region checks.
KEY_ARN_OTHER_REGION = KEY_ARN_EXAMPLE.replace("ap-northeast-2", "us-east-1")
KEY_ARN_OTHER_PARTITION = KEY_ARN_EXAMPLE.replace("arn:aws:", "arn:aws-cn:")


def key_region_check(name: str, **example: Any) -> Check:
    """A KMS key input: a key of the stack's region and partition (a key encrypts in its own region only: AWS
    refuses another region's key at apply). `example`: what the failing and passing examples also need (the switch of
    the module's own key)."""
    return rules.region_check(name, "a KMS key", example={name: KEY_ARN_OTHER_REGION, **example},
                              passing={name: KEY_ARN_EXAMPLE, **example})


def create_kms_key_checks(
    inputs: tuple[str, ...],
    key_arns: tuple[str, ...],
    *,
    needs: str,
    unused: str,
    key_needed: Expr,
    encrypts_anything: Expr | bool = True,
) -> tuple[Check, Check]:
    """The two checks of the create_kms_key switch, filed under it with `inputs` (the key ARNs and what decides
    whether anything is encrypted): false needs every key the module would otherwise create (`needs`); true needs
    something left for the module's key to encrypt (`unused`). In Terraform the second is the module key's own
    precondition (modules/shared/kms.py, the same message, `used`: `key_needed`): the key exists whenever it fails,
    and the main resource, which reads the key, is never reached.

    `key_needed` (the module's `local.kms_key_needed`, an expr.Local, or a condition) and `encrypts_anything` are
    conditions over the inputs; the inputs they read beyond `inputs` are added to the checks' inputs (a check is
    skipped when one of them failed its own rule), not to what the messages show."""
    shown = ("create_kms_key", *inputs)
    both_keys = {"create_kms_key": False, **{name: KEY_ARN_EXAMPLE for name in key_arns}}
    needs_when = var("create_kms_key") | ~key_needed
    # The key is created when create_kms_key is on and something is encrypted (kms.py's `create`); its precondition.
    unused_when = implies(var("create_kms_key") & encrypts_anything, key_needed)
    read = needs_when.inputs() | unused_when.inputs()
    involved = shown + tuple(sorted(read - set(shown)))
    return (
        Check(involved, needs, when=needs_when, shown=shown, example={"create_kms_key": False},
              passing=both_keys),
        Check(
            involved,
            unused,
            lambda v: rules.holds(unused_when, v),
            None,
            shown=shown,
            example={"create_kms_key": True, **{name: KEY_ARN_EXAMPLE for name in key_arns}},
            exception="Terraform checks it as the module key's own precondition (modules/shared/kms.py `used`), the "
            "only place it can fail: a copy on the main resource, which reads the key, would never be reached",
        ),
    )


def create_kms_key(what: str, key_needed: Expr) -> Input:
    """The switch of the module's own KMS key (modules.shared.kms). A boolean, because Terraform must know at plan
    time whether the key exists (its `count`), and a key ARN passed by a caller may be unknown until apply
    (a key created in the same apply): comparing it with null is unknown too ("Invalid count argument").
    An environment file's value follows `key_needed` (the module's kms_key_needed) on its literal values."""
    return Input(
        "create_kms_key",
        BOOL,
        f"Create a customer managed KMS key (rotation on) for {what} you pass no key for. Set it to false when "
        "you pass every key, and always when a key you pass is created in the same apply. Environment files "
        "need not set it: the generator writes it from the keys the file gives.",
        default=True,
        derived=lambda values: rules.holds(key_needed, values),
    )
