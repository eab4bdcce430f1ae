"""Rules shared by the modules, each with its Python predicate and the same rule as a Terraform condition.

Regular expressions are written so that Python's `re` and Terraform's RE2 read them alike: anchored, with
`[.]` and `[0-9]` instead of backslash escapes (a backslash would need escaping once more inside HCL).
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from generator import expr
from generator.inputs import Check, Rule
from generator.types import literal


def _hcl_string(value: str) -> str:
    return json.dumps(value)


def _is_int(value: Any) -> bool:
    return float(value).is_integer()


# Failing examples (Rule.example) tried in order by rules on text: the first one a pattern refuses.
_TEXT_EXAMPLES = ("", "-", "Not Valid!")


def _refused_text(accepts: Any) -> str | None:
    return next((text for text in _TEXT_EXAMPLES if not accepts(text)), None)


def between(low: int, high: int) -> Rule:
    return Rule(
        must=f"be a whole number between {low} and {high}",
        check=lambda v: _is_int(v) and low <= v <= high,
        hcl=f"floor({{v}}) == {{v}} && {{v}} >= {low} && {{v}} <= {high}",
        example=high + 1,
    )


def one_of(values: Iterable[Any]) -> Rule:
    allowed = list(values)
    shown = ", ".join(json.dumps(v) for v in allowed)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in allowed):
        example: Any = max(allowed) + 1
    elif all(isinstance(v, str) for v in allowed):
        example = _refused_text(lambda v: v in allowed)
    else:
        example = None
    return Rule(
        must=f"be one of {shown}",
        check=lambda v: v in allowed,
        hcl=f"contains([{shown}], {{v}})",
        example=example,
    )


def matches(pattern: str, description: str, example: str | None = None) -> Rule:
    compiled = re.compile(pattern)
    return Rule(
        must=description,
        check=lambda v: compiled.fullmatch(v) is not None,
        hcl=f"can(regex({_hcl_string('^(?:' + pattern + ')$')}, {{v}}))",
        example=example if example is not None else _refused_text(lambda v: compiled.fullmatch(v) is not None),
    )


def length_between(low: int, high: int) -> Rule:
    return Rule(
        must=f"be {low} to {high} characters long",
        check=lambda v: low <= len(v) <= high,
        hcl=f"length({{v}}) >= {low} && length({{v}}) <= {high}",
        example="" if low > 0 else "x" * (high + 1),
    )


def each_matches(pattern: str, description: str) -> Rule:
    compiled = re.compile(pattern)
    refused = _refused_text(lambda v: compiled.fullmatch(v) is not None)
    return Rule(
        must=description,
        check=lambda v: all(compiled.fullmatch(item) for item in v),
        hcl=f"alltrue([for item in {{v}} : can(regex({_hcl_string('^(?:' + pattern + ')$')}, item))])",
        example=None if refused is None else [refused],
    )


def items_between(low: int, high: int, what: str = "items", example: Any = None) -> Rule:
    return Rule(
        must=f"have {low} to {high} {what}",
        check=lambda v: low <= len(v) <= high,
        hcl=f"length({{v}}) >= {low} && length({{v}}) <= {high}",
        # Without an example of the items, one too many text items (the type of most lists here).
        example=example if example is not None else [f"item-{i}" for i in range(high + 1)],
    )


def not_empty(what: str = "item") -> Rule:
    return Rule(must=f"have at least one {what}", check=lambda v: len(v) > 0, hcl="length({v}) > 0", example=[])


def _is_cidr(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        return False
    return True


def cidr_blocks() -> Rule:
    return Rule(
        must="be CIDR blocks such as 10.0.0.0/16 (network address, no host bits set)",
        check=lambda v: all(_is_cidr(c) for c in v),
        # cidrhost() refuses malformed blocks; a block with host bits set is one whose first host moves it.
        hcl="alltrue([for c in {v} : can(cidrhost(c, 0)) && try(cidrsubnet(c, 0, 0) == c, false)])",
        example=["10.0.0.1/16"],  # host bits set
    )


def arn(service: str) -> Rule:
    return matches(
        rf"arn:aws[a-z-]*:{service}:[a-z0-9-]*:[0-9]*:.+",
        f"be an ARN of the {service} service (arn:aws:{service}:…)",
    )


# EC2 ids are the resource prefix and 8 hex digits (older resources) or 17 (since 2018), in lowercase
# (EC2 "Resource IDs" in the EC2 User Guide); `vpc-0` or `sg-1` would fail at apply with InvalidVpcID.Malformed.
_EC2_ID = "-([0-9a-f]{8}|[0-9a-f]{17})"


def resource_id(prefix: str) -> Rule:
    return matches(
        prefix + _EC2_ID, f"be an AWS id such as {prefix}-0123456789abcdef0 ({prefix}- and 8 or 17 lowercase hex digits)"
    )


def resource_ids(prefix: str) -> Rule:
    compiled = re.compile(prefix + _EC2_ID)
    return Rule(
        must=f"hold only AWS ids such as {prefix}-0123456789abcdef0 ({prefix}- and 8 or 17 lowercase hex digits)",
        check=lambda v: all(compiled.fullmatch(item) for item in v),
        hcl=f"alltrue([for item in {{v}} : can(regex({_hcl_string('^(?:' + prefix + _EC2_ID + ')$')}, item))])",
        got=lambda v: literal(next(item for item in v if not compiled.fullmatch(item))),
        example=[f"{prefix}-0"],  # too few hex digits: AWS answers Malformed
    )


# --- ARNs ----------------------------------------------------------------------------------------------------------
# arn:partition:service:region:account-id:resource (IAM User Guide, "IAM identifiers"); the partitions are those of
# modules.catalog.AWS_PARTITIONS and the account id is 12 digits.
_PARTITION = "aws|aws-cn|aws-us-gov"
_REGION_SHAPE = "[a-z]{2}(-gov)?-[a-z]+-[0-9]+"
_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
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
    )


def arns_shape(service: str) -> Rule:
    compiled = re.compile(_arn_pattern(service))
    return Rule(
        must=f"hold only whole {service} ARNs (partition aws, aws-cn or aws-us-gov, region, 12-digit account), such as "
        f"{_ARN_RESOURCES[service][1]}",
        check=lambda v: all(compiled.fullmatch(item) for item in v),
        hcl=f"alltrue([for item in {{v}} : can(regex({_hcl_string('^(?:' + _arn_pattern(service) + ')$')}, item))])",
        got=lambda v: literal(next(item for item in v if not compiled.fullmatch(item))),
        # The documented example with a short account id: an ARN of the service, but not a whole one.
        example=[_ARN_RESOURCES[service][1].replace("111122223333", "1111")],
    )


# --- sets ----------------------------------------------------------------------------------------------------------
def _first_repeat(items: Iterable[Any], key: Callable[[Any], Any] = lambda item: item) -> Any:
    seen = set()
    for item in items:
        if key(item) in seen:
            return item
        seen.add(key(item))
    return None


def _cidr_key(value: str) -> Any:
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return value


def distinct(what: str, item: str = "item-0") -> Rule:
    """A list AWS treats as a set: a repeated item is one item to AWS, so counts made on the list (brokers per subnet)
    would be wrong, and the provider shows a perpetual diff. `item` is repeated in the failing example."""
    key = _cidr_key if what == "CIDR block" else (lambda item: item)
    if what == "CIDR block" and item == "item-0":
        item = "10.0.0.0/16"
    return Rule(
        must=f"list each {what} once (AWS treats the list as a set)",
        check=lambda v: _first_repeat(v, key) is None,
        hcl="length(distinct({v})) == length({v})",
        got=lambda v: f"{literal(_first_repeat(v, key))} more than once",
        example=[item, item],
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
    return Rule(
        must=f"be {what}",
        check=lambda v: v in allowed,
        hcl=f"contains([{', '.join(json.dumps(c) for c in allowed)}], {{v}})",
        got=lambda v: _unknown(v, allowed, listing),
        example=_refused_text(lambda v: v in allowed),
    )


def keys_in_catalog(choices: Iterable[str], what: str) -> Rule:
    allowed = tuple(choices)
    return Rule(
        must=f"name only {what}",
        check=lambda v: all(k in allowed for k in v),
        hcl=f"length(setsubtract(keys({{v}}), [{', '.join(json.dumps(c) for c in allowed)}])) == 0",
        got=lambda v: _unknown(next(k for k in v if k not in allowed), allowed, "the list in modules/catalog.py"),
        example={next(k for k in ("not-in-catalog", "not-in-catalog-2") if k not in allowed): "1"},
    )


def unknown_keys(given: Mapping[str, Any], allowed: Iterable[str]) -> str:
    """The first key of `given` outside `allowed`, with its close matches (for checks across inputs)."""
    allowed = list(allowed)
    return _unknown(next(k for k in given if k not in allowed), allowed, "the list in modules/catalog.py")


# --- tags ----------------------------------------------------------------------------------------------------------
# AWS tagging rules (Tagging AWS resources, "Tag naming limits and requirements"; the same for every service these
# modules use): at most 50 user tags per resource; keys 1-128 and values 0-256 Unicode characters; letters, digits,
# spaces and _ . : / = + - @ only (the documented pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$); the aws: prefix is
# reserved, in any case.
MAX_TAGS = 50
_TAG_PUNCTUATION = "_.:/=+-@"
# RE2 knows Unicode classes; Python's re does not, so Python checks the same classes with unicodedata.
_TAG_CHARS_HCL = r'can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", s))'


def _tag_text_ok(text: str) -> bool:
    return all(c in _TAG_PUNCTUATION or unicodedata.category(c)[0] in "LZN" for c in text)


def _first(items: Iterable[Any], broken: Callable[[Any], bool]) -> Any:
    return next(item for item in items if broken(item))


def tag_rules(added: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """Rules of a tags map; `added` are tag keys the module adds itself (the security group's Name), which count
    against the 50. The first rule is the count: generator.limits applies it to default tags + module tags."""
    added_hcl = ", ".join(f'{json.dumps(k)} = ""' for k in added)
    count_hcl = f"length(merge({{v}}, {{ {added_hcl} }})) <= {MAX_TAGS}" if added else f"length({{v}}) <= {MAX_TAGS}"
    also = f", counting the {' and '.join(added)} tag the module adds" if added else ""
    return (
        Rule(
            must=f"have at most {MAX_TAGS} tags{also} (AWS limit per resource)",
            check=lambda v: len(set(v) | set(added)) <= MAX_TAGS,
            hcl=count_hcl,
            got=lambda v: f"{len(set(v) | set(added))} tags",
            example={f"tag-{i}": "x" for i in range(MAX_TAGS + 1)},
        ),
        Rule(
            must="have tag keys of 1 to 128 characters",
            check=lambda v: all(1 <= len(k) <= 128 for k in v),
            hcl="alltrue([for k in keys({v}) : length(k) >= 1 && length(k) <= 128])",
            got=lambda v: (lambda k: f"{literal(k)} ({len(k)} characters)")(_first(v, lambda k: not 1 <= len(k) <= 128)),
            example={"k" * 129: "x"},
        ),
        Rule(
            must="have tag values of at most 256 characters",
            check=lambda v: all(len(value) <= 256 for value in v.values()),
            hcl="alltrue([for value in values({v}) : length(value) <= 256])",
            got=lambda v: (lambda k: f"{k} = {literal(v[k])} ({len(v[k])} characters)")(_first(v, lambda k: len(v[k]) > 256)),
            example={"team": "x" * 257},
        ),
        Rule(
            must="have no tag key starting with aws: (AWS reserves the prefix, in any case)",
            check=lambda v: not any(k.lower().startswith("aws:") for k in v),
            hcl='alltrue([for k in keys({v}) : !startswith(lower(k), "aws:")])',
            got=lambda v: literal(_first(v, lambda k: k.lower().startswith("aws:"))),
            example={"AWS:owner": "x"},
        ),
        Rule(
            must="use only letters, digits, spaces and _ . : / = + - @ in tag keys and values",
            check=lambda v: all(_tag_text_ok(k) and _tag_text_ok(value) for k, value in v.items()),
            hcl=f"alltrue([for s in concat(keys({{v}}), values({{v}})) : {_TAG_CHARS_HCL}])",
            got=lambda v: literal(_first(list(v) + list(v.values()), lambda s: not _tag_text_ok(s))),
            example={"team": "cache;db"},
        ),
    )


# --- ingress -------------------------------------------------------------------------------------------------------
OPEN_CIDRS = ("0.0.0.0/0", "::/0")


def open_to_internet(cidrs: Iterable[str] | None) -> bool:
    return any(c in OPEN_CIDRS for c in (cidrs or ()))


def covers_every_address(cidrs: Iterable[str] | None) -> bool:
    """Whether the blocks together cover all of IPv4 or all of IPv6 (0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0)."""
    networks = [_cidr_key(c) for c in (cidrs or ())]
    networks = [n for n in networks if not isinstance(n, str)]
    for whole in (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")):
        if whole in ipaddress.collapse_addresses(n for n in networks if n.version == whole.version):
            return True
    return False


OPEN_CIDRS_HCL = 'length(setintersection(toset(var.allowed_cidr_blocks), toset(["0.0.0.0/0", "::/0"]))) == 0'
# Terraform has no CIDR union, so the HCL side adds up the addresses of the distinct IPv4 (IPv6) blocks and refuses a
# total of 2^32 (2^128) or more. Overlapping blocks are counted twice, so it can refuse a list that leaves a gap (the
# Python check is exact and says so first); it never accepts a list that covers every address.
COVERS_EVERY_ADDRESS_HCL = (
    'sum(concat([0], [for c in distinct(var.allowed_cidr_blocks) : pow(2, 32 - tonumber(split("/", c)[1])) '
    'if !strcontains(c, ":")])) < pow(2, 32) && '
    'sum(concat([0], [for c in distinct(var.allowed_cidr_blocks) : pow(2, 128 - tonumber(split("/", c)[1])) '
    'if strcontains(c, ":")])) < pow(2, 128)'
)


# --- names the modules derive --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AwsName:
    """A name a module gives an AWS resource, built from its inputs.

    `name` is the name as an expression over the inputs (generator.expr; the same expression a resource is named
    with), evaluated in Python for the environment-wide checks and measured by Terraform in the module's
    precondition; `created` is the condition under which the resource exists. (Legacy form, being retired: `name`
    a function of the resolved values returning None when the resource is not created, and `hcl_length` /
    `hcl_created` its Terraform counterparts.) `template` shows how the name is built, for messages; `max_length`
    is AWS's limit with `source`. `bounded`: another check already keeps it within the limit (no check of its own).
    `unique`: AWS refuses a second one in the same account and Region (generator.limits checks an environment);
    `fold_case`: AWS stores it in lowercase.
    """

    what: str
    inputs: tuple[str, ...]
    template: str
    name: Any  # Expr, or (legacy) Callable[[Mapping[str, Any]], str | None]
    max_length: int
    source: str
    hcl_length: str | None = None
    hcl_created: str = "true"
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
        if isinstance(self.name, expr.Expr):
            env = _opaque_supplied(values)
            if not expr.holds(expr.lift(self.created), env):
                return None
            return self.name.evaluate(env)
        return self.name(values)

    def key(self, values: Mapping[str, Any]) -> str | None:
        name = self.value(values)
        if name is None:
            return None
        return name.lower() if self.fold_case else name


def _opaque_supplied(values: Mapping[str, Any]) -> Mapping[str, Any]:
    from generator.inputs import SUPPLIED

    return {k: expr.SUPPLIED_AT_APPLY if v is SUPPLIED else v for k, v in values.items()}


def name_length_checks(names: Iterable[AwsName]) -> tuple[Check, ...]:
    """One check per derived name whose length the inputs can push past AWS's limit."""
    checks = []
    for n in names:
        message = (lambda v, n=n: f"must keep the {n.what} {n.template} within {n.max_length} characters "
                   f"({n.source}); it would have {len(n.value(v))}")
        hcl_message = (f"{n.inputs[0]} must keep the {n.what} {n.template} within {n.max_length} characters "
                       f"({n.source}).")
        if isinstance(n.name, expr.Expr):
            if n.bounded:
                continue
            condition = expr.implies(n.created, n.name.length() <= n.max_length) if n.created is not True \
                else n.name.length() <= n.max_length
            checks.append(Check(n.inputs, message, hcl_message=hcl_message, example=n.example, when=condition)
                          if n.precondition else
                          Check(n.inputs, message, lambda v, c=condition: expr.holds(c, _opaque_supplied(v)), None,
                                hcl_message=hcl_message, exception="refused by another name's precondition"))
            continue
        if n.hcl_length is None:
            continue
        condition = f"{n.hcl_length} <= {n.max_length}"
        checks.append(
            Check(
                n.inputs,
                message,
                lambda v, n=n: n.name(v) is None or len(n.name(v)) <= n.max_length,
                (condition if n.hcl_created == "true" else f"!({n.hcl_created}) || {condition}")
                if n.precondition else None,
                hcl_message=hcl_message,
                example=n.example,
            )
        )
    return tuple(checks)
