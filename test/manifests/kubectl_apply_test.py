#!/usr/bin/env python3
"""The install and uninstall commands, run with real kubectl against a fresh test API server.

1. `kubectl apply -f crds/ -f manifests/` (the documented install) exits 0, and every object
   in those files exists afterwards, with the ConfigMaps' data byte for byte.
2. The injector patches the webhook's caBundle; `make deploy` then re-applies everything:
   exit 0, nothing created twice, nothing changed, and the patched caBundle survives.
3. `make undeploy` exits 0 and every installed object is gone.
4. `kubectl apply -k manifests` installs the same objects, and `make undeploy` removes them.

The test server publishes no OpenAPI document, so kubectl runs with --validate=false (a real
cluster validates against its schema).

Usage: kubectl_apply_test.py --root REPO --kubectl KUBECTL --apiserver TEST-APISERVER
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_manifests as cm  # noqa: E402

# Written by the API server or by kubectl itself; everything else must survive a re-apply.
SERVER_FIELDS = {"resourceVersion", "generation", "managedFields", "uid", "creationTimestamp"}
CA_BUNDLE = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="  # stands in for the injector's patch


class Failure(Exception):
    pass


class Skipped(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


class Cluster:
    def __init__(self, apiserver, kubectl, workdir):
        self.kubectl = kubectl
        self.proc = subprocess.Popen([apiserver, "--dir", workdir], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"ready (\S+) kubeconfig=(\S+)", line)
        if m is None:
            self.proc.kill()
            raise Failure(f"test-apiserver did not start: {line!r}")
        self.kubeconfig = m.group(2)

    def base(self):
        return [self.kubectl, "--kubeconfig", self.kubeconfig]

    def run(self, *argv, cwd=None):
        return subprocess.run(self.base() + list(argv), capture_output=True, text=True, timeout=120, cwd=cwd)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def qualified_kind(obj):
    """Kind.version.group, so kubectl resolves exactly the type written in the file."""
    group, _, version = obj["apiVersion"].rpartition("/")
    return f"{obj['kind']}.{version}.{group}"


def get_argv(obj):
    argv = ["get", qualified_kind(obj), obj["metadata"]["name"], "-o", "json"]
    ns = obj["metadata"].get("namespace")
    return argv + (["-n", ns] if ns else [])


def label(obj):
    ns = obj["metadata"].get("namespace")
    return f"{obj['kind']}/{(ns + '/') if ns else ''}{obj['metadata']['name']}"


def comparable(live):
    out = json.loads(json.dumps(live))
    meta = out.get("metadata", {})
    for field in SERVER_FIELDS:
        meta.pop(field, None)
    return out


def make(root, target, cluster):
    kubectl = " ".join(shlex.quote(a) for a in cluster.base())
    return subprocess.run(["make", "--no-print-directory", "-C", root, target, f"KUBECTL={kubectl}",
                           "APPLY_FLAGS=--validate=false"], capture_output=True, text=True, timeout=300)


def main():
    ap = argparse.ArgumentParser()
    for name in ("root", "kubectl", "apiserver"):
        ap.add_argument("--" + name, required=True)
    args = ap.parse_args()
    root = os.path.abspath(args.root)

    report = cm.Report()
    objects = [o for _, o in cm.Tree(root, report).objects]
    if report.errors or not objects:
        print("FAIL the manifests do not load:\n  " + "\n  ".join(report.errors))
        return 1

    gap = cm.kustomize_gap(args.kubectl)
    work = tempfile.mkdtemp(prefix="kubectl-apply-")
    cluster = Cluster(args.apiserver, args.kubectl, work)
    passed = 0
    try:
        # 1. The install command exactly as documented, from the repository root.
        done = cluster.run("apply", "--validate=false", "-f", "crds/", "-f", "manifests/", cwd=root)
        print(done.stdout, end="")
        check(done.returncode == 0, f"kubectl apply -f crds/ -f manifests/ exited {done.returncode}:\n"
              f"{done.stderr}")
        created = re.findall(r" created$", done.stdout, re.M)
        check(len(created) == len(objects), f"{len(created)} objects created, the files hold {len(objects)}")
        live = {}
        for obj in objects:
            got = cluster.run(*get_argv(obj))
            check(got.returncode == 0, f"{label(obj)} is missing after apply: {got.stderr.strip()}")
            live[label(obj)] = json.loads(got.stdout)
            if obj["kind"] == "ConfigMap":
                check(live[label(obj)].get("data") == obj.get("data"),
                      f"{label(obj)}: data changed on the way into the cluster")
        print(f"ok   install: {len(objects)} objects, all present")
        passed += 1

        # 2. Re-apply on top of what the running injector writes.
        hook = next(o for o in objects if o["kind"] == "MutatingWebhookConfiguration")
        patch = [{"op": "add", "path": f"/webhooks/{i}/clientConfig/caBundle", "value": CA_BUNDLE}
                 for i in range(len(hook["webhooks"]))]
        done = cluster.run("patch", qualified_kind(hook), hook["metadata"]["name"], "--type", "json",
                           "-p", json.dumps(patch))
        check(done.returncode == 0, f"patching the caBundle failed: {done.stderr.strip()}")
        live[label(hook)] = json.loads(cluster.run(*get_argv(hook)).stdout)
        done = make(root, "deploy", cluster)
        print(done.stdout, end="")
        check(done.returncode == 0, f"make deploy (re-apply) exited {done.returncode}:\n{done.stderr}")
        check(" created" not in done.stdout, "the re-apply created objects a second time")
        for obj in objects:
            got = cluster.run(*get_argv(obj))
            check(got.returncode == 0, f"{label(obj)} vanished on re-apply: {got.stderr.strip()}")
            before, after = comparable(live[label(obj)]), comparable(json.loads(got.stdout))
            check(before == after, f"{label(obj)} changed on re-apply:\n  before {before}\n  after  {after}")
        bundles = [h["clientConfig"].get("caBundle") for h in json.loads(cluster.run(*get_argv(hook)).stdout)["webhooks"]]
        check(bundles == [CA_BUNDLE] * len(bundles), f"the re-apply reset the injector's caBundle: {bundles}")
        print("ok   re-apply: exit 0, nothing created or changed, caBundle kept")
        passed += 1

        # 3. Uninstall.
        done = make(root, "undeploy", cluster)
        print(done.stdout, end="")
        check(done.returncode == 0, f"make undeploy exited {done.returncode}:\n{done.stderr}")
        left = [label(o) for o in objects if cluster.run(*get_argv(o)).returncode == 0]
        check(not left, f"still present after make undeploy: {left}")
        print(f"ok   undeploy: all {len(objects)} objects gone")
        passed += 1

        # 4. The kustomize route installs the same objects.
        if gap:
            raise Skipped(gap)
        done = cluster.run("apply", "--validate=false", "-k", "manifests", cwd=root)
        print(done.stdout, end="")
        check(done.returncode == 0, f"kubectl apply -k manifests exited {done.returncode}:\n{done.stderr}")
        for obj in objects:
            got = cluster.run(*get_argv(obj))
            check(got.returncode == 0, f"{label(obj)} is missing after apply -k: {got.stderr.strip()}")
            if obj["kind"] == "ConfigMap":
                check(json.loads(got.stdout).get("data") == obj.get("data"), f"{label(obj)}: apply -k changed data")
        created = re.findall(r" created$", done.stdout, re.M)
        check(len(created) == len(objects), f"apply -k created {len(created)} objects, the files hold {len(objects)}")
        check(make(root, "undeploy", cluster).returncode == 0, "make undeploy after apply -k failed")
        left = [label(o) for o in objects if cluster.run(*get_argv(o)).returncode == 0]
        check(not left, f"still present after apply -k and make undeploy: {left}")
        print(f"ok   apply -k manifests: the same {len(objects)} objects; make undeploy removed them")
        passed += 1
    except Failure as e:
        print(f"FAIL {e}")
    except Skipped as e:
        print(f"kubectl_apply: {passed}/3 passed, apply -k not run")
        print(f"SKIPPED: {e}")
        return cm.SKIPPED
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"kubectl_apply: {passed}/4 passed")
    return 0 if passed == 4 else 1


if __name__ == "__main__":
    sys.exit(main())
