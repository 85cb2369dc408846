#!/usr/bin/env python3
"""Checks that two builds of the same reports agree: a sharded build (merged store, `build
--frozen`) and a single-machine build.

    python3 scripts/compare-sites.py SITE_A SITE_B [--stores STORE_A STORE_B]

Same files in both sites; every file the same bytes except the HTML pages (they show wall times
and provenance), provenance.json and provenance.js (the machine, wall times and the build date) and, in the run JSON, the
run's wall time (`result.seconds`): so the same run keys, the same numbers, the same figures,
tables and notebooks. With --stores, the two run stores hold
the same run keys. Exit status 1 with one line per difference.
"""
import json
import os
import sys


def files(root):
    out = set()
    for folder, _, names in os.walk(root):
        for name in names:
            out.add(os.path.relpath(os.path.join(folder, name), root))
    return out


def normalised(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".json"):
        obj = json.loads(data)
        if isinstance(obj, dict) and isinstance(obj.get("result"), dict):
            obj["result"].pop("seconds", None)
        return json.dumps(obj, sort_keys=True).encode()
    return data


def main(argv):
    stores = None
    if "--stores" in argv:
        i = argv.index("--stores")
        stores = argv[i + 1:i + 3]
        argv = argv[:i] + argv[i + 3:]
        if len(stores) != 2:
            sys.exit("compare-sites: --stores needs two folders")
    if len(argv) != 2:
        sys.exit(__doc__)
    a, b = argv
    problems = []
    fa, fb = files(a), files(b)
    for path in sorted(fa - fb):
        problems.append(f"only in {a}: {path}")
    for path in sorted(fb - fa):
        problems.append(f"only in {b}: {path}")
    compared = runs = 0
    for path in sorted(fa & fb):
        if path.endswith(".html") or os.path.basename(path) in ("provenance.json", "provenance.js"):
            continue
        compared += 1
        runs += "/runs/" in f"/{path}" and path.endswith(".json")
        if normalised(os.path.join(a, path)) != normalised(os.path.join(b, path)):
            problems.append(f"differs: {path}")
    if runs == 0:
        problems.append(f"no run JSON (*/runs/*.json) in {a}: nothing to compare")
    if stores:
        ka, kb = (set(os.listdir(os.path.join(s, "runs"))) for s in stores)
        if ka != kb or not ka:
            problems.append(f"run keys differ: {len(ka)} in {stores[0]}, {len(kb)} in {stores[1]}, "
                            f"{len(ka ^ kb)} not in both")
    for p in problems:
        print(f"compare-sites: {p}", file=sys.stderr)
    if problems:
        return 1
    keys = f", {len(ka)} run keys" if stores else ""
    print(f"compare-sites: {a} and {b} agree ({compared} files compared, {runs} run JSON{keys}; HTML and provenance.json/.js not compared)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
