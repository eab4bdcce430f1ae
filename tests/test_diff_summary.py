"""`--diff`'s summary of one folder (generator/commands/review.py): the blocks addressed in lists (moved, removed, import),
the provider and terraform blocks, and how a changed value is shown (keys sorted, text as written, capped)."""

from __future__ import annotations

from generator.synthesis import tree
from generator.synthesis.normalize import serialize
from generator.commands.review import MAX_VALUE, summarize


def diff(old: dict, new: dict) -> list[str]:
    summary, _ = summarize({"stacks/a/main.tf.json": serialize(old)}, {"stacks/a/main.tf.json": serialize(new)},
                           tree.everything)
    return summary.splitlines()


def test_moved_removed_and_import_blocks_are_named_by_their_address():
    old = {"removed": [{"from": "aws_sqs_queue.old", "lifecycle": {"destroy": False}}]}
    new = {"moved": [{"from": "module.a", "to": "module.b"}], "import": [{"to": "aws_sqs_queue.q", "id": "url"}]}
    assert diff(old, new) == [
        "stacks/a:",
        "  + import aws_sqs_queue.q",
        "  + moved module.a",
        "  - removed aws_sqs_queue.old",
        "2 added, 1 removed, 0 changed",
    ]


def test_provider_and_terraform_blocks_changes():
    old = {"provider": {"aws": [{"region": "eu-west-1"}]}, "terraform": {"required_version": ">= 1.11"}}
    new = {"provider": {"aws": [{"region": "eu-central-1"}]}, "terraform": {"required_version": ">= 1.12"}}
    assert diff(old, new) == [
        "stacks/a:",
        '  ~ provider.aws[0].region: "eu-west-1" → "eu-central-1"',
        '  ~ terraform.required_version: ">= 1.11" → ">= 1.12"',
        "0 added, 0 removed, 2 changed",
    ]


def test_a_changed_value_is_shown_with_sorted_keys_and_its_own_text():
    old = {"locals": {"x": [{"b": 1, "a": "é"}, 2]}}
    new = {"locals": {"x": [{"b": 1, "a": "ü"}, 2]}}
    assert diff(old, new)[1] == '  ~ local.x: [{"a": "é", "b": 1}, 2] → [{"a": "ü", "b": 1}, 2]'


def test_a_long_value_is_capped():
    exact = "x" * (MAX_VALUE - 2)  # with its quotes, exactly MAX_VALUE characters
    longer = "y" * (MAX_VALUE - 1)
    lines = diff({"locals": {"a": exact, "b": "short"}}, {"locals": {"a": "short", "b": longer}})
    assert lines[1] == f'  ~ local.a: "{exact}" → "short"'
    assert lines[2] == f'  ~ local.b: "short" → "{longer[:MAX_VALUE - 2]}…'
    assert len(lines[2].split(" → ")[1]) == MAX_VALUE
