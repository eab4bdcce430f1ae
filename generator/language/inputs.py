"""Module inputs, declared once.

An `Input` carries everything about one module variable: name, Terraform type, default, description,
sensitivity and rules. From that one declaration come
- the `variable` block with its `validation` blocks (`variable_block`),
- the Python check of an environment file's values (`validate`),
- the README's inputs table (generator.synthesis.docs).

A `Rule` constrains one input; a `Check` relates several. Each carries a Python predicate and, where Terraform can
express it, the same rule as an HCL condition, so a team calling the module from its own HCL gets the same
protection as a team using the environment files. Messages name the input, the rule and the value given:
`num_cache_clusters: must be between 1 and 6, got 7`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from generator.language import expr
from generator.language.expr import Expr
from generator.language.types import TfType, TypeMismatch, literal


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""The default of an input the caller must give."""


class _Supplied:
    def __repr__(self) -> str:
        return "SUPPLIED"


SUPPLIED: Any = _Supplied()
"""The value of a secret input that arrives only when someone applies (a sensitive root variable): not null, and
never seen by Python. Checks across inputs treat it as set."""


class _NoExample:
    def __repr__(self) -> str:
        return "NO_EXAMPLE"


NO_EXAMPLE: Any = _NoExample()


# A comparison of a value with a number in hand-written HCL: `{v} <= 43200`, `1 <= {v}`, `var.port != 9092`.
_NUMBER = r"(-?\d+(?:\.\d+)?)"
_OPERATOR = r"(<=|>=|==|!=|<|>)"
_COMPARED = re.compile(rf"(\{{v\}}|\bvar\.[a-z0-9_]+)\s*{_OPERATOR}\s*{_NUMBER}(?![\w.])"
                       rf"|(?<![\w.]){_NUMBER}\s*{_OPERATOR}\s*(\{{v\}}|var\.[a-z0-9_]+)(?![\w.\[(])")


def compared_bounds(hcl: str) -> list[tuple[str, int | float]]:
    """The numbers `hcl` compares a value with, as (what is compared: "{v}" or an input's name, the number), in the
    order written. Only a value compared itself counts (`{v} <= 10`, not `length({v}) <= 10`)."""
    found: list[tuple[str, int | float]] = []
    for match in _COMPARED.finditer(hcl):
        left, _, number, number_first, _, right = match.groups()
        what, text = (left, number) if left is not None else (right, number_first)
        bound = float(text) if "." in text else int(text)
        entry = (what if what == "{v}" else what[len("var."):], bound)
        if entry not in found:
            found.append(entry)
    return found


def edges(bound: int | float) -> list[int | float]:
    """A comparison's boundary cases: the bound and the bound ± 1."""
    return [bound - 1, bound, bound + 1]


def _unique(values: list[Any]) -> tuple[Any, ...]:
    kept: list[Any] = []
    for value in values:
        if not any(value == seen and type(value) is type(seen) for seen in kept):
            kept.append(value)
    return tuple(kept)


def expression_env(values: Mapping[str, Any]) -> dict[str, Any]:
    """Resolved values as the rule language reads them: SUPPLIED (a secret set at apply) becomes its opaque value,
    not null and never read."""
    return {k: expr.SUPPLIED_AT_APPLY if v is SUPPLIED else v for k, v in values.items()}


def holds(condition: Expr, values: Mapping[str, Any]) -> bool:
    """A condition over inputs judged in Python on resolved values."""
    return expr.holds(condition, expression_env(values))


@dataclass(frozen=True)
class Rule:
    """A rule on one input's non-null value.

    `must` completes "<input> must …"; `when` is the condition (generator.language.expr, with `expr.value` for the input),
    from which both the Python `check` and the Terraform `hcl` (in which `{v}` stands for the variable) are
    rendered. A rule the language cannot say is the marked exception: `check` and `hcl` written by hand, with
    `exception` saying why (tests/test_rule_agreement.py still holds the two to the same verdicts).
    """

    must: str
    check: Callable[[Any], bool] | None = None
    hcl: str | None = None
    # What the message quotes after "got": the whole value by default; for a long list or map, the part that breaks
    # the rule (`got "subnet-0a1b2c3d" twice`, `got "aws:owner"`).
    got: Callable[[Any], str] | None = None
    # A value the rule refuses (None: no example). The module's shipped `terraform test` plans it and expects
    # the variable's validation to fail; tests/test_rule_agreement.py has Python and Terraform judge it.
    example: Any = None
    when: Expr | None = None
    # A value the rule accepts (NO_EXAMPLE: the input's default or README example serves), judged both ways too.
    passing: Any = NO_EXAMPLE
    exception: str | None = None
    # A rule written by hand (`exception=` with its own `hcl`) is held at its edges: these values, and the bound
    # and the bound ± 1 of every number its HCL compares the value with, are judged by Python and by Terraform
    # (tests/test_rule_agreement.py). Such a rule with no boundary case at all is refused here.
    boundaries: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if self.when is not None:
            assert self.check is None and self.hcl is None, f"{self.must}: a condition, or check and hcl, not both"
            condition = self.when
            object.__setattr__(self, "check", lambda v: expr.holds(condition, {expr.VALUE_KEY: v}))
            object.__setattr__(self, "hcl", condition.hcl())
        else:
            assert self.check is not None, f"{self.must}: needs a condition (when=)"
            if self.hcl is not None:
                generated = [edge for _, bound in compared_bounds(self.hcl) for edge in edges(bound)]
                object.__setattr__(self, "boundaries", _unique([*self.boundaries, *generated]))
                if not self.boundaries:
                    raise ValueError(
                        f"rule {self.must!r} is written by hand (exception=) and has no boundary case: its HCL "
                        f"{self.hcl!r} compares the value with no number; give boundaries=(...), values at its edges")


@dataclass(frozen=True)
class Check:
    """A rule across inputs, checked in Python and emitted as a `precondition` on the module's main resource.

    `inputs` are the inputs involved: the first is the one the message is filed under, and all of them are
    shown with their values. `must` is a string, or a function of the resolved values for messages that quote
    another input (`must be a multiple of the 3 subnets`). `when` is the condition over `expr.var(...)` and
    `expr.Local`s, from which the Python `check` and the `hcl` are rendered (or, the marked exception, both written
    by hand with `exception` saying why); `hcl_message` is its Terraform message when `must` is a function.
    """

    inputs: tuple[str, ...]
    must: str | Callable[[Mapping[str, Any]], str]
    check: Callable[[Mapping[str, Any]], bool] | None = None
    hcl: str | None = None
    hcl_message: str | None = None
    shown: tuple[str, ...] | None = None  # inputs quoted after "got" (default: all of `inputs`)
    # Inputs that break this check and nothing else, over the module's required examples (None: no example).
    # The module's shipped `terraform test` plans them and expects the precondition to fail.
    example: Mapping[str, Any] | None = None
    when: Expr | None = None
    # Inputs, over the required examples, that meet the check where it is not trivially met (None: the required
    # examples alone serve).
    passing: Mapping[str, Any] | None = None
    exception: str | None = None
    # As Rule.boundaries, for a check written by hand with its own `hcl`: inputs over the required examples, with
    # the bound and the bound ± 1 of every number its HCL compares an input (`var.x`) with added.
    boundaries: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.when is not None:
            assert self.check is None and self.hcl is None, f"{self.inputs}: a condition, or check and hcl, not both"
            condition = self.when
            object.__setattr__(self, "check", lambda values: holds(condition, values))
            object.__setattr__(self, "hcl", condition.hcl())
            unknown = condition.inputs() - set(self.inputs) - set(self.shown or ())
            assert not unknown, f"check on {self.inputs[0]} reads inputs it does not name: {sorted(unknown)}"
        else:
            assert self.check is not None, f"check on {self.inputs[0]}: needs a condition (when=)"
            if self.hcl is not None:
                generated = [{name: edge} for name, bound in compared_bounds(self.hcl) if name != "{v}"
                             for edge in edges(bound)]
                object.__setattr__(self, "boundaries", _unique([*self.boundaries, *generated]))
                if not self.boundaries:
                    raise ValueError(
                        f"check on {self.inputs[0]} is written by hand (exception=) and has no boundary case: its HCL "
                        f"{self.hcl!r} compares no input with a number; give boundaries=({{...}},), inputs at its "
                        "edges")

    def message(self, values: Mapping[str, Any]) -> str:
        must = self.must(values) if callable(self.must) else self.must
        shown = self.shown or self.inputs
        if len(shown) == 1:
            got = literal(values[shown[0]])
        else:
            got = ", ".join(f"{name} = {literal(values[name])}" for name in shown)
        return f"{self.inputs[0]}: {must}, got {got}"

    def terraform_message(self) -> str:
        if self.hcl_message:
            return self.hcl_message
        assert isinstance(self.must, str), "a Check with a computed message needs hcl_message"
        return f"{self.inputs[0]} {self.must}."


@dataclass(frozen=True)
class Advice:
    """A synth warning about a combination that is valid but probably not what the caller meant (a cluster no
    source can reach). `when` decides it on the resolved values; `message` completes "<first input> …"."""

    inputs: tuple[str, ...]
    when: Callable[[Mapping[str, Any]], bool]
    message: str


@dataclass(frozen=True)
class Input:
    name: str
    type: TfType
    description: str
    default: Any = REQUIRED
    rules: tuple[Rule, ...] = ()
    sensitive: bool = False
    # Terraform's default is nullable; an input with a non-null default is made non-nullable so that an explicit
    # null from a caller means "the default", not "unset".
    nullable: bool | None = None
    # Secrets never pass through the Python side: an environment file may not set them (see generator.config.environments).
    secret: bool = False
    # A secret that only makes sense while this bool input is true (AUTH needs TLS): an environment whose table
    # turns that input off gets no root variable for the secret, rather than a check that can never pass.
    secret_only_with: str | None = None
    # Environment files only: whether the file's values (as given, before defaults) want the secret's root variable
    # at all (no AUTH token with RBAC users; user passwords only for password users). None: always.
    secret_wanted: Callable[[Mapping[str, Any]], bool] | None = None
    # (value, what it turns off): giving this value weakens security, so synth warns, naming the input.
    weakens: tuple[Any, str] | None = None
    # A value accepted but not advised (a version past its end of support): a function of the value returning the
    # warning's text after "<name> = <value> ", or None.
    advice: Callable[[Any], str | None] | None = None
    # A value for the module's example call (the README's usage, the base of the rules' examples): every required
    # input has one, and an optional input has one when a call the module accepts needs it (an ElastiCache call
    # without an AUTH token, RBAC or the explicit opt-out is refused).
    example: Any = None
    # Environment files only: the value this input takes when the file leaves it out, computed from the other
    # resolved values and written into the module call. For a switch Terraform must know at plan time (count)
    # that follows from inputs whose values only an environment file knows for sure, such as create_kms_key
    # from kms_key_arn: a caller's HCL may pass an ARN that is unknown until apply, an environment file never does.
    derived: Callable[[Mapping[str, Any]], Any] | None = None
    # Why the input is deprecated and what replaces it; synth warns when it is given.
    deprecated: str | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def is_nullable(self) -> bool:
        if self.nullable is not None:
            return self.nullable
        return self.default is None

    def validation_blocks(self) -> list[dict[str, str]]:
        blocks = []
        ref = f"var.{self.name}"
        for rule in self.rules:
            if rule.hcl is None:
                continue
            condition = rule.hcl.replace("{v}", ref)
            if self.is_nullable:
                # Terraform evaluates both sides of || ; a conditional keeps null away from the rule.
                condition = f"{ref} == null ? true : ({condition})"
            blocks.append({"condition": "${" + condition + "}", "error_message": f"{self.name} must {rule.must}."})
        return blocks


class InputError(Exception):
    """Bad input a user can give. `problems` are one-line messages, each naming input, rule and value."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class InputSet:
    """A module's inputs and cross-input checks, with the Python side of their validation."""

    inputs: tuple[Input, ...]
    checks: tuple[Check, ...] = ()
    # The AWS names the module creates from its inputs (generator.language.rules.AwsName): checked for AWS's limits by the
    # module's checks, and across the module blocks of an environment for names created twice (generator.config.limits).
    aws_names: tuple[Any, ...] = ()
    advice: tuple[Advice, ...] = ()
    by_name: Mapping[str, Input] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {i.name: i for i in self.inputs})
        for check in self.checks:
            for name in check.inputs + (check.shown or ()):
                assert name in self.by_name, f"check refers to unknown input {name}"
        for advice in self.advice:
            for name in advice.inputs:
                assert name in self.by_name, f"advice refers to unknown input {name}"

    def names(self) -> list[str]:
        return [i.name for i in self.inputs]

    def example_call(self) -> dict[str, Any]:
        """The module's example call: the required inputs and the optional inputs that declare an example."""
        return {spec.name: spec.example for spec in self.inputs if spec.required or spec.example is not None}

    def problems(
        self, given: Mapping[str, Any], supplied: tuple[str, ...] = (), context: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Resolve `given` against the defaults and check it; `supplied` inputs get their value at apply time.
        `context`: what the checks read of where the module is applied (generator.language.rules.stack_context: the stack's
        region), which Terraform reads from the provider; without it those checks pass, as for a value unknown at
        plan.

        Returns the resolved values and a list of (input name, message) problems; unknown and secret keys are
        the caller's business (an environment file reports them with its own context).
        """
        problems: list[tuple[str, str]] = []
        values: dict[str, Any] = {}
        broken: set[str] = set()
        for spec in self.inputs:
            if spec.name in supplied:
                values[spec.name] = SUPPLIED
                continue
            if spec.name not in given:
                if spec.derived is not None:
                    continue  # computed below, once every input it may read is resolved
                if spec.required:
                    problems.append((spec.name, f"{spec.name}: is required ({spec.type.hcl()}): {spec.description}"))
                    broken.add(spec.name)
                    continue
                values[spec.name] = spec.default
                continue
            raw = given[spec.name]
            try:
                value = spec.type.convert(raw)
            except TypeMismatch as err:
                where = f"{spec.name}{'' if not err.path or err.path.startswith('[') else '.'}{err.path}"
                problems.append((spec.name, f"{where}: must be {err.expected}, got {literal(err.value)}"))
                broken.add(spec.name)
                continue
            if value is None and spec.required:
                problems.append((spec.name, f"{spec.name}: is required ({spec.type.hcl()}), got null"))
                broken.add(spec.name)
                continue
            if value is None and not spec.is_nullable:
                value = spec.default  # as Terraform does for a non-nullable variable given null
            values[spec.name] = value
            if value is None:
                continue
            for rule in spec.rules:
                if not rule.check(value):
                    shown = "(sensitive value)" if spec.sensitive else rule.got(value) if rule.got else literal(value)
                    problems.append((spec.name, f"{spec.name}: must {rule.must}, got {shown}"))
                    broken.add(spec.name)
                    break  # later rules may assume this one (a window's length needs its format)
        for spec in self.inputs:
            if spec.derived is not None and spec.name not in values:
                # A derivation reads inputs that may have failed their own rules; it then falls back to the default
                # and the checks that involve it are skipped, as for any broken input.
                values[spec.name] = spec.default if broken else spec.derived(values)
                if broken:
                    broken.add(spec.name)
        judged = {**values, **(context or {})}
        for check in self.checks:
            involved = set(check.inputs) | set(check.shown or ())
            if involved & broken:
                continue  # a value that already failed its own rule would only repeat itself here
            if not check.check(judged):
                problems.append((check.inputs[0], check.message(judged)))
        return values, problems

    def derived_arguments(self, given: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        """The derived inputs `given` leaves out whose value differs from the default: what the generator writes
        into an environment's module call so that Terraform knows them at plan time."""
        return {
            spec.name: values[spec.name]
            for spec in self.inputs
            if spec.derived is not None and spec.name not in given and values.get(spec.name) != spec.default
        }

    def warnings(self, values: Mapping[str, Any]) -> list[str]:
        """What the resolved values turn off or probably get wrong, one line each: inputs that weaken security,
        deprecated inputs that are set, values accepted but not advised, and advice across inputs."""
        found = [
            f"{spec.name} = {literal(values[spec.name])} {spec.weakens[1]}"
            for spec in self.inputs
            if spec.weakens is not None and spec.name in values and values[spec.name] == spec.weakens[0]
        ]
        for spec in self.inputs:
            value = values.get(spec.name)
            if spec.advice is not None and value is not None and value is not SUPPLIED:
                text = spec.advice(value)
                if text:
                    found.append(f"{spec.name} = {literal(value)} {text}")
        found += [
            f"{spec.name} is deprecated: {spec.deprecated}"
            for spec in self.inputs
            if spec.deprecated is not None and values.get(spec.name, spec.default) != spec.default
        ]
        found += [f"{advice.inputs[0]} {advice.message}" for advice in self.advice if advice.when(values)]
        return found

    def validate(self, given: Mapping[str, Any]) -> dict[str, Any]:
        values, problems = self.problems(given)
        if problems:
            raise InputError([message for _, message in problems])
        return values
