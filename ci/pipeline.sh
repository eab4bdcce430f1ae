#!/usr/bin/env bash
# The pull-request pipeline's steps, one definition for every CI system: .github/workflows/pull-request.yml calls
# this script, and another CI system can call it the same way. Run from the project root:
#
#   ci/pipeline.sh install            create .venv and install the project with its test dependencies
#   ci/pipeline.sh check              python main.py --check: generated/ is what the sources produce, with the lazy
#                                     loading of the provider bindings and with the ordinary one (CDK_EAGER_IMPORT=1)
#   ci/pipeline.sh stacks             the stacks of generated/stacks as a JSON list, for the plan and apply matrices
#   ci/pipeline.sh diff BASE_REF      Markdown summary of what the change does to generated/ as committed at the
#                                     git ref BASE_REF (origin/main), for the job summary and the pull-request comment
#   ci/pipeline.sh test               the test suite (real Terraform, offline)
#   ci/pipeline.sh validate           terraform fmt -check, then terraform validate of every module and stack
#   ci/pipeline.sh module-tests       terraform test in every module, offline (the tests shipped in generated/)
#   ci/pipeline.sh gate               the checkov security gate on the offline plan of every stack
#   ci/pipeline.sh plan ENV OUT_DIR   terraform plan of generated/stacks/ENV with its real backend and the
#                                     credentials the job has; writes OUT_DIR/ENV.tfplan and ENV.plan.txt
#   ci/pipeline.sh apply ENV PLAN     terraform apply of a reviewed plan file of generated/stacks/ENV
#   ci/pipeline.sh team-edits         the team's edits (a table and a cache more in dev, prod gone, staging new) in a
#                                     copy of HEAD: regenerated, the tests that can see the team's files, every
#                                     pre-commit hook and (when checkov is installed: the gate step) the security
#                                     gate pass there
#   ci/pipeline.sh new-module         a module folder more in a copy of the project: the tests about modules in general
#                                     pass there with no other file changed (tests/test_new_module.py)
#   ci/pipeline.sh sandbox            terraform apply of the modules against moto's server (no AWS), a plan that must
#                                     say "No changes", and destroy (docs/sandbox.md; needs the ci extra)
#
# Secret root variables (the stacks' auth tokens) come from TF_SECRET_VARIABLES, a JSON object
# {"elasticache_auth_auth_token": "..."} that the CI system keeps as a secret; it never reaches the workspace.
# The provider comes from TF_PROVIDER_MIRROR, else a local mirror found on the machine, else the registry.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# A CLI configuration variable naming a file that does not exist makes terraform warn at every call.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ]; then unset TF_CLI_CONFIG_FILE; fi

usage() { sed -n '2,27p' "$0" >&2; exit 2; }

# terraform for the plan and apply steps: from the local mirror when there is one (same discovery as the tests).
terraform_config() {
  if [ -z "${TF_CLI_CONFIG_FILE:-}" ]; then
    local mirror
    mirror="${TF_PROVIDER_MIRROR:-$("$PYTHON" -m testkit.terraform --find-mirror)}"
    if [ -n "$mirror" ]; then
      TF_CLI_CONFIG_FILE="$(mktemp)"
      printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$mirror" > "$TF_CLI_CONFIG_FILE"
      export TF_CLI_CONFIG_FILE
    fi
  fi
}

# Secret root variables as a var file outside the workspace, removed when the script ends.
secret_var_args=()
secret_variables() {
  if [ -n "${TF_SECRET_VARIABLES:-}" ]; then
    local file
    file="$(mktemp --suffix=.tfvars.json)"
    chmod 600 "$file"
    trap 'rm -f "$file"' EXIT
    printf '%s' "$TF_SECRET_VARIABLES" > "$file"
    secret_var_args=("-var-file=$file")
  fi
}

step="${1:-}"
[ -n "$step" ] || usage
shift
case "$step" in
  install)
    python3 -m venv .venv
    .venv/bin/pip install --quiet -e '.[test]'
    ;;
  check)
    "$PYTHON" main.py --check
    # Every binding loaded the ordinary way (Python and Node) writes the same bytes as the lazy loading.
    CDK_EAGER_IMPORT=1 "$PYTHON" main.py --check
    ;;
  stacks)
    "$PYTHON" -c 'import json, pathlib; print(json.dumps(sorted(p.name for p in pathlib.Path("generated/stacks").iterdir() if p.is_dir())))'
    ;;
  diff)
    [ $# -eq 1 ] || usage
    # --diff exits 1 both when something changed and on bad input: bad input is what prints "error:" lines.
    status=0 errors="$(mktemp)"
    summary="$("$PYTHON" main.py --diff --base "$1" 2> "$errors")" || status=$?
    cat "$errors" >&2
    if [ "$status" -gt 1 ] || grep -q '^error:' "$errors"; then rm -f "$errors"; exit 1; fi
    rm -f "$errors"
    # shellcheck disable=SC2016  # the backquotes are Markdown
    printf '### `python main.py --diff --base %s`\n\n```\n%s\n```\n' "$1" "$summary"
    ;;
  test)
    "$PYTHON" -m pytest
    ;;
  validate)
    terraform fmt -check -recursive generated
    "$PYTHON" -m testkit.terraform --validate generated
    ;;
  module-tests)
    "$PYTHON" -m testkit.terraform --test generated
    ;;
  gate)
    "${CHECKOV_VENV:-.venv-checkov}/bin/checkov" --version > /dev/null 2>&1 || {
      python3 -m venv "${CHECKOV_VENV:-.venv-checkov}"
      "${CHECKOV_VENV:-.venv-checkov}/bin/pip" install --quiet checkov==3.3.30
    }
    "$PYTHON" -m testkit.security_gate --checkov "${CHECKOV_VENV:-.venv-checkov}/bin/checkov"
    ;;
  plan)
    [ $# -eq 2 ] || usage
    stack="generated/stacks/$1" out="$(realpath -m "$2")"
    [ -d "$stack" ] || { echo "error: no stack $stack" >&2; exit 1; }
    mkdir -p "$out"
    terraform_config
    secret_variables
    terraform -chdir="$stack" init -input=false -no-color
    terraform -chdir="$stack" plan -input=false -no-color "${secret_var_args[@]}" -out="$out/$1.tfplan"
    terraform -chdir="$stack" show -no-color "$out/$1.tfplan" > "$out/$1.plan.txt"
    cp "$stack/.terraform.lock.hcl" "$out/$1.terraform.lock.hcl"
    ;;
  apply)
    [ $# -eq 2 ] || usage
    stack="generated/stacks/$1" plan="$(realpath "$2")"
    lock="$(dirname "$plan")/$1.terraform.lock.hcl"
    if [ -f "$lock" ]; then cp "$lock" "$stack/.terraform.lock.hcl"; fi  # the providers the plan was made with
    terraform_config
    terraform -chdir="$stack" init -input=false -no-color
    # A saved plan carries its variables: apply takes none, and refuses a plan whose state has moved on.
    terraform -chdir="$stack" apply -input=false -no-color "$plan"
    ;;
  team-edits)
    "$PYTHON" -m testkit.team_edits --checkov "${CHECKOV_VENV:-.venv-checkov}/bin/checkov"
    ;;
  new-module)
    "$PYTHON" -m pytest -q -p no:cacheprovider -m new_module tests/test_new_module.py
    ;;
  sandbox)
    "$PYTHON" -m testkit.sandbox
    ;;
  *)
    usage
    ;;
esac
