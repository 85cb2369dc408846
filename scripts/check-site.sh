#!/usr/bin/env bash
# Checks a built site: the pages and figures the reports promise exist and are non-empty,
# every local href/src resolves, and no page links outside the site.
set -euo pipefail
SITE=${1:-site}
fail() { echo "check-site: $*" >&2; exit 1; }
[ -s "$SITE/index.html" ] || fail "missing $SITE/index.html"
[ -s "$SITE/style.css" ] || fail "missing $SITE/style.css"
for report in reports/*.md; do
  id=$(basename "$report" .md)
  [ -s "$SITE/$id/index.html" ] || fail "missing page $SITE/$id/index.html"
  # every ```figure NAME block must have its SVG, PNG (light and dark) and CSV
  for fig in $(grep -E '^```figure ' "$report" | awk '{print $2}'); do
    for f in "$fig.svg" "$fig.png" "$fig-dark.svg" "$fig-dark.png" "$fig.csv"; do
      [ -s "$SITE/$id/figures/$f" ] || fail "missing figure file $SITE/$id/figures/$f"
    done
    head -c 8 "$SITE/$id/figures/$fig.png" | od -An -tx1 | grep -q '89 50 4e 47' || fail "$fig.png is not a PNG"
  done
  for run in $(grep -E '^```experiment ' "$report" | awk '{print $2}'); do
    [ -s "$SITE/$id/runs/$run.json" ] || fail "missing run data $SITE/$id/runs/$run.json"
  done
done
python3 - "$SITE" <<'PY'
import html.parser, os, sys, urllib.parse
site = sys.argv[1]
bad = []
class P(html.parser.HTMLParser):
    def __init__(self, path):
        super().__init__(); self.path = path
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src", "srcset") and v:
                if v.startswith(("http:", "https:", "//")):
                    bad.append(f"{self.path}: external link {v}")
                    continue
                if v.startswith(("#", "mailto:")):
                    continue
                target = os.path.normpath(os.path.join(os.path.dirname(self.path), urllib.parse.unquote(v.split("#")[0])))
                if not os.path.abspath(target).startswith(os.path.abspath(site)):
                    bad.append(f"{self.path}: link leaves the site: {v}")
                elif not os.path.exists(target):
                    bad.append(f"{self.path}: broken link {v}")
            if tag == "img" and not dict(attrs).get("alt"):
                bad.append(f"{self.path}: <img> without alt text")
for root, _, files in os.walk(site):
    for f in files:
        if f.endswith(".html"):
            p = os.path.join(root, f)
            P(p).feed(open(p, encoding="utf-8").read())
if bad:
    print("\n".join(bad)); sys.exit(1)
print("check-site: all local links resolve, every image has alt text")
PY
echo "check-site: ok"
