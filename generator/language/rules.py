"""Rules shared by the modules, each a condition of the rule language (generator.language.expr) from which both the Python
check and the Terraform condition are rendered.

Regular expressions are written once, in the subset that Python's `re` and Terraform's RE2 read alike
(generator.language.expr.portable_regex): anchored by the language, with `[.]` and `[0-9]` instead of backslash escapes.
Every factory gives its rule a failing `example` and a `passing` value, both judged by Python and by Terraform in
tests/test_rule_agreement.py.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
# The stdlib's own parse of a pattern, what `re` compiles (Python 3.11+: re._parser): the passing examples are made
# from it rather than from a parser of our own.
from re import _parser as _regex_parser
from typing import Any, Callable, Iterable, Mapping

from generator.language import expr
from generator.language.expr import all_, any_, call, for_, if_, text, value, var
from generator.language.inputs import NO_EXAMPLE, Check, Rule, expression_env, holds
from generator.language.types import literal


def _accepts(condition: expr.Expr) -> Callable[[Any], bool]:
    """A rule's condition as a predicate of the value it is on."""
    return lambda v: expr.holds(condition, {expr.VALUE_KEY: v})


def first_refused(items: Iterable[Any], condition: Callable[[expr.Expr], expr.Expr]) -> Any:
    """The first item the per-item condition (the body of a rule's `all_`) refuses: what a message quotes."""
    return next(item for item in items if not expr.holds(condition(expr.lift(item)), {}))


# Failing examples (Rule.example) tried in order by rules on text: the first one a pattern refuses.
_TEXT_EXAMPLES = ("", "-", "Not Valid!")


def _refused_text(accepts: Callable[[Any], bool]) -> str | None:
    return next((candidate for candidate in _TEXT_EXAMPLES if not accepts(candidate)), None)


# --- passing examples of patterns ----------------------------------------------------------------------------------
# What stands for any character (`.`) and what a negated class is tried with, in order.
_ANY_CHARACTER = "x"
_CANDIDATES = "a0A-x_.:/"


def _in_class(char: str, items: list[tuple[Any, Any]]) -> bool:
    found = False
    for op, arg in items:
        if op is _regex_parser.LITERAL and chr(arg) == char:
            found = True
        elif op is _regex_parser.RANGE and arg[0] <= ord(char) <= arg[1]:
            found = True
    negated = any(op is _regex_parser.NEGATE for op, _ in items)
    return found != negated


def _example_of(parsed: Any) -> str:
    """The shortest text the parsed pattern matches along its first alternatives: the first character of each class,
    the first alternative of each choice, each quantifier's fewest repetitions (`[a-z]{2}(-gov)?-[0-9]+` gives
    "aa-0")."""
    out = []
    for op, arg in parsed:
        if op is _regex_parser.LITERAL:
            out.append(chr(arg))
        elif op is _regex_parser.ANY:
            out.append(_ANY_CHARACTER)
        elif op is _regex_parser.NOT_LITERAL:  # a class of one negated character: [^,]
            out.append(next(c for c in _CANDIDATES if ord(c) != arg))
        elif op is _regex_parser.IN:
            if arg[0][0] is _regex_parser.NEGATE:
                out.append(next(c for c in _CANDIDATES if _in_class(c, arg)))
            else:
                first = arg[0]
                out.append(chr(first[1] if first[0] is _regex_parser.LITERAL else first[1][0]))
        elif op is _regex_parser.SUBPATTERN:
            out.append(_example_of(arg[-1]))
        elif op is _regex_parser.BRANCH:
            out.append(_example_of(arg[1][0]))
        elif op is _regex_parser.MAX_REPEAT:
            low, high, item = arg
            out.append(_example_of(item) * low)
        else:
            raise ValueError(f"no example for {op} (portable_regex admits no such construct)")
    return "".join(out)


def example_matching(pattern: str) -> str:
    """A text the (portable) pattern matches: the passing example of a rule made from it."""
    found = _example_of(_regex_parser.parse(expr.portable_regex(pattern)))
    assert re.fullmatch(pattern, found), (pattern, found)
    return found


# --- rules on one value --------------------------------------------------------------------------------------------
def between(low: int, high: int) -> Rule:
    return Rule(
        must=f"be a whole number between {low} and {high}",
        when=value.is_whole() & value.between(low, high),
        example=high + 1,
        passing=low,
    )


def one_of(values: Iterable[Any]) -> Rule:
    allowed = list(values)
    shown = ", ".join(json.dumps(v) for v in allowed)
    condition = value.is_in(allowed)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in allowed):
        example: Any = max(allowed) + 1
    elif all(isinstance(v, str) for v in allowed):
        example = _refused_text(_accepts(condition))
    else:
        example = None
    return Rule(must=f"be one of {shown}", when=condition, example=example, passing=allowed[0])


def matches(pattern: str, description: str, example: str | None = None, passing: str | None = None) -> Rule:
    """The whole value matches `pattern`; `passing` defaults to a text made from the pattern itself."""
    condition = value.matches(pattern)
    return Rule(
        must=description,
        when=condition,
        example=example if example is not None else _refused_text(_accepts(condition)),
        passing=passing if passing is not None else example_matching(pattern),
    )


def length_between(low: int, high: int) -> Rule:
    return Rule(
        must=f"be {low} to {high} characters long",
        when=value.length().between(low, high),
        example="" if low > 0 else "x" * (high + 1),
        passing="x" * high,
    )


def each_matches(pattern: str, description: str) -> Rule:
    condition = value.matches(pattern)
    refused = _refused_text(_accepts(condition))
    return Rule(
        must=description,
        when=all_(value, lambda item: item.matches(pattern)),
        example=None if refused is None else [refused],
        passing=[example_matching(pattern)],
    )


def items_between(low: int, high: int, what: str = "items", example: Any = None) -> Rule:
    # Without an example of the items, text items (the type of most lists here): one too many fails, the most passes.
    items = example if example is not None else [f"item-{i}" for i in range(high + 1)]
    return Rule(
        must=f"have {low} to {high} {what}",
        when=value.length().between(low, high),
        example=items,
        passing=list(items[:high]),
    )


def not_empty(what: str = "item", passing: Any = NO_EXAMPLE) -> Rule:
    """At least one item; `passing`: a list of the input's items (its required example usually serves)."""
    return Rule(must=f"have at least one {what}", when=value.length() > 0, example=[], passing=passing)


def cidr_blocks() -> Rule:
    return Rule(
        must="be CIDR blocks such as 10.0.0.0/16 (network address, no host bits set)",
        # is_cidr_network: Terraform's cidrhost() refuses a malformed block; cidrsubnet(c, 0, 0) == c only for a
        # network address written the way Terraform writes it.
        when=all_(value, lambda c: call("is_cidr_network", c)),
        example=["10.0.0.1/16"],  # host bits set
        passing=["10.0.0.0/16", "fd00::/8"],
    )


def arn(service: str) -> Rule:
    return matches(
        rf"arn:aws[a-z-]*:{service}:[a-z0-9-]*:[0-9]*:.+",
        f"be an ARN of the {service} service (arn:aws:{service}:…)",
        passing=_ARN_RESOURCES[service][1] if service in _ARN_RESOURCES else None,
    )


# EC2 ids are the resource prefix and 8 hex digits (older resources) or 17 (since 2018), in lowercase
# (EC2 "Resource IDs" in the EC2 User Guide); `vpc-0` or `sg-1` would fail at apply with InvalidVpcID.Malformed.
_EC2_ID = "-([0-9a-f]{8}|[0-9a-f]{17})"


def resource_id(prefix: str) -> Rule:
    return matches(
        prefix + _EC2_ID, f"be an AWS id such as {prefix}-0123456789abcdef0 ({prefix}- and 8 or 17 lowercase hex digits)",
        passing=f"{prefix}-0123456789abcdef0",
    )


def resource_ids(prefix: str) -> Rule:
    def is_id(item: expr.Expr) -> expr.Expr:
        return item.matches(prefix + _EC2_ID)

    return Rule(
        must=f"hold only AWS ids such as {prefix}-0123456789abcdef0 ({prefix}- and 8 or 17 lowercase hex digits)",
        when=all_(value, lambda item: is_id(item)),
        got=lambda v: literal(first_refused(v, is_id)),
        example=[f"{prefix}-0"],  # too few hex digits: AWS answers Malformed
        passing=[f"{prefix}-01234567", f"{prefix}-0123456789abcdef0"],  # both lengths
    )


# --- ARNs ----------------------------------------------------------------------------------------------------------
# arn:partition:service:region:account-id:resource (IAM User Guide, "IAM identifiers"); the partitions are those of
# modules.catalog.AWS_PARTITIONS and the account id is 12 digits.
_PARTITION = "aws|aws-cn|aws-us-gov"
_REGION_SHAPE = "[a-z]{2}(-gov)?-[a-z]+-[0-9]+"
# What follows the account id, by service: a KMS key (single- or multi-Region, "Key ARN" in the KMS Developer Guide;
# CloudWatch Logs, MSK and ElastiCache take key ARNs, not alias ARNs), an SNS topic (1-256 letters, digits, _ and -,
# with .fifo for FIFO topics) and an ACM private CA.
_ARN_RESOURCES = {
    "kms": ("key/[A-Za-z0-9-]+", "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    "sns": ("[A-Za-z0-9_-]{1,256}([.]fifo)?", "arn:aws:sns:ap-northeast-2:111122223333:cache-events"),
    "acm-pca": ("certificate-authority/[A-Za-z0-9-]+",
                "arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012"),
}


def _arn_pattern(service: str) -> str:
    return f"arn:({_PARTITION}):{service}:{_REGION_SHAPE}:[0-9]{{12}}:{_ARN_RESOURCES[service][0]}"


def arn_shape(service: str) -> Rule:
    """The whole ARN: partition, service, region, 12-digit account and the service's resource part."""
    return matches(
        _arn_pattern(service),
        f"be a whole {service} ARN (partition aws, aws-cn or aws-us-gov, region, 12-digit account), such as "
        f"{_ARN_RESOURCES[service][1]}",
        passing=_ARN_RESOURCES[service][1],
    )


def arns_shape(service: str) -> Rule:
    documented = _ARN_RESOURCES[service][1]

    def is_whole_arn(item: expr.Expr) -> expr.Expr:
        return item.matches(_arn_pattern(service))

    return Rule(
        must=f"hold only whole {service} ARNs (partition aws, aws-cn or aws-us-gov, region, 12-digit account), such as "
        f"{_ARN_RESOURCES[service][1]}",
        when=all_(value, lambda item: is_whole_arn(item)),
        got=lambda v: literal(first_refused(v, is_whole_arn)),
        # The documented example with a short account id: an ARN of the service, but not a whole one.
        example=[_ARN_RESOURCES[service][1].replace("111122223333", "1111")],
        # The documented example, and the same in the GovCloud partition and Region.
        passing=[documented,
                 documented.replace("arn:aws:", "arn:aws-us-gov:").replace("ap-northeast-2", "us-gov-west-1")],
    )


# --- where the module is applied: the stack's region and partition --------------------------------------------------
# Terraform: the provider's region as the module's data source reads it. Its `name` and `id` are deprecated in
# provider 6 and its `region` is missing from 5.100, the oldest provider the modules take; the EC2 endpoint it gives
# in both (ec2.<region>.amazonaws.com, .com.cn in China) holds the region. Python: the environment file's region.
REGION_KEY = "{region}"
PARTITION_KEY = "{partition}"
STACK_REGION = expr.Local("stack_region", expr.Context(
    REGION_KEY, 'split(".", data.aws_region.current.endpoint)[1]', "aws_region.current"))
STACK_PARTITION = expr.Local("stack_partition", expr.Context(
    PARTITION_KEY, "data.aws_partition.current.partition", "aws_partition.current"))
# The region the examples are written for (README usage, the test harness's provider, the shipped tests' mock).
EXAMPLE_REGION = "ap-northeast-2"


def stack_context(region: Any) -> dict[str, Any]:
    """What the checks read of where a module is applied, from an environment file's region (None: not known)."""
    from generator.language.aws import AWS_REGIONS_BY_PARTITION

    partition = next((p for p, regions in AWS_REGIONS_BY_PARTITION.items() if region in regions), None)
    # A region the catalog does not know is reported on its own (generator.config.limits): nothing is judged against it.
    return {REGION_KEY: region if partition is not None else None, PARTITION_KEY: partition}


def in_stack_partition(arn: expr.Expr) -> expr.Expr:
    """The ARN is of the stack's partition (`arn:aws:` in cn-north-1 is not). A null value, one of another shape (an
    alias) and a partition not known (Python without an environment file) pass: other rules judge the shape."""
    return if_(STACK_PARTITION.is_null(), True,
               expr.try_(call("split", ":", arn)[1], STACK_PARTITION) == STACK_PARTITION)


def in_region(arn: expr.Expr, region: Any) -> expr.Expr:
    """The ARN names `region` (its fourth field); null, another shape and an unknown region pass."""
    region = expr.lift(region)
    return if_(region.is_null(), True, expr.try_(call("split", ":", arn)[3], region) == region)


def in_stack_region(arn: expr.Expr) -> expr.Expr:
    """The ARN is of the stack's partition and region."""
    return in_stack_partition(arn) & in_region(arn, STACK_REGION)


def region_check(name: str, what: str, example: Any, passing: Any, *, regional: bool = True,
                 many: bool = False) -> Check:
    """`name` (an ARN input, or a list of ARNs with `many`) is of the stack's partition and, if `regional`, of its
    region: AWS refuses a KMS key, SNS topic or snapshot of another one at apply. Python judges it against the
    environment file's region; Terraform against the provider's (data.aws_region.current), a value unknown at plan
    passing until apply."""
    one = in_stack_region if regional else in_stack_partition
    condition = all_(var(name), lambda a: one(a)) if many else one(var(name))
    where = "region and partition" if regional else "partition"

    def must(v: Mapping[str, Any]) -> str:
        region, partition = v.get(REGION_KEY), v.get(PARTITION_KEY)
        stack = f"{region} (partition {partition})" if regional else f"partition {partition} ({region})"
        return f"must be {what} of the stack's {where}, {stack}"

    return Check(
        (name,),
        must,
        when=condition,
        hcl_message=f"{name} must be {what} of the module's {where} (the provider's, data.aws_region.current).",
        shown=(name,),
        example=example,
        passing=passing,
    )


# --- sets ----------------------------------------------------------------------------------------------------------
def _first_repeat(items: Iterable[Any]) -> Any:
    seen: list[Any] = []
    for item in items:
        if item in seen:
            return item
        seen.append(item)
    return None


def distinct(what: str, item: str = "item-0") -> Rule:
    """A list AWS treats as a set: a repeated item is one item to AWS, so counts made on the list (brokers per subnet)
    would be wrong, and the provider shows a perpetual diff. `item` is repeated in the failing example.

    Items are compared as written: CIDR blocks are first held to their canonical form by cidr_blocks (a rule that
    runs before this one), so two ways of writing one block never reach it."""
    if what == "CIDR block" and item == "item-0":
        item = "10.0.0.0/16"
    return Rule(
        must=f"list each {what} once (AWS treats the list as a set)",
        when=call("distinct", value).length() == value.length(),
        got=lambda v: f"{literal(_first_repeat(v))} more than once",
        example=[item, item],
        passing=[item],
    )


# --- catalogs ------------------------------------------------------------------------------------------------------
def _unknown(value: str, choices: Iterable[str], listing: str | None) -> str:
    choices = list(choices)
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    if close:
        return f"{literal(value)} (did you mean {' or '.join(close)}?)"
    return f"{literal(value)}; known: {listing or ', '.join(choices)}"


def in_catalog(choices: Iterable[str], what: str, listing: str | None = None) -> Rule:
    """One of a catalog's values (modules/catalog.py); an unknown value is quoted with its close matches, or with the
    catalog (or `listing`, a summary of a long one)."""
    allowed = tuple(choices)
    condition = value.is_in(allowed)
    return Rule(
        must=f"be {what}",
        when=condition,
        got=lambda v: _unknown(v, allowed, listing),
        example=_refused_text(_accepts(condition)),
        passing=allowed[0],
    )


def keys_in_catalog(choices: Iterable[str], what: str) -> Rule:
    """A map whose keys are a catalog's values (text values: a map of strings)."""
    allowed = tuple(choices)
    return Rule(
        must=f"name only {what}",
        when=call("setsubtract", call("keys", value), list(allowed)).length() == 0,
        got=lambda v: _unknown(next(k for k in v if k not in allowed), allowed, "the list in modules/catalog.py"),
        example={next(k for k in ("not-in-catalog", "not-in-catalog-2") if k not in allowed): "1"},
        passing={allowed[0]: "1"},
    )


def unknown_keys(given: Mapping[str, Any], allowed: Iterable[str]) -> str:
    """The first key of `given` outside `allowed`, with its close matches (for checks across inputs)."""
    allowed = list(allowed)
    return _unknown(next(k for k in given if k not in allowed), allowed, "the list in modules/catalog.py")


# --- tags ----------------------------------------------------------------------------------------------------------
# AWS tagging rules (Tagging AWS resources, "Tag naming limits and requirements"; the same for every service these
# modules use): at most 50 user tags per resource; keys 1-128 and values 0-256 Unicode characters; letters, digits,
# spaces and _ . : / = + - @ only (the documented pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$, the rule language's
# is_tag_text); the aws: prefix is reserved, in any case.
MAX_TAGS = 50


def _key_length_ok(k: expr.Expr) -> expr.Expr:
    return k.length().between(1, 128)


def _value_length_ok(text_value: expr.Expr) -> expr.Expr:
    return text_value.length() <= 256


def _key_not_reserved(k: expr.Expr) -> expr.Expr:
    return ~call("startswith", call("lower", k), "aws:")


def _tag_text(s: expr.Expr) -> expr.Expr:
    return call("is_tag_text", s)


def tag_rules(added: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """Rules of a tags map; `added` are tag keys the module adds itself (the security group's Name), which count
    against the 50. The first rule is the count: generator.config.limits applies it to default tags + module tags."""
    with_added = call("merge", value, {k: "" for k in added}) if added else value
    also = f", counting the {' and '.join(added)} tag the module adds" if added else ""
    return (
        Rule(
            must=f"have at most {MAX_TAGS} tags{also} (AWS limit per resource)",
            when=with_added.length() <= MAX_TAGS,
            got=lambda v: f"{len(set(v) | set(added))} tags",
            example={f"tag-{i}": "x" for i in range(MAX_TAGS + 1)},
            passing={f"tag-{i}": "x" for i in range(MAX_TAGS - len(added))},
        ),
        Rule(
            must="have tag keys of 1 to 128 characters",
            when=all_(call("keys", value), lambda k: _key_length_ok(k)),
            got=lambda v: (lambda k: f"{literal(k)} ({len(k)} characters)")(first_refused(v, _key_length_ok)),
            example={"k" * 129: "x"},
            passing={"k" * 128: "x"},
        ),
        Rule(
            must="have tag values of at most 256 characters",
            when=all_(call("values", value), lambda value: _value_length_ok(value)),
            got=lambda v: (lambda k: f"{k} = {literal(v[k])} ({len(v[k])} characters)")(
                next(k for k in v if not expr.holds(_value_length_ok(expr.lift(v[k])), {}))),
            example={"team": "x" * 257},
            passing={"team": "x" * 256, "empty": ""},
        ),
        Rule(
            must="have no tag key starting with aws: (AWS reserves the prefix, in any case)",
            when=all_(call("keys", value), lambda k: _key_not_reserved(k)),
            got=lambda v: literal(first_refused(v, _key_not_reserved)),
            example={"AWS:owner": "x"},
            passing={"awsome": "aws:x"},  # the prefix without its colon; a value may start with it
        ),
        Rule(
            must="use only letters, digits, spaces and _ . : / = + - @ in tag keys and values",
            when=all_(call("concat", call("keys", value), call("values", value)), lambda s: _tag_text(s)),
            got=lambda v: literal(first_refused(list(v) + list(v.values()), _tag_text)),
            example={"team": "cache;db"},
            passing={"Équipe": "données 2026 _.:/=+-@"},  # letters of any script, spaces, the punctuation
        ),
    )


# --- ingress -------------------------------------------------------------------------------------------------------
OPEN_CIDRS = ("0.0.0.0/0", "::/0")


def open_to_internet(cidrs: expr.Expr) -> expr.Expr:
    """The list of CIDR blocks holds 0.0.0.0/0 or ::/0."""
    return any_(cidrs, lambda c: c.is_in(OPEN_CIDRS))


def _prefix_length(block: expr.Expr) -> expr.Expr:
    return call("tonumber", call("split", "/", block)[1])


def _is_ipv6(block: expr.Expr) -> expr.Expr:
    return call("strcontains", block, ":")


def _inside(block: expr.Expr, other: expr.Expr) -> expr.Expr:
    """`block` lies within `other`, a different block of the same IP version: `other` is no longer, and `block`'s
    address cut to `other`'s length is `other` (cidrsubnet(x, 0, 0) gives the network of x)."""
    return (other != block) & if_(
        _is_ipv6(other) == _is_ipv6(block),
        (_prefix_length(other) <= _prefix_length(block))
        & (call("cidrsubnet", text(call("split", "/", block)[0], "/", call("split", "/", other)[1]), 0, 0) == other),
        False,
    )


def _addresses(cidrs: expr.Expr, ipv6: bool) -> expr.Expr:
    """How many addresses of one IP version the blocks cover. Two CIDR blocks are disjoint or one holds the other, so
    the blocks within no other are disjoint: their sizes add up to the size of the union, exactly. (The [0] keeps
    sum() from an empty list, which Terraform refuses.)"""
    bits = 128 if ipv6 else 32
    blocks = call("distinct", cidrs)

    def of_this_version(c: expr.Expr) -> expr.Expr:
        return _is_ipv6(c) if ipv6 else ~_is_ipv6(c)

    return call("sum", call("concat", [0], for_(
        blocks,
        lambda c: call("pow", 2, bits - _prefix_length(c)),
        keep=lambda c: of_this_version(c) & ~any_(blocks, lambda d: _inside(c, d)),
    )))


def covers_every_address(cidrs: expr.Expr) -> expr.Expr:
    """The blocks together cover all of IPv4 or all of IPv6 (0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0)."""
    return (_addresses(cidrs, False) >= call("pow", 2, 32)) | (_addresses(cidrs, True) >= call("pow", 2, 128))


# --- names the modules derive --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AwsName:
    """A name a module gives an AWS resource, built from its inputs.

    `name` is the name as an expression over the inputs (generator.language.expr; the same expression a resource is named
    with), evaluated in Python for the environment-wide checks and measured by Terraform in the module's
    precondition; `created` is the condition under which the resource exists. `template` shows how the name is
    built, for messages; `max_length` is AWS's limit with `source`. `bounded`: another check already keeps it
    within the limit (no check of its own). `unique`: AWS refuses a second one in the same account and Region
    (generator.config.limits checks an environment); `fold_case`: AWS stores it in lowercase.
    """

    what: str
    inputs: tuple[str, ...]
    template: str
    name: expr.Expr
    max_length: int
    source: str
    unique: bool = True
    fold_case: bool = False
    # False where another name's precondition refuses every value this one would (it could never fail alone, so it
    # has no failing example of its own): the Python check still names it, Terraform reports the other.
    precondition: bool = True
    # Inputs that push this name, and no other, past its limit (the failing example of its check: Check.example).
    example: Mapping[str, Any] | None = None
    created: Any = True  # Expr or True
    bounded: bool = False

    def value(self, values: Mapping[str, Any]) -> str | None:
        if not holds(expr.lift(self.created), values):
            return None
        return self.name.evaluate(expression_env(values))

    def key(self, values: Mapping[str, Any]) -> str | None:
        name = self.value(values)
        if name is None:
            return None
        return name.lower() if self.fold_case else name


def name_length_checks(names: Iterable[AwsName]) -> tuple[Check, ...]:
    """One check per derived name whose length the inputs can push past AWS's limit. Filed under the name's inputs,
    which the message shows; it also names the inputs `created` reads (the key's, the billing mode), so that it is
    skipped when one of those failed its own rule."""
    checks = []
    for n in names:
        if n.bounded:
            continue
        message = (lambda v, n=n: f"must keep the {n.what} {n.template} within {n.max_length} characters "
                   f"({n.source}); it would have {len(n.value(v))}")
        hcl_message = (f"{n.inputs[0]} must keep the {n.what} {n.template} within {n.max_length} characters "
                       f"({n.source}).")
        fits = n.name.length() <= n.max_length
        condition = fits if n.created is True else expr.implies(n.created, fits)
        involved = n.inputs + tuple(sorted(condition.inputs() - set(n.inputs)))
        if n.precondition:
            checks.append(Check(involved, message, hcl_message=hcl_message, shown=n.inputs, example=n.example,
                                when=condition))
        else:
            checks.append(Check(involved, message, lambda v, c=condition: holds(c, v), None, shown=n.inputs,
                                hcl_message=hcl_message, exception="refused by another name's precondition"))
    return tuple(checks)


# --- values of maps of settings (broker properties, engine parameters) ---------------------------------------------
# A C0 or C1 control character or DEL in a setting's value: a line break in a value written as a `key=value` line
# starts a setting of its own.
def no_control_characters(text_value: expr.Expr) -> expr.Expr:
    return call("has_no_control_characters", text_value)


def shown(text_value: str, limit: int = 120) -> str:
    """A value for a message: quoted, control characters escaped (C1 and DEL too), cut at `limit` characters."""
    cut = text_value if len(text_value) <= limit else text_value[:limit] + "…"
    quoted = json.dumps(cut, ensure_ascii=False)
    return "".join(f"\\u{ord(c):04x}" if "\x7f" <= c <= "\x9f" else c for c in quoted)


@dataclass(frozen=True)
class ValueType:
    """What one setting of a map of strings takes: one of `choices`; or a number written in ASCII digits (with a
    leading - when `low` is negative, a fraction when `decimal`) from `low` to `high`; or text matching `pattern`.
    `description` completes "must be …" in messages."""

    description: str
    choices: tuple[str, ...] = ()
    low: int | float | None = None
    high: int | float | None = None
    decimal: bool = False
    pattern: str | None = None


def choice(*values: str) -> ValueType:
    return ValueType("one of " + ", ".join(values), choices=values)


def whole(low: int, high: int) -> ValueType:
    return ValueType(f"a whole number from {low} to {high} in ASCII digits", low=low, high=high)


def fraction(low: int, high: int) -> ValueType:
    return ValueType(f"a number from {low} to {high} in ASCII digits, such as 0.5", low=low, high=high, decimal=True)


def text_of(pattern: str, description: str) -> ValueType:
    return ValueType(description, pattern=pattern)


_WHOLE_NUMBER = "-?[0-9]{1,19}"
_DECIMAL_NUMBER = "[0-9]{1,19}([.][0-9]{1,19})?"


def typed_value(types: Mapping[str, ValueType]) -> Callable[[Any, expr.Expr], expr.Expr]:
    """The condition that setting `key` (an Expr, or a str) has a value (an Expr) of its type in `types`; a setting
    not in `types` passes (the rule on names reports it). Written once, for a map's entries and for the settings a
    text holds."""
    choices = {k: list(t.choices) for k, t in sorted(types.items()) if t.choices}
    numbers = {k: t for k, t in sorted(types.items()) if t.low is not None}
    decimals = sorted(k for k, t in numbers.items() if t.decimal)
    patterns: dict[str, list[str]] = {}
    for k, t in sorted(types.items()):
        if t.pattern is not None:
            patterns.setdefault(t.pattern, []).append(k)
    choice_map = expr.lift(choices)
    low = expr.lift({k: t.low for k, t in numbers.items()})
    high = expr.lift({k: t.high for k, t in numbers.items()})

    def condition(key: Any, given: expr.Expr) -> expr.Expr:
        key = expr.lift(key)
        number = call("tonumber", given)
        result: expr.Expr = expr.lift(True)
        for pattern, keys in reversed(patterns.items()):
            result = if_(key.is_in(keys), given.matches(pattern), result)
        written = given.matches(_WHOLE_NUMBER) | (key.is_in(decimals) & given.matches(_DECIMAL_NUMBER)) \
            if decimals else given.matches(_WHOLE_NUMBER)
        result = if_(key.is_in(list(numbers)),
                     if_(written, (number >= low[key]) & (number <= high[key]), False), result)
        return if_(key.is_in(list(choices)), given.is_in(choice_map[key]), result)

    return condition
