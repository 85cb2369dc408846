#!/usr/bin/env python3
"""Runs a GitHub Actions workflow's jobs on this machine, reading them from the workflow file,
so that what runs here is what runs on GitHub (scripts/test-workflow.sh uses it on
.github/workflows/site.yml).

    python3 scripts/run-workflow.py WORKFLOW --repo DIR --work DIR --binary PATH
                                    [--reports DIR] [--input NAME=VALUE]...

Each job, and each combination of its matrix, runs in its own fresh folder under --work, as on
GitHub, in dependency order; a job whose needs failed is skipped. Its `run:` steps run as GitHub
runs them (`bash --noprofile --norc -eo pipefail`, the workflow's, job's and step's `env`,
`${{ }}` expressions over the matrix, env and inputs contexts; GITHUB_ENV and GITHUB_PATH work).
The actions are emulated with GitHub's semantics for what this workflow uses:
  actions/checkout          copies the repository's files (tracked and untracked, not ignored);
                            with --reports, reports/ is replaced by that folder's files
  actions/upload-artifact   artifact = the files (never empty folders) under the path, rooted at
                            it (several paths: at their common ancestor); hidden files only with
                            include-hidden-files; if-no-files-found; a name used twice fails
  actions/download-artifact by name into path, or by pattern into path/NAME/ (merge-multiple too)
  actions/upload-pages-artifact  the site folder becomes the artifact github-pages
  actions/deploy-pages      checks the job may write Pages and mint an id-token, and that the
                            github-pages artifact has an index.html; deploys nothing
The one step not run is the set-up step `bash scripts/ci-setup.sh` (system packages and a release
build): --binary is linked where it would put .build/release/mgdl-report. The job's container is
not started: the steps run on this machine (Debian 12, like swift:*-bookworm). Anything else the
workflow uses (another action, `if:`, `shell:`, matrix include/exclude, an expression outside the
supported forms) stops the run with an error, so a change to the workflow cannot pass here
unexercised. Exit status 1 if a job failed.
"""
import argparse
import fnmatch
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile

from ruamel.yaml import YAML

SETUP_STEP = "bash scripts/ci-setup.sh"
JOB_KEYS = {"name", "runs-on", "container", "permissions", "strategy", "steps", "needs", "environment", "env"}
STEP_KEYS = {"name", "id", "uses", "with", "run", "env"}


class Unsupported(Exception):
    pass


def evaluate(expression, contexts):
    """The forms `a.b`, `'literal'`, numbers and `x || y`; anything else is refused."""
    parts = [p.strip() for p in expression.split("||")]
    value = ""
    for part in parts:
        if re.fullmatch(r"'[^']*'", part):
            value = part[1:-1]
        elif re.fullmatch(r"-?[0-9]+", part):
            value = part
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)+", part):
            head, *rest = part.split(".")
            if head not in ("matrix", "env", "inputs"):
                raise Unsupported(f"expression context '{head}' in ${{{{ {expression} }}}}")
            node = contexts.get(head, {})
            for key in rest:
                node = node.get(key, "") if isinstance(node, dict) else ""
            value = "" if node is None else node
        else:
            raise Unsupported(f"expression ${{{{ {expression} }}}}")
        if value not in ("", None, False):
            return stringify(value)
    return stringify(value)


def stringify(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(text, contexts):
    if not isinstance(text, str):
        return stringify(text)
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: evaluate(m.group(1).strip(), contexts), text)


def files_under(root, hidden):
    out = []
    for folder, dirs, names in os.walk(root):
        if not hidden:
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            names = [n for n in names if not n.startswith(".")]
        out += [os.path.join(folder, n) for n in names]
    return out


def copy_files(files, root, target):
    for f in files:
        dest = os.path.join(target, os.path.relpath(f, root))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy2(f, dest)


class Runner:
    def __init__(self, args, workflow):
        self.args = args
        self.workflow = workflow
        self.artifacts = os.path.join(args.work, "_artifacts")
        os.makedirs(self.artifacts, exist_ok=True)
        inputs = {}
        for trigger in (workflow.get("on") or {}).values() if isinstance(workflow.get("on"), dict) else []:
            for name, spec in ((trigger or {}).get("inputs") or {}).items():
                if args.input:  # a workflow_dispatch: the inputs' defaults apply
                    inputs[name] = stringify(spec.get("default", ""))
        for item in args.input:
            name, _, value = item.partition("=")
            inputs[name] = value
        self.inputs = inputs

    def log(self, text):
        print(f"run-workflow: {text}", flush=True)

    def checkout(self, workspace):
        listed = subprocess.run(["git", "-C", self.args.repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                check=True, capture_output=True).stdout.decode().split("\0")
        files = [os.path.join(self.args.repo, f) for f in listed if f and os.path.isfile(os.path.join(self.args.repo, f))]
        copy_files(files, self.args.repo, workspace)
        if self.args.reports:
            shutil.rmtree(os.path.join(workspace, "reports"), ignore_errors=True)
            copy_files(files_under(self.args.reports, True), self.args.reports, os.path.join(workspace, "reports"))

    def upload(self, workspace, w):
        name = w.get("name", "artifact")
        target = os.path.join(self.artifacts, name)
        if os.path.exists(target):
            raise RuntimeError(f"an artifact named {name} exists already (upload-artifact@v4 refuses that)")
        paths = [p.strip() for p in w.get("path", "").splitlines() if p.strip()]
        if not paths or any(any(c in p for c in "*?![") for p in paths):
            raise Unsupported(f"upload-artifact path {w.get('path')!r} (plain paths only)")
        hidden = w.get("include-hidden-files", "false") == "true"
        absolute = [os.path.normpath(os.path.join(workspace, p)) for p in paths]
        roots = [p if os.path.isdir(p) else os.path.dirname(p) for p in absolute]
        root = roots[0] if len(roots) == 1 else os.path.commonpath(roots)
        files = []
        for p in absolute:
            if os.path.isdir(p):
                files += files_under(p, hidden)
            elif os.path.isfile(p) and (hidden or not os.path.basename(p).startswith(".")):
                files.append(p)
        if not files:
            mode = w.get("if-no-files-found", "warn")
            message = f"upload-artifact {name}: no files were found with the provided path: {w.get('path')}"
            if mode == "error":
                raise RuntimeError(message)
            self.log(f"{'warning: ' if mode == 'warn' else ''}{message}; no artifact")
            return
        copy_files(files, root, target)
        self.log(f"artifact {name}: {len(files)} file(s)")

    def download(self, workspace, w):
        path = os.path.join(workspace, w.get("path", "."))
        names = sorted(os.listdir(self.artifacts))
        if "name" in w:
            if w["name"] not in names:
                raise RuntimeError(f"download-artifact: no artifact named {w['name']}")
            chosen, nested = [w["name"]], False
        else:
            chosen = [n for n in names if fnmatch.fnmatchcase(n, w.get("pattern", "*")) and n != "github-pages"]
            nested = w.get("merge-multiple", "false") != "true"
        for n in chosen:
            src = os.path.join(self.artifacts, n)
            copy_files(files_under(src, True), src, os.path.join(path, n) if nested else path)
        self.log(f"downloaded {len(chosen)} artifact(s): {', '.join(chosen)}")

    def action(self, uses, w, workspace, job):
        name, _, ref = uses.partition("@")
        if name == "actions/checkout":
            self.checkout(workspace)
        elif name == "actions/upload-artifact":
            self.upload(workspace, w)
        elif name == "actions/download-artifact":
            self.download(workspace, w)
        elif name == "actions/upload-pages-artifact":
            site = os.path.join(workspace, w.get("path", "_site"))
            if not os.path.isdir(site):
                raise RuntimeError(f"upload-pages-artifact: no folder {w.get('path')}")
            self.upload(workspace, {"name": "github-pages", "path": w.get("path", "_site"),
                                    "if-no-files-found": "error", "include-hidden-files": "true"})
        elif name == "actions/deploy-pages":
            permissions = job.get("permissions") or {}
            if permissions.get("pages") != "write" or permissions.get("id-token") != "write":
                raise RuntimeError("deploy-pages needs the job's permissions pages: write and id-token: write")
            if not os.path.isfile(os.path.join(self.artifacts, "github-pages", "index.html")):
                raise RuntimeError("deploy-pages: the github-pages artifact has no index.html")
            self.log("deploy-pages: the github-pages artifact would be published (not deployed here)")
        else:
            raise Unsupported(f"action {uses}")

    def run_step(self, run, env, workspace):
        if run.strip() == SETUP_STEP:
            target = os.path.join(workspace, ".build", "release")
            os.makedirs(target, exist_ok=True)
            os.symlink(os.path.abspath(self.args.binary), os.path.join(target, "mgdl-report"))
            self.log(f"set-up step not run: {self.args.binary} linked as .build/release/mgdl-report")
            return 0
        with tempfile.NamedTemporaryFile("w", suffix=".sh", dir=self.args.work, delete=False) as f:
            f.write(run)
            script = f.name
        status = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=workspace, env=env).returncode
        os.unlink(script)
        return status

    def run_job(self, job_id, job, combo, index):
        unknown = set(job) - JOB_KEYS
        if unknown:
            raise Unsupported(f"job {job_id}: {', '.join(sorted(unknown))}")
        workspace = os.path.join(self.args.work, f"{job_id}-{index}")
        os.makedirs(workspace)
        contexts = {"matrix": combo, "inputs": self.inputs, "env": {}}
        env_context = {}
        for scope in (self.workflow.get("env") or {}, job.get("env") or {}):
            for k, v in scope.items():
                env_context[k] = substitute(v, {**contexts, "env": env_context})
        gh_env = os.path.join(self.args.work, f"{job_id}-{index}.env")
        gh_path = os.path.join(self.args.work, f"{job_id}-{index}.path")
        open(gh_env, "w").close()
        open(gh_path, "w").close()
        label = job_id + (f" ({', '.join(f'{k}={v}' for k, v in combo.items())})" if combo else "")
        for number, step in enumerate(job.get("steps") or [], 1):
            unknown = set(step) - STEP_KEYS
            if unknown:
                raise Unsupported(f"job {job_id}, step {number}: {', '.join(sorted(unknown))}")
            contexts["env"] = env_context
            step_env = dict(env_context)
            for k, v in (step.get("env") or {}).items():
                step_env[k] = substitute(v, contexts)
            title = substitute(step.get("name") or step.get("uses") or step.get("run", "").splitlines()[0], contexts)
            self.log(f"{label}: step {number}: {title}")
            if "uses" in step:
                w = {k: substitute(v, {**contexts, "env": step_env}) for k, v in (step.get("with") or {}).items()}
                try:
                    self.action(step["uses"], w, workspace, job)
                except RuntimeError as error:
                    self.log(f"{label}: step {number} failed: {error}")
                    return False
                continue
            env = dict(os.environ)
            for line in open(gh_path):
                if line.strip():
                    env["PATH"] = line.strip() + os.pathsep + env["PATH"]
            for line in open(gh_env):
                if "=" in line:
                    k, _, v = line.rstrip("\n").partition("=")
                    step_env.setdefault(k, v)
            env.update(step_env)
            env.update({"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": workspace,
                        "GITHUB_ENV": gh_env, "GITHUB_PATH": gh_path, "GITHUB_JOB": job_id})
            status = self.run_step(substitute(step["run"], {**contexts, "env": step_env}), env, workspace)
            if status != 0:
                self.log(f"{label}: step {number} failed (exit status {status})")
                return False
        return True

    def run(self):
        jobs = self.workflow.get("jobs") or {}
        done, failed = {}, []
        order = []
        while len(order) < len(jobs):
            ready = [j for j in jobs if j not in order and all(n in order for n in needs(jobs[j]))]
            if not ready:
                raise Unsupported("a cycle in the jobs' needs")
            order += ready
        for job_id in order:
            job = jobs[job_id]
            if not all(done.get(n) for n in needs(job)):
                self.log(f"{job_id}: skipped (a job it needs failed)")
                done[job_id] = False
                continue
            matrix = ((job.get("strategy") or {}).get("matrix")) or {}
            if any(k in matrix for k in ("include", "exclude")) or any(not isinstance(v, list) for v in matrix.values()):
                raise Unsupported(f"job {job_id}: matrix include/exclude or non-list values")
            keys = list(matrix)
            combos = [dict(zip(keys, values)) for values in itertools.product(*(matrix[k] for k in keys))] or [{}]
            ok = True
            for index, combo in enumerate(combos):
                ok = self.run_job(job_id, job, combo, index) and ok
            done[job_id] = ok
            if not ok:
                failed.append(job_id)
            self.log(f"{job_id}: {'succeeded' if ok else 'FAILED'}")
        return failed


def needs(job):
    n = job.get("needs") or []
    return [n] if isinstance(n, str) else list(n)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workflow")
    parser.add_argument("--repo", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--reports")
    parser.add_argument("--input", action="append", default=[], help="NAME=VALUE: run as a workflow_dispatch with this input")
    args = parser.parse_args()
    args.repo = os.path.abspath(args.repo)
    args.work = os.path.abspath(args.work)
    if args.reports:
        args.reports = os.path.abspath(args.reports)
    os.makedirs(args.work, exist_ok=True)
    with open(args.workflow) as f:
        workflow = YAML(typ="safe", pure=True).load(f)
    try:
        failed = Runner(args, workflow).run()
    except Unsupported as error:
        print(f"run-workflow: not supported here, so not exercised: {error}", file=sys.stderr)
        return 2
    if failed:
        print(f"run-workflow: failed job(s): {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
