"""The pieces of `ci/pipeline.sh team-edits` (testkit/team_edits.py), which .ci/run runs whole: the edits it makes
are a valid team's edits (they load and synthesize), so that what it proves is about the tests, not the edit."""

from __future__ import annotations

import json
import re
import shutil

from generator.commands import pipeline
from generator.config import environments
from modules import all_modules
from testkit import team_edits
from testkit.project import FIXTURE_ENVIRONMENTS, PROJECT


def _load_all(folder):
    files = [(p, f"environments/{p.name}") for p in sorted(folder.glob("*.toml"))]
    return {e.name: e for e in environments.load_all(files, all_modules())}, files


def test_the_edits_add_a_table_and_a_cache_remove_prod_and_add_staging(tmp_path):
    folder = tmp_path / "environments"
    shutil.copytree(FIXTURE_ENVIRONMENTS, folder)
    before, _ = _load_all(folder)
    team_edits.edit(folder)
    after, files = _load_all(folder)
    assert sorted(after) == ["dev", "staging"]
    added = [(c.name, c.kind) for c in after["dev"].modules[len(before["dev"].modules):]]
    assert added == [("dynamodb_profiles", "dynamodb"), ("elasticache_sessions", "elasticache")]
    assert [c.name for c in after["dev"].modules[:len(before["dev"].modules)]] == [c.name for c in before["dev"].modules]
    result = pipeline.produce(files, modules=all_modules())
    assert {p.split("/")[1] for p in result.files if p.startswith("stacks/")} == {"dev", "staging"}
    assert set(json.loads(result.files["stacks/dev/main.tf.json"])["module"]) == {c.name for c in after["dev"].modules}


def test_a_missing_dev_file_is_written_whole(tmp_path):
    team_edits.edit(tmp_path)
    loaded, _ = _load_all(tmp_path)
    assert sorted(loaded) == ["dev", "staging"]
    assert [c.name for c in loaded["dev"].modules] == ["dynamodb_profiles", "elasticache_sessions"]
    assert loaded["dev"].tags == {"Project": "mapzip", "Environment": "dev"}


def test_ci_runs_the_step():
    script = (PROJECT / "ci" / "pipeline.sh").read_text()
    assert re.search(r'^  team-edits\)\n    "\$PYTHON" -m testkit\.team_edits --checkov "\$\{CHECKOV_VENV:-\.venv-checkov\}/bin/checkov"\n',
                     script, flags=re.M)
    assert re.search(r"^ci/pipeline\.sh team-edits$", (PROJECT / ".ci" / "run").read_text(), flags=re.M)


def test_the_tests_that_read_the_teams_tree_run_again_after_the_edits(request, shipped):
    """team-edits runs the tests without Terraform and those marked team_files: a test asking for the team's tree
    (`shipped`, `shipped_stack_plan`) carries the marker, whichever layer it is in."""
    assert request.node.get_closest_marker("team_files") is not None
    assert team_edits.SELECTED == "not terraform or team_files"
    assert request.node.get_closest_marker("terraform") is None
