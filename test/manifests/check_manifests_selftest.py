#!/usr/bin/env python3
"""Proves check_manifests.py catches what it claims to: the real tree must pass, and each
of a list of plausible mistakes, applied to a scratch copy, must be reported with a
message naming the problem.

Usage: check_manifests_selftest.py --root REPO [--promtool P] [--kubectl K]
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_manifests as cm  # noqa: E402
import yaml  # noqa: E402

COPIED = ["manifests", "crds", os.path.join("cmd", "defaults"), os.path.join("test", "manifests", "testdata"),
          "Dockerfile", ".dockerignore"]


def copy_tree(root, dest):
    for sub in COPIED:
        src = os.path.join(root, sub)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, sub))  # creates missing parents
        else:
            shutil.copy(src, os.path.join(dest, sub))


def edit_yaml(rel, fn):
    """A mutation that rewrites every document of one YAML file through fn(docs)."""
    def apply(root):
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        fn(docs)
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump_all(docs, f, sort_keys=False)
    return apply


def edit_text(rel, fn):
    def apply(root):
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(fn(text))
    return apply


def edit_json(rel, fn):
    def apply(root):
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        fn(doc)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
    return apply


def remove(rel):
    return lambda root: os.unlink(os.path.join(root, rel))


def add_file(rel, text):
    def apply(root):
        with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
            f.write(text)
    return apply


def rename(rel, new_rel):
    return lambda root: os.rename(os.path.join(root, rel), os.path.join(root, new_rel))


def copy(rel, new_rel):
    return lambda root: shutil.copy(os.path.join(root, rel), os.path.join(root, new_rel))


def container(docs):
    return docs[0]["spec"]["template"]["spec"]["containers"][0]


def webhook(docs):
    return docs[0]["webhooks"][0]


def cluster_role(docs):
    return next(d for d in docs if d["kind"] == "ClusterRole")


def status_schema(docs):
    return docs[0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]


def panel(doc, title):
    return next(p for p in doc["panels"] if p.get("title") == title and p.get("type") != "row")


def set_item(getter, key, value):
    def fn(docs):
        getter(docs)[key] = value
    return fn


def del_item(getter, key):
    def fn(docs):
        del getter(docs)[key]
    return fn


D = "manifests/50-deployment.yaml"
W = "manifests/90-mutatingwebhookconfiguration.yaml"
RC = "manifests/21-rbac-cluster.yaml"
RN = "manifests/20-rbac-namespace.yaml"
CRD = "crds/sidecardriftreports.yaml"
G = "manifests/dashboards/sidecar-injector.json"
GC = "manifests/60-grafana-dashboard.yaml"
K = "manifests/Kustomization"
NS = "manifests/00-namespace.yaml"
SVC = "manifests/40-service.yaml"

# (name, mutation, substring the report must contain)
CASES = [
    ("default edited without the ConfigMap",
     edit_text("cmd/defaults/values.yaml", lambda t: t + "# tweak\n"), "data.values differs from cmd/defaults/values.yaml"),
    ("ConfigMap edited without the default",
     edit_yaml("manifests/31-configmap-istio.yaml", lambda d: d[0]["data"].update(mesh=d[0]["data"]["mesh"] + "# x\n")),
     "data.mesh differs"),
    ("ConfigMap with CRLF default", edit_text("cmd/defaults/mesh.yaml", lambda t: t.replace("\n", "\r\n", 1)),
     "data.mesh differs"),
    ("ConfigMap with an extra key",
     edit_yaml("manifests/31-configmap-istio.yaml", lambda d: d[0]["data"].update(extra="x")), "data keys are"),
    ("broken YAML names the line",
     edit_text(SVC, lambda t: t + "  bad: [unclosed\n"), "YAML does not parse at line"),
    ("object without a name", edit_yaml("manifests/10-serviceaccount.yaml", lambda d: d[0]["metadata"].pop("name")),
     "metadata.name is missing"),
    ("object without apiVersion", edit_yaml(SVC, lambda d: d[0].pop("apiVersion")),
     "apiVersion is missing"),
    ("namespaced object in another namespace",
     edit_yaml(SVC, lambda d: d[0]["metadata"].update(namespace="default")),
     "metadata.namespace must be sidecar-injector"),
    ("manifest not in the kustomization", add_file("manifests/70-extra.yaml",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: sidecar-injector\n"),
     "manifests/70-extra.yaml is not listed"),
    ("kustomization names a missing file", remove("manifests/51-poddisruptionbudget.yaml"),
     "resource 51-poddisruptionbudget.yaml does not exist"),
    ("kustomization without the CRDs",
     edit_yaml(K, lambda d: d[0]["resources"].remove("../crds")),
     "must include ../crds"),
    ("webhook registered before the workload",
     edit_yaml(K, lambda d: d[0]["resources"].insert(
         1, d[0]["resources"].pop(d[0]["resources"].index("90-mutatingwebhookconfiguration.yaml")))),
     "must be the last resource"),
    ("CRD property without a type",
     edit_yaml(CRD, lambda d: status_schema(d)["properties"]["namespace"].pop("type")),
     "status.namespace has no type"),
    ("CRD array without items",
     edit_yaml(CRD, lambda d: status_schema(d)["properties"]["workloads"].pop("items")), "has no items"),
    ("CRD without the status subresource",
     edit_yaml(CRD, lambda d: d[0]["spec"]["versions"][0].pop("subresources")), "status subresource"),
    ("CRD namespaced", edit_yaml(CRD, lambda d: d[0]["spec"].update(scope="Namespaced")), "scope must be Cluster"),
    ("CRD printer column on a missing field",
     edit_yaml(CRD, lambda d: status_schema(d)["properties"].pop("topReason")), "points at .status.topReason"),
    ("CRD restart strategy enum changed",
     edit_yaml(CRD, lambda d: status_schema(d)["properties"]["workloads"]["items"]["properties"]["restartStrategy"]
               .update(enum=["RolloutRestart"])), "restartStrategy enum"),
    ("report field the schema lacks (would be pruned)",
     edit_yaml(cm.EXAMPLES, lambda d: d[0]["status"].update(restartsPending=3)), ".status.restartsPending: unknown field"),
    ("report with an unknown restart strategy",
     edit_yaml(cm.EXAMPLES, lambda d: d[0]["status"]["workloads"][0].update(restartStrategy="Rollout")),
     ".status.workloads[0].restartStrategy: 'Rollout' is not one of"),
    ("report with a string count", edit_yaml(cm.EXAMPLES, lambda d: d[0]["status"].update(driftedPods="5")),
     ".status.driftedPods: '5' is not of type integer"),
    ("report with a bad timestamp",
     edit_yaml(cm.EXAMPLES, lambda d: d[1]["status"].update(lastUpdated="23/11/2026")), "not an RFC 3339 date-time"),
    ("report the printer columns cannot show",
     edit_yaml(cm.EXAMPLES, lambda d: d[0]["status"].pop("topReason")), "'Top Reason' (.status.topReason) would be empty"),
    ("wildcard verb", edit_yaml(RC, lambda d: cluster_role(d)["rules"][0].update(verbs=["*"])), "wildcard in verbs"),
    ("wildcard resource", edit_yaml(RC, lambda d: cluster_role(d)["rules"][0].update(resources=["*"])),
     "wildcard in resources"),
    ("extra grant", edit_yaml(RC, lambda d: cluster_role(d)["rules"].append(
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]})),
     "get core/secrets is not in the expected"),
    ("missing grant", edit_yaml(RC, lambda d: cluster_role(d)["rules"].pop(1)),
     "missing grant ClusterRole: list apps/replicasets"),
    ("restart verbs in the default install", edit_yaml(RC, lambda d: cluster_role(d)["rules"].append(
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]})), "delete core/pods is not in the expected"),
    ("auto-restart component grants more", edit_yaml("manifests/auto-restart/rbac.yaml", lambda d: d[0]["rules"].append(
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]})), "must grant exactly"),
    ("webhook patch not limited to our webhook",
     edit_yaml(RC, lambda d: [r.pop("resourceNames", None) for r in cluster_role(d)["rules"]]),
     "patch admissionregistration.k8s.io/mutatingwebhookconfigurations is not in the expected"),
    ("resourceNames on create", edit_yaml(RN, lambda d: d[0]["rules"][1].update(resourceNames=["x"])),
     "resourceNames cannot restrict ['create']"),
    ("binding to another account",
     edit_yaml(RC, lambda d: d[1]["subjects"][0].update(name="default")), "subjects must be exactly"),
    ("webhook with side effects", edit_yaml(W, set_item(webhook, "sideEffects", "Some")), "sideEffects must be None"),
    ("webhook failing open", edit_yaml(W, set_item(webhook, "failurePolicy", "Ignore")), "failurePolicy must be Fail"),
    ("webhook without v1beta1", edit_yaml(W, set_item(webhook, "admissionReviewVersions", ["v1"])),
     "admissionReviewVersions must include v1beta1"),
    ("webhook intercepting its own namespace",
     edit_yaml(W, lambda d: webhook(d)["namespaceSelector"].pop("matchExpressions")),
     "must exclude the injector namespace"),
    ("webhook with a caBundle that re-apply would reset",
     edit_yaml(W, lambda d: webhook(d)["clientConfig"].update(caBundle="Zm9v")), "caBundle must be left out"),
    ("webhook pointing at another Service",
     edit_yaml(W, lambda d: webhook(d)["clientConfig"]["service"].update(name="istio-sidecar-injector")),
     "must name the injector's Service"),
    ("webhook on another path",
     edit_yaml(W, lambda d: webhook(d)["clientConfig"]["service"].update(path="/mutate")), "path must be /inject"),
    ("deployment running as root", edit_yaml(D, lambda d: d[0]["spec"]["template"]["spec"]["securityContext"]
                                              .pop("runAsNonRoot")), "runAsNonRoot must be true"),
    ("writable root filesystem",
     edit_yaml(D, lambda d: container(d)["securityContext"].update(readOnlyRootFilesystem=False)),
     "readOnlyRootFilesystem must be true"),
    ("privilege escalation",
     edit_yaml(D, lambda d: container(d)["securityContext"].pop("allowPrivilegeEscalation")),
     "allowPrivilegeEscalation must be false"),
    ("capability added",
     edit_yaml(D, lambda d: container(d)["securityContext"]["capabilities"].update(add=["NET_ADMIN"])),
     "capabilities must drop ALL"),
    ("probe on the TLS port",
     edit_yaml(D, lambda d: container(d)["readinessProbe"]["httpGet"].update(port="https-webhook")),
     "readinessProbe must use plain HTTP"),
    ("no /tmp volume", edit_yaml(D, lambda d: container(d).pop("volumeMounts")), "/tmp must be an emptyDir"),
    ("no config state directory", edit_yaml(D, lambda d: container(d).update(
        args=[a for a in container(d)["args"] if not a.startswith("--stateDir=")])), "serve needs --stateDir"),
    ("config state directory not an emptyDir", edit_yaml(D, lambda d: container(d).update(
        args=[a.replace("--stateDir=/var/lib/sidecar-injector", "--stateDir=/var/lib/elsewhere")
              for a in container(d)["args"]])), "must be the mount path of an emptyDir"),
    ("POD_NAMESPACE not from the downward API", edit_yaml(D, lambda d: container(d).update(
        env=[{"name": "POD_NAMESPACE", "value": "sidecar-injector"}])), "POD_NAMESPACE must come from"),
    ("misspelled flag", edit_yaml(D, lambda d: container(d)["args"].append("--tlsCert=/x")),
     "--tlsCert is not a serve flag"),
    ("lease flag out of step with RBAC",
     edit_yaml(D, lambda d: container(d).update(args=[a.replace("sidecar-injector-leader", "other")
                                                      for a in container(d)["args"]])),
     "--leaseName must be sidecar-injector-leader"),
    ("self-signed certificate for another Service",
     edit_yaml(D, lambda d: container(d).update(args=[a.replace("--serviceName=sidecar-injector", "--serviceName=x")
                                                      for a in container(d)["args"]])),
     "--serviceName (self-signed certificate SANs) must match"),
    ("one replica", edit_yaml(D, lambda d: d[0]["spec"].update(replicas=1)), "replicas must be 2"),
    ("scrape annotation on the wrong port",
     edit_yaml(D, lambda d: d[0]["spec"]["template"]["metadata"]["annotations"].update({"prometheus.io/port": "9443"})),
     "prometheus.io/scrape=true"),
    ("service not selecting the pods",
     edit_yaml(SVC, lambda d: d[0]["spec"].update(selector={"app": "other"})),
     "does not select the Deployment's pods"),
    ("PDB allowing every pod down",
     edit_yaml("manifests/51-poddisruptionbudget.yaml", lambda d: d[0]["spec"].update(minAvailable=0)),
     "minAvailable must be 1"),
    ("dashboard not JSON", edit_text(G, lambda t: t[:-3]), "does not parse as JSON"),
    ("dashboard querying an unknown metric",
     edit_json(G, lambda d: panel(d, "Skips by reason")["targets"][0].update(expr="sum(rate(sidecar_skips_total[5m]))")),
     "unknown metric ['sidecar_skips_total']"),
    ("dashboard without the p99",
     edit_json(G, lambda d: panel(d, "Injection latency")["targets"].pop() and panel(d, "p99 latency")["targets"][0]
               .update(expr="sum(rate(sidecar_injection_time_seconds_bucket[5m]))")),
     "latency quantile 0.99"),
    ("dashboard without a drift panel",
     edit_json(G, lambda d: d["panels"].remove(panel(d, "Drifted pods by namespace and reason"))),
     "no panel shows sidecar_drift_pods"),
    ("dashboard with a fixed datasource",
     edit_json(G, lambda d: panel(d, "Config reloads").update(datasource={"type": "prometheus", "uid": "abc"})),
     "datasource must be the dashboard's Prometheus variable"),
    ("dashboard panels overlapping",
     edit_json(G, lambda d: panel(d, "Success rate")["gridPos"].update(x=0)), "overlap"),
    ("rule of the wrong shape", edit_yaml(RC, lambda d: cluster_role(d)["rules"].append("get pods")),
     "check_rbac: a manifest has an unexpected shape"),
    ("webhook of the wrong shape", edit_yaml(W, lambda d: d[0].update(webhooks=[["x"]])),
     "check_webhook: a manifest has an unexpected shape"),
    ("dashboard panel of the wrong shape", edit_json(G, lambda d: d["panels"].append(7)),
     "check_dashboard: a manifest has an unexpected shape"),
    ("image running as root", edit_text("Dockerfile", lambda t: t.replace("USER 65532:65532", "USER root")),
     "must end as USER 65532"),
    ("runtime library dropped from the image", edit_text("Dockerfile", lambda t: t.replace(" libsimdjson14", "")),
     "runtime stage must install ['libsimdjson14']"),
    ("build trees sent to the docker daemon", edit_text(".dockerignore", lambda t: t.replace("build-*\n", "")),
     "must exclude build-*"),
    ("cert-manager args drifting from the base",
     edit_yaml(D, lambda d: container(d).update(args=container(d)["args"] + ["--threads=4"])),
     "args must equal the base args with --self-signed replaced"),
    ("cert-manager Secret not mounted",
     edit_yaml("manifests/cert-manager/certificate.yaml", lambda d: d[1]["spec"].update(secretName="other")),
     "Secret other must be mounted"),
    ("cert-manager certificate for another name",
     edit_yaml("manifests/cert-manager/certificate.yaml", lambda d: d[1]["spec"].update(dnsNames=["x.svc"])),
     "dnsNames must include sidecar-injector.sidecar-injector.svc"),
    ("cainjector pointed at another Certificate",
     edit_yaml("manifests/cert-manager/webhook-patch.yaml",
               lambda d: d[0]["metadata"]["annotations"].update({"cert-manager.io/inject-ca-from": "x/y"})),
     "inject-ca-from must be sidecar-injector/sidecar-injector"),
    ("dashboard too old", edit_json(G, lambda d: d.update(schemaVersion=16)), "schemaVersion must be"),
    # The layout `kubectl apply -f crds/ -f manifests/` depends on.
    ("kustomization.yaml where kubectl apply -f reads it",
     add_file("manifests/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
              "resources: [00-namespace.yaml]\n"),
     "manifests/kustomization.yaml: `kubectl apply -f manifests/` would send this file to the API server, "
     "but it is not a Kubernetes object (a kustomize file"),
    ("raw dashboard JSON where kubectl apply -f reads it", copy(G, "manifests/grafana-dashboard.json"),
     "no apiVersion/kind: move it to a sub-directory"),
    ("Namespace sorted after the objects in it", rename(NS, "manifests/namespace.yaml"),
     "is applied before its Namespace (manifests/namespace.yaml)"),
    ("webhook registered before the Service exists", rename(W, "manifests/05-mutatingwebhookconfiguration.yaml"),
     "must be the last object `kubectl apply -f` creates"),
    ("no Kustomization for apply -k", remove(K), "missing (`kubectl apply -k manifests` needs it)"),
    ("CRD Kustomization missing", remove("crds/Kustomization"), "crds/Kustomization: missing"),
    ("dashboard ConfigMap out of step with the JSON", edit_json(G, lambda d: d.update(title="Edited")),
     "data.sidecar-injector.json differs from manifests/dashboards/sidecar-injector.json"),
    ("dashboard ConfigMap without the sidecar label",
     edit_yaml(GC, lambda d: d[0]["metadata"]["labels"].pop("grafana_dashboard")), "label grafana_dashboard"),
    ("dashboard ConfigMap left out of apply -k",
     edit_yaml(K, lambda d: d[0]["resources"].remove("60-grafana-dashboard.yaml")),
     "manifests/60-grafana-dashboard.yaml is not listed in resources"),
]


def snapshot(root):
    files = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            with open(os.path.join(dirpath, n), "rb") as f:
                files[os.path.relpath(os.path.join(dirpath, n), root)] = f.read()
    return files


def run_case(root, name, mutate, want, promtool=None, kubectl=None):
    with tempfile.TemporaryDirectory() as scratch:
        copy_tree(root, scratch)
        before = snapshot(scratch)
        mutate(scratch)
        if snapshot(scratch) == before:
            return f"{name}: the mutation changed nothing (has the file it edits changed?)"
        errors = cm.run(scratch, promtool, kubectl)
    if not any(want in e for e in errors):
        shown = "\n    ".join(errors) or "(no errors)"
        return f"{name}: expected an error containing {want!r}, got:\n    {shown}"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--promtool")
    parser.add_argument("--kubectl")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    failures = []
    baseline = cm.run(root, args.promtool)
    if baseline:
        failures.append("the real tree must pass:\n    " + "\n    ".join(baseline))
    for name, mutate, want in CASES:
        problem = run_case(root, name, mutate, want)
        if problem:
            failures.append(problem)
    if args.promtool:
        problem = run_case(root, "dashboard with invalid PromQL",
                           edit_json(G, lambda d: panel(d, "Failures by reason")["targets"][0].update(
                               expr="sum by (reason (rate(sidecar_injection_failure_total[5m]))")),
                           "promtool rejects an expression", args.promtool)
        if problem:
            failures.append(problem)
    gap = cm.kustomize_gap(args.kubectl) if args.kubectl else None
    if gap:
        print(f"kustomize cases not run: {gap} (manifests.kustomize_build reports it SKIPPED)")
    if args.kubectl and not gap:
        problem = run_case(root, "cert-manager component kustomize cannot build",
                           edit_yaml("manifests/cert-manager/kustomization.yaml",
                                     lambda d: d[0]["patches"].append({"path": "nope.yaml"})),
                           "kubectl kustomize of the cert-manager component failed", kubectl=args.kubectl)
        if problem:
            failures.append(problem)
        problem = run_case(root, "kustomization kustomize cannot build",
                           edit_yaml(K, lambda d: d[0].update(patches=[{"path": "nope.yaml"}])),
                           "kubectl kustomize failed", kubectl=args.kubectl)
        if problem:
            failures.append(problem)
    total = len(CASES) + 1 + bool(args.promtool) + 2 * bool(args.kubectl and not gap)
    for f in failures:
        print(f"FAIL {f}")
    print(f"check_manifests_selftest: {total - len(failures)}/{total} passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
