# shellcheck shell=bash
# Sourced (not run) by scripts/check-workflows.sh and scripts/test-workflow.sh: a virtualenv
# outside the clone with the workflow tools from PyPI, pinned so that a new release's new audits
# cannot change CI's verdict unseen: check-jsonschema (it brings ruamel.yaml, which
# scripts/run-workflow.py reads the workflow with) and zizmor. Sets WORKFLOW_VENV.
WORKFLOW_TOOLS=(check-jsonschema==0.39.0 zizmor==1.32.0)
WORKFLOW_VENV="${TMPDIR:-/tmp}/mgdl-workflow-venv"
if ! "$WORKFLOW_VENV/bin/python" -c "import ruamel.yaml" 2>/dev/null \
   || ! "$WORKFLOW_VENV/bin/pip" freeze 2>/dev/null | grep -qx "zizmor==1.32.0" \
   || ! "$WORKFLOW_VENV/bin/pip" freeze 2>/dev/null | grep -qx "check-jsonschema==0.39.0"; then
  if ! python3 -m venv "$WORKFLOW_VENV" 2>/dev/null; then
    SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
    "${SUDO[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf "$WORKFLOW_VENV"; python3 -m venv "$WORKFLOW_VENV"
  fi
  "$WORKFLOW_VENV/bin/pip" install -q --disable-pip-version-check "${WORKFLOW_TOOLS[@]}"
fi
