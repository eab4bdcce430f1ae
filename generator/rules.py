"""Rules shared by the modules, each with its Python predicate and the same rule as a Terraform condition.

Regular expressions are written so that Python's `re` and Terraform's RE2 read them alike: anchored, with
`[.]` and `[0-9]` instead of backslash escapes (a backslash would need escaping once more inside HCL).
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Iterable

from generator.inputs import Rule


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


def resource_id(prefix: str) -> Rule:
    return matches(f"{prefix}-[0-9a-f]+", f"be an AWS id such as {prefix}-0123456789abcdef0")


def resource_ids(prefix: str) -> Rule:
    return each_matches(f"{prefix}-[0-9a-f]+", f"hold only AWS ids such as {prefix}-0123456789abcdef0")


OPEN_CIDRS = ("0.0.0.0/0", "::/0")


def open_to_internet(cidrs: Iterable[str] | None) -> bool:
    return any(c in OPEN_CIDRS for c in (cidrs or ()))


OPEN_CIDRS_HCL = 'length(setintersection(toset(var.allowed_cidr_blocks), toset(["0.0.0.0/0", "::/0"]))) == 0'
