#!/usr/bin/env python3
"""Static checks of the install artefacts: crds/, manifests/, the Grafana dashboard, Dockerfile.

No cluster is needed (`kubectl apply --dry-run` would need one for discovery). Each rule
below exists because breaking it installs something that looks fine and then fails at run
time: a ConfigMap that no longer matches the built-in defaults, a webhook that blocks its
own pods, RBAC broader (or narrower) than the code needs, a dashboard querying a metric the
binary does not export.

The install is `kubectl apply -f crds/ -f manifests/` (files in lexical order, sub-directories
not read) or `kubectl apply -k manifests`; both must work, so every file the first reads is
a Kubernetes object and the NN- prefixes put the Namespace first and the webhook last.

Usage:
  check_manifests.py --root REPO                 run every check, exit 1 on any error
  check_manifests.py --root REPO --promtool P    also parse every dashboard expression with P
  check_manifests.py --root REPO --kubectl K     also render manifests/ with `K kustomize`
  check_manifests.py --root REPO --write-configmaps
                                                 regenerate the generated ConfigMaps: the two
                                                 from cmd/defaults, the dashboard's from its JSON
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("check_manifests: PyYAML is missing; run scripts/install-deps.sh (python3-yaml)")

INJECTOR_NAMESPACE = "sidecar-injector"
SERVICE_ACCOUNT = "sidecar-injector"
WEBHOOK_CONFIG_NAME = "sidecar-injector"
WEBHOOK_NAME = "sidecar-injector.sidecar.injector.dev"
LEASE_NAME = "sidecar-injector-leader"
CRD_GROUP = "sidecar.injector.dev"
MONITORING_PORT = 15014
WEBHOOK_PORT = 9443

# ConfigMap name -> {data key -> file under cmd/defaults}. The manifests must carry these
# files byte for byte: kube-inject (built-in defaults) and serve (ConfigMaps) must agree.
CONFIGMAP_SOURCES = {
    "istio-sidecar-injector": {"config": "inject-config.yaml", "values": "values.yaml"},
    "istio": {"mesh": "mesh.yaml"},
}
CONFIGMAP_FILES = {
    "istio-sidecar-injector": "30-configmap-istio-sidecar-injector.yaml",
    "istio": "31-configmap-istio.yaml",
}
# The Grafana dashboard: the JSON for manual import, and the same bytes in a ConfigMap that
# Grafana's dashboard sidecar (grafana/helm-charts, kube-prometheus-stack) loads by label.
DASHBOARD_JSON = "manifests/dashboards/sidecar-injector.json"
DASHBOARD_CONFIGMAP = "sidecar-injector-dashboard"
DASHBOARD_CONFIGMAP_FILE = "60-grafana-dashboard.yaml"
DASHBOARD_KEY = "sidecar-injector.json"
DASHBOARD_LABEL = ("grafana_dashboard", "1")
CONFIGMAP_HEADERS = {
    "istio-sidecar-injector": "The injection policy and template (config) and the values it reads (values).",
    "istio": "The mesh configuration (mesh); only defaultConfig matters to injection.",
}

# The complete grant, as (role kind, apiGroup, resource, verb, resourceName or None). The
# manifests must grant exactly this: a missing row breaks a feature at run time, an extra
# row is privilege the code does not use. Change it together with the code.
EXPECTED_GRANTS = set()


def _grant(kind, group, resources, verbs, names=None):
    for resource in resources:
        for verb in verbs:
            for name in names or [None]:
                EXPECTED_GRANTS.add((kind, group, resource, verb, name))


_grant("Role", "", ["configmaps"], ["get", "list", "watch"])
_grant("Role", "coordination.k8s.io", ["leases"], ["create"])
_grant("Role", "coordination.k8s.io", ["leases"], ["get", "update"], [LEASE_NAME])
_grant("Role", "", ["secrets"], ["create"])
_grant("Role", "", ["secrets"], ["get"], ["sidecar-injector-ca"])
_grant("Role", "", ["events"], ["create", "patch"])
_grant("ClusterRole", "", ["namespaces", "pods"], ["list", "watch"])
_grant("ClusterRole", "apps", ["replicasets", "deployments", "statefulsets", "daemonsets"], ["list", "watch"])
_grant("ClusterRole", "batch", ["jobs", "cronjobs"], ["list", "watch"])
_grant("ClusterRole", "", ["events"], ["create", "patch"])
_grant("ClusterRole", "policy", ["poddisruptionbudgets"], ["list", "watch"])
_grant("ClusterRole", "admissionregistration.k8s.io", ["mutatingwebhookconfigurations"], ["get", "list", "watch"])
_grant("ClusterRole", "admissionregistration.k8s.io", ["mutatingwebhookconfigurations"], ["patch"],
       [WEBHOOK_CONFIG_NAME])
_grant("ClusterRole", CRD_GROUP, ["sidecardriftreports"],
       ["get", "list", "watch", "create", "update", "patch", "delete"])
_grant("ClusterRole", CRD_GROUP, ["sidecardriftreports/status"], ["update", "patch"])

# What the opt-in component manifests/auto-restart/ adds, and nothing else: the default
# install never deletes a pod nor patches a workload.
AUTO_RESTART = "manifests/auto-restart"
AUTO_RESTART_GRANTS = {("ClusterRole", "", "pods", "delete", None)} | {
    ("ClusterRole", "apps", r, "patch", None) for r in ("deployments", "statefulsets", "daemonsets")}

# Verbs resourceNames does not usefully restrict: create and deletecollection are
# authorized before any name is known (the rule grants nothing), and list/watch match only
# requests carrying a metadata.name field selector. A rule mixing them misleads the reader.
VERBS_WITHOUT_NAMES = {"create", "list", "watch", "deletecollection"}

# Flags `sidecar-injector serve` takes (see the task brief / cmd/serve_command.cc).
SERVE_FLAGS = {
    "port", "tlsCertFile", "tlsKeyFile", "self-signed", "webhookConfigName", "serviceName",
    "injectorNamespace", "injectorConfigMap", "meshConfigMap", "monitoringPort",
    "healthCheckFile", "healthCheckInterval", "log_output_level", "leaseName", "threads",
    "stateDir", "fallbackToBuiltinConfig", "autoRestart",
}

# Metrics the binary exports; the dashboard may query only these. The first group is what
# the dashboard must show; success is the one extra series it may use.
DASHBOARD_REQUIRED_METRICS = [
    "sidecar_injection_requests_total",
    "sidecar_injection_skip_total",
    "sidecar_injection_failure_total",
    "sidecar_injection_time_seconds_bucket",
    "sidecar_injector_config_reloads_total",
    "sidecar_injector_config_reload_failures_total",
    "sidecar_injector_config_generation",
    "sidecar_drift_pods",
    "sidecar_drift_workloads_needing_restart",
]
DASHBOARD_KNOWN_METRICS = set(DASHBOARD_REQUIRED_METRICS) | {
    "sidecar_injection_success_total",
    "sidecar_injection_time_seconds_count",
    "sidecar_injection_time_seconds_sum",
}

DRIFT_REASONS = ["MissingSidecar", "UnexpectedSidecar", "StaleTemplate", "StaleProxyImage", "InjectionWouldFail"]
RESTART_STRATEGIES = ["RolloutRestart", "DeletePodsOneByOne", "Recreate", "ManualReinject", "None"]
PRINTER_COLUMNS = ["Namespace", "Drifted", "Total", "Workloads", "Top Reason", "Age"]

CLUSTER_SCOPED_KINDS = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
}


class Report:
    """Collects errors as 'where: what' lines so one run lists every problem."""

    def __init__(self):
        self.errors = []

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")


def get(obj, *path, default=None):
    for key in path:
        if isinstance(obj, dict) and key in obj:
            obj = obj[key]
        elif isinstance(obj, list) and isinstance(key, int) and -len(obj) <= key < len(obj):
            obj = obj[key]
        else:
            return default
    return obj


def describe(obj):
    return f"{get(obj, 'kind', default='?')}/{get(obj, 'metadata', 'name', default='?')}"


# --- loading ----------------------------------------------------------------------------

def load_yaml_file(path, report, rel):
    """Every document of a YAML file as (index, object); a parse error names the line."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        report.error(rel, f"cannot read: {e}")
        return []
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark is not None else "unknown line"
        report.error(rel, f"YAML does not parse at {line}: {getattr(e, 'problem', e)}")
        return []
    out = []
    for i, doc in enumerate(docs):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            report.error(f"{rel}#{i + 1}", "document is not a mapping")
            continue
        out.append((i, doc))
    return out


def load_json_file(path, report, rel):
    """A .json manifest as one document, like load_yaml_file."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        report.error(rel, f"does not parse as JSON: {e}")
        return []
    if not isinstance(doc, dict):
        report.error(rel, "document is not an object")
        return []
    return [(0, doc)]


def yaml_files(directory):
    if not os.path.isdir(directory):
        return []
    return sorted(n for n in os.listdir(directory) if n.endswith((".yaml", ".yml")))


# What `kubectl apply -f DIR` reads: files with these endings, in byte order of their names,
# without descending into sub-directories.
APPLIED_ENDINGS = (".yaml", ".yml", ".json")
# kustomize accepts this name too; kubectl apply -f skips it (no recognised ending).
KUSTOMIZATION_FILE = "Kustomization"
INSTALL_DIRS = ("crds", "manifests")  # in the order the install command names them


def applied_files(directory):
    if not os.path.isdir(directory):
        return []
    return sorted((n for n in os.listdir(directory)
                   if n.endswith(APPLIED_ENDINGS) and os.path.isfile(os.path.join(directory, n))),
                  key=lambda n: n.encode())


def is_kustomize_config(doc):
    return str(doc.get("apiVersion", "")).startswith("kustomize.config.k8s.io/") \
        or doc.get("kind") in ("Kustomization", "Component")


class Tree:
    """The parsed manifests of a repository checkout, in `kubectl apply -f crds/ -f manifests/`
    order."""

    def __init__(self, root, report):
        self.root = root
        self.report = report
        self.objects = []  # (relative file, object), in apply order
        self.kustomizations = {}  # relative dir -> object
        for sub in INSTALL_DIRS:
            for name in applied_files(os.path.join(root, sub)):
                rel = f"{sub}/{name}"
                if name.endswith(".json"):
                    docs = load_json_file(os.path.join(root, rel), report, rel)
                else:
                    docs = load_yaml_file(os.path.join(root, rel), report, rel)
                for _, doc in docs:
                    if is_kustomize_config(doc):
                        why = f"a kustomize file: name it {KUSTOMIZATION_FILE}"
                    elif not (doc.get("kind") or doc.get("apiVersion")):
                        why = "no apiVersion/kind: move it to a sub-directory"
                    else:
                        # One of the two missing is an incomplete object: check_objects names it.
                        self.objects.append((rel, doc))
                        continue
                    report.error(rel, f"`kubectl apply -f {sub}/` would send this file to the API server, "
                                 f"but it is not a Kubernetes object ({why})")
            path = os.path.join(root, sub, KUSTOMIZATION_FILE)
            if os.path.isfile(path):
                for _, doc in load_yaml_file(path, report, f"{sub}/{KUSTOMIZATION_FILE}"):
                    self.kustomizations[sub] = doc

    def of_kind(self, kind):
        return [(rel, o) for rel, o in self.objects if o.get("kind") == kind]

    def one(self, kind, name=None):
        found = [(rel, o) for rel, o in self.of_kind(kind)
                 if name is None or get(o, "metadata", "name") == name]
        if len(found) != 1:
            wanted = f"{kind}/{name}" if name else kind
            self.report.error("manifests", f"expected exactly one {wanted}, found {len(found)}")
            return None, None
        return found[0]


# --- generic object rules ---------------------------------------------------------------

def check_objects(tree):
    r = tree.report
    seen = {}
    for rel, o in tree.objects:
        where = f"{rel}: {describe(o)}"
        for field in ("apiVersion", "kind"):
            if not isinstance(o.get(field), str) or not o.get(field):
                r.error(where, f"{field} is missing")
        name = get(o, "metadata", "name")
        if not isinstance(name, str) or not name:
            r.error(where, "metadata.name is missing")
            continue
        key = (o.get("kind"), get(o, "metadata", "namespace"), name)
        if key in seen:
            r.error(where, f"duplicate object (also in {seen[key]})")
        seen[key] = rel
        ns = get(o, "metadata", "namespace")
        if o.get("kind") in CLUSTER_SCOPED_KINDS:
            if ns is not None:
                r.error(where, f"cluster-scoped object must not set metadata.namespace ({ns})")
        elif ns != INJECTOR_NAMESPACE:
            # Explicit namespaces: the webhook's exclusion and the bindings name this namespace
            # literally, so objects must not land wherever the current kubectl context points.
            r.error(where, f"metadata.namespace must be {INJECTOR_NAMESPACE}, got {ns!r}")


def check_kustomization(tree):
    r = tree.report
    root = tree.root
    for sub in ("manifests", "crds"):
        k = tree.kustomizations.get(sub)
        where = f"{sub}/{KUSTOMIZATION_FILE}"
        if k is None:
            r.error(where, "missing (`kubectl apply -k manifests` needs it)")
            continue
        if k.get("apiVersion") != "kustomize.config.k8s.io/v1beta1":
            r.error(where, "apiVersion must be kustomize.config.k8s.io/v1beta1")
        resources = k.get("resources")
        if not isinstance(resources, list) or not resources:
            r.error(where, "resources is empty")
            continue
        if len(set(map(str, resources))) != len(resources):
            r.error(where, "resources lists an entry twice")
        for entry in resources:
            path = os.path.normpath(os.path.join(root, sub, str(entry)))
            if os.path.isdir(path):
                if not any(os.path.isfile(os.path.join(path, n))
                           for n in ("kustomization.yaml", "kustomization.yml", KUSTOMIZATION_FILE)):
                    r.error(where, f"resource directory {entry} has no kustomization file")
            elif not os.path.isfile(path):
                r.error(where, f"resource {entry} does not exist")
            elif os.path.dirname(path) != os.path.join(os.path.normpath(root), sub):
                # kustomize refuses files outside the kustomization root by default.
                r.error(where, f"resource {entry} is outside {sub}/; reference its directory instead")
        for name in applied_files(os.path.join(root, sub)):
            if name not in resources:
                r.error(where, f"{sub}/{name} is not listed in resources (`kubectl apply -k` would "
                        "install less than `kubectl apply -f`)")
        if sub == "manifests":
            if "../crds" not in resources:
                r.error(where, "resources must include ../crds so one apply installs the CRD")
            check_kustomization_order(tree, resources, where)


def check_apply_order(tree):
    """`kubectl apply -f crds/ -f manifests/` creates objects in file-name order and stops at
    nothing: an object in a namespace that does not exist yet fails with NotFound. So the
    Namespace must come before every namespaced object, and the webhook registration last
    (the API server must not be pointed at a Service before it exists)."""
    r = tree.report
    namespace_at = next((i for i, (_, o) in enumerate(tree.objects)
                         if o.get("kind") == "Namespace" and get(o, "metadata", "name") == INJECTOR_NAMESPACE), None)
    if namespace_at is None:
        return  # check_namespace reports the missing Namespace
    namespace_file = tree.objects[namespace_at][0]
    for rel, o in tree.objects[:namespace_at]:
        if o.get("kind") not in CLUSTER_SCOPED_KINDS:
            r.error(rel, f"{describe(o)} is applied before its Namespace ({namespace_file}): "
                    f"`kubectl apply -f` fails with namespace not found; give the file a higher NN- prefix")
    hooks = [i for i, (_, o) in enumerate(tree.objects) if o.get("kind") == "MutatingWebhookConfiguration"]
    if hooks and hooks[-1] != len(tree.objects) - 1:
        r.error(tree.objects[hooks[-1]][0], "the MutatingWebhookConfiguration must be the last object "
                f"`kubectl apply -f` creates, but {tree.objects[-1][0]} sorts after it")


def check_kustomization_order(tree, resources, where):
    """CRDs and the Namespace first, the webhook registration last."""
    files = [str(e) for e in resources]
    kinds_by_file = {}
    for rel, o in tree.objects:
        if rel.startswith("manifests/"):
            kinds_by_file.setdefault(rel[len("manifests/"):], set()).add(o.get("kind"))
    order = []
    for f in files:
        if f == "../crds":
            order.append({"CustomResourceDefinition"})
        else:
            order.append(kinds_by_file.get(f, set()))
    def first(kind):
        return next((i for i, ks in enumerate(order) if kind in ks), None)
    ns, crd, webhook = first("Namespace"), first("CustomResourceDefinition"), first("MutatingWebhookConfiguration")
    if ns is None or crd is None or webhook is None:
        return
    others = [i for i, ks in enumerate(order) if ks - {"Namespace", "CustomResourceDefinition"}]
    if others and max(ns, crd) > min(others):
        tree.report.error(where, "the CRDs and the Namespace must come before every other resource")
    if webhook != len(order) - 1:
        tree.report.error(where, "the MutatingWebhookConfiguration must be the last resource "
                          "(registered only once the Service and Deployment exist)")


# --- ConfigMaps = cmd/defaults ----------------------------------------------------------

def read_default(root, name):
    # newline="" keeps the bytes as they are: a CRLF edit must show up as a difference.
    with open(os.path.join(root, "cmd", "defaults", name), encoding="utf-8", newline="") as f:
        return f.read()


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def check_configmaps(tree):
    r = tree.report
    for cm_name, keys in CONFIGMAP_SOURCES.items():
        rel, cm = tree.one("ConfigMap", cm_name)
        if cm is None:
            continue
        where = f"{rel}: ConfigMap/{cm_name}"
        data = cm.get("data") or {}
        if set(data) != set(keys):
            r.error(where, f"data keys are {sorted(data)}, want {sorted(keys)}")
        for key, source in keys.items():
            try:
                want = read_default(tree.root, source)
            except OSError as e:
                r.error(where, f"cannot read cmd/defaults/{source}: {e}")
                continue
            got = data.get(key)
            if got != want:
                at = first_difference(got or "", want)
                line = want[:at].count("\n") + 1
                r.error(where, f"data.{key} differs from cmd/defaults/{source} (first difference at "
                        f"line {line}); run: python3 test/manifests/check_manifests.py --write-configmaps")


def block_scalar(text, indent):
    """`text` as a YAML scalar that loads back byte for byte."""
    pad = " " * indent
    lines = text.split("\n")
    plain = all(line == line.rstrip(" \t") and "\t" not in line and "\r" not in line for line in lines)
    if not plain or not text.strip():
        return json.dumps(text)  # JSON strings are valid YAML double-quoted scalars
    trailing = len(text) - len(text.rstrip("\n"))
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    body = text.rstrip("\n")
    head = "|" + (str(indent) if body.startswith(" ") else "") + chomp
    out = [head]
    for line in body.split("\n") + [""] * (trailing - 1 if trailing > 1 else 0):
        out.append(pad + line if line else "")
    return "\n".join(out)


def render_configmap(root, cm_name):
    lines = [
        f"# {CONFIGMAP_HEADERS[cm_name]}",
        "# Generated from cmd/defaults/ by `python3 test/manifests/check_manifests.py --write-configmaps`:",
        "# edit cmd/defaults/ and regenerate; the manifests test fails while the two differ.",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        f"  name: {cm_name}",
        f"  namespace: {INJECTOR_NAMESPACE}",
        "  labels:",
        "    app.kubernetes.io/name: sidecar-injector",
        "    app.kubernetes.io/part-of: sidecar-injector",
        "data:",
    ]
    for key, source in CONFIGMAP_SOURCES[cm_name].items():
        lines.append(f"  {key}: {block_scalar(read_default(root, source), 4)}")
    return "\n".join(lines) + "\n"


def read_dashboard(root):
    with open(os.path.join(root, DASHBOARD_JSON), encoding="utf-8", newline="") as f:
        return f.read()


def render_dashboard_configmap(root):
    key, value = DASHBOARD_LABEL
    lines = [
        "# The Grafana dashboard, for Grafana's dashboard sidecar: it loads every ConfigMap labelled",
        f"# {key}: \"{value}\" (in its own namespace, or all of them with searchNamespace=ALL).",
        f"# Generated from {DASHBOARD_JSON} (the file to import by hand) by",
        "# `python3 test/manifests/check_manifests.py --write-configmaps`; the manifests test fails",
        "# while the two differ.",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        f"  name: {DASHBOARD_CONFIGMAP}",
        f"  namespace: {INJECTOR_NAMESPACE}",
        "  labels:",
        "    app.kubernetes.io/name: sidecar-injector",
        "    app.kubernetes.io/part-of: sidecar-injector",
        f"    {key}: \"{value}\"",
        "data:",
        f"  {DASHBOARD_KEY}: {block_scalar(read_dashboard(root), 4)}",
    ]
    return "\n".join(lines) + "\n"


def write_configmaps(root):
    outputs = [(file_name, render_configmap(root, cm_name)) for cm_name, file_name in CONFIGMAP_FILES.items()]
    outputs.append((DASHBOARD_CONFIGMAP_FILE, render_dashboard_configmap(root)))
    for file_name, text in outputs:
        path = os.path.join(root, "manifests", file_name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(path, root)}")


def check_dashboard_configmap(tree):
    r = tree.report
    rel, cm = tree.one("ConfigMap", DASHBOARD_CONFIGMAP)
    if cm is None:
        return
    where = f"{rel}: ConfigMap/{DASHBOARD_CONFIGMAP}"
    key, value = DASHBOARD_LABEL
    if get(cm, "metadata", "labels", key) != value:
        r.error(where, f"label {key}: \"{value}\" is missing (Grafana's sidecar finds dashboards by it)")
    data = cm.get("data") or {}
    if list(data) != [DASHBOARD_KEY]:
        r.error(where, f"data keys are {sorted(data)}, want [{DASHBOARD_KEY!r}]")
    try:
        want = read_dashboard(tree.root)
    except OSError as e:
        r.error(where, f"cannot read {DASHBOARD_JSON}: {e}")
        return
    got = data.get(DASHBOARD_KEY)
    if got != want:
        at = first_difference(got or "", want)
        r.error(where, f"data.{DASHBOARD_KEY} differs from {DASHBOARD_JSON} (first difference at line "
                f"{want[:at].count(chr(10)) + 1}); run: python3 test/manifests/check_manifests.py --write-configmaps")


# --- CRD --------------------------------------------------------------------------------

def check_structural(schema, path, r, where):
    """Structural schema rules that bite in practice: a type everywhere, items for arrays,
    and not both properties and additionalProperties."""
    if not isinstance(schema, dict):
        r.error(where, f"schema at {path} is not a mapping")
        return
    if "type" not in schema and not schema.get("x-kubernetes-int-or-string") \
            and not schema.get("x-kubernetes-preserve-unknown-fields"):
        r.error(where, f"schema at {path} has no type (not structural)")
    kind = schema.get("type")
    props = schema.get("properties")
    if props is not None:
        if kind != "object":
            r.error(where, f"schema at {path} has properties but type {kind!r}")
        if "additionalProperties" in schema:
            r.error(where, f"schema at {path} has both properties and additionalProperties")
        for name, sub in props.items():
            check_structural(sub, f"{path}.{name}", r, where)
    if isinstance(schema.get("additionalProperties"), dict):
        check_structural(schema["additionalProperties"], f"{path}[*]", r, where)
    if kind == "array":
        if "items" not in schema:
            r.error(where, f"array at {path} has no items")
        else:
            check_structural(schema["items"], f"{path}[]", r, where)


def schema_at(schema, dotted):
    node = schema
    for part in dotted.strip(".").split("."):
        node = get(node, "properties", part)
        if node is None:
            return None
    return node


def check_crd(tree):
    r = tree.report
    rel, crd = tree.one("CustomResourceDefinition", f"sidecardriftreports.{CRD_GROUP}")
    if crd is None:
        return
    where = f"{rel}: {describe(crd)}"
    if crd.get("apiVersion") != "apiextensions.k8s.io/v1":
        r.error(where, "apiVersion must be apiextensions.k8s.io/v1")
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    if spec.get("group") != CRD_GROUP:
        r.error(where, f"spec.group must be {CRD_GROUP}")
    if spec.get("scope") != "Cluster":
        r.error(where, "spec.scope must be Cluster")
    if names.get("kind") != "SidecarDriftReport" or names.get("plural") != "sidecardriftreports":
        r.error(where, "spec.names must be kind SidecarDriftReport, plural sidecardriftreports")
    if "sdr" not in (names.get("shortNames") or []):
        r.error(where, "spec.names.shortNames must include sdr")
    versions = spec.get("versions") or []
    if [v.get("name") for v in versions] != ["v1alpha1"]:
        r.error(where, "spec.versions must be exactly [v1alpha1]")
    for v in versions:
        vwhere = f"{where} {v.get('name')}"
        if not (v.get("served") and v.get("storage")):
            r.error(vwhere, "must be served and the storage version")
        if get(v, "subresources", "status") is None:
            r.error(vwhere, "the status subresource must be enabled (subresources.status: {})")
        schema = get(v, "schema", "openAPIV3Schema")
        if not isinstance(schema, dict):
            r.error(vwhere, "schema.openAPIV3Schema is missing")
            continue
        check_structural(schema, "openAPIV3Schema", r, vwhere)
        if schema_at(schema, "spec") is not None:
            r.error(vwhere, "the report is spec-less: everything belongs in status")
        check_report_fields(schema, r, vwhere)
        check_printer_columns(v, schema, r, vwhere)


def check_report_fields(schema, r, where):
    want = {
        "status.namespace": "string", "status.configHash": "string",
        "status.driftedPods": "integer", "status.totalPods": "integer",
        "status.reasons": "object", "status.workloads": "array", "status.lastUpdated": "string",
    }
    for reason in DRIFT_REASONS:
        want[f"status.reasons.{reason}"] = "integer"
    for path, kind in want.items():
        node = schema_at(schema, path)
        if node is None:
            r.error(where, f"schema lacks {path}")
        elif node.get("type") != kind:
            r.error(where, f"{path} must have type {kind}, has {node.get('type')!r}")
    if get(schema_at(schema, "status.lastUpdated") or {}, "format") != "date-time":
        r.error(where, "status.lastUpdated must have format date-time")
    item = get(schema_at(schema, "status.workloads") or {}, "items") or {}
    item_fields = {
        "kind": "string", "name": "string", "namespace": "string", "driftedPods": "integer",
        "totalPods": "integer", "reasons": "array", "restartStrategy": "string", "command": "string",
        "pods": "array", "pdb": "object", "autoRestart": "boolean",
    }
    for field, kind in item_fields.items():
        node = get(item, "properties", field)
        if node is None or node.get("type") != kind:
            r.error(where, f"status.workloads[].{field} must exist with type {kind}")
    if get(item, "properties", "restartStrategy", "enum") != RESTART_STRATEGIES:
        r.error(where, f"status.workloads[].restartStrategy enum must be {RESTART_STRATEGIES}")
    if get(item, "properties", "reasons", "items", "enum") != DRIFT_REASONS:
        r.error(where, f"status.workloads[].reasons items enum must be {DRIFT_REASONS}")
    for field, kind in (("name", "string"), ("allowedDisruptions", "integer")):
        if get(item, "properties", "pdb", "properties", field, "type") != kind:
            r.error(where, f"status.workloads[].pdb.{field} must exist with type {kind}")


def check_printer_columns(version, schema, r, where):
    columns = version.get("additionalPrinterColumns") or []
    names = [c.get("name") for c in columns]
    for want in PRINTER_COLUMNS:
        if want not in names:
            r.error(where, f"printer column {want!r} is missing")
    for c in columns:
        path = str(c.get("jsonPath", ""))
        if path.startswith(".metadata."):
            continue
        node = schema_at(schema, path)
        if node is None:
            r.error(where, f"printer column {c.get('name')!r} points at {path}, which the schema lacks")
        elif c.get("type") == "integer" and node.get("type") != "integer":
            r.error(where, f"printer column {c.get('name')!r} is integer but {path} is {node.get('type')!r}")


DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def validate(value, schema, path, errors):
    """The subset of OpenAPI validation our CRD uses. Unknown fields are errors: the API
    server would prune them silently, so the controller would lose data without noticing."""
    kind = schema.get("type")
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, JSON_TYPES.get(kind, object))
    if not ok:
        errors.append(f"{path}: {value!r} is not of type {kind}")
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{path}: {value} is below the minimum {schema['minimum']}")
    if schema.get("format") == "date-time" and not DATE_TIME.match(value):
        errors.append(f"{path}: {value!r} is not an RFC 3339 date-time")
    if kind == "object" and path != ".metadata":
        for field in schema.get("required") or []:
            if field not in value:
                errors.append(f"{path}: required field {field} is missing")
        props = schema.get("properties")
        for key, sub in value.items():
            if props is not None and key in props:
                validate(sub, props[key], f"{path}.{key}", errors)
            elif isinstance(schema.get("additionalProperties"), dict):
                validate(sub, schema["additionalProperties"], f"{path}.{key}", errors)
            elif not schema.get("x-kubernetes-preserve-unknown-fields"):
                errors.append(f"{path}.{key}: unknown field (the API server would prune it)")
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], f"{path}[{i}]", errors)


EXAMPLES = "test/manifests/testdata/sidecardriftreports.yaml"


def check_report_examples(tree):
    """The reports the controller is expected to write must pass the CRD's schema and fill
    every printer column."""
    r = tree.report
    _, crd = tree.one("CustomResourceDefinition", f"sidecardriftreports.{CRD_GROUP}")
    version = get(crd, "spec", "versions", 0) or {}
    schema = get(version, "schema", "openAPIV3Schema")
    if not isinstance(schema, dict):
        return
    want_api = f"{get(crd, 'spec', 'group')}/{version.get('name')}"
    for i, doc in load_yaml_file(os.path.join(tree.root, EXAMPLES), r, EXAMPLES):
        where = f"{EXAMPLES}#{i + 1} {describe(doc)}"
        if doc.get("apiVersion") != want_api or doc.get("kind") != get(crd, "spec", "names", "kind"):
            r.error(where, f"must be a {want_api} SidecarDriftReport")
        errors = []
        validate(doc, schema, "", errors)
        for e in errors:
            r.error(where, f"schema: {e}")
        for column in version.get("additionalPrinterColumns") or []:
            path = str(column.get("jsonPath", ""))
            if not path.startswith(".metadata.") and get(doc, *path.strip(".").split(".")) is None:
                r.error(where, f"printer column {column.get('name')!r} ({path}) would be empty")


# --- RBAC -------------------------------------------------------------------------------

def check_rbac(tree):
    r = tree.report
    granted = set()
    for kind in ("Role", "ClusterRole"):
        for rel, role in tree.of_kind(kind):
            where = f"{rel}: {describe(role)}"
            for i, rule in enumerate(role.get("rules") or []):
                rw = f"{where} rules[{i}]"
                groups = rule.get("apiGroups") or []
                resources = rule.get("resources") or []
                verbs = rule.get("verbs") or []
                names = rule.get("resourceNames") or []
                if not groups or not resources or not verbs:
                    r.error(rw, "apiGroups, resources and verbs must all be non-empty")
                for field, values in (("apiGroups", groups), ("resources", resources), ("verbs", verbs)):
                    if any("*" in str(v) for v in values):
                        r.error(rw, f"wildcard in {field} ({values})")
                if rule.get("nonResourceURLs"):
                    r.error(rw, "nonResourceURLs are not needed")
                if names:
                    blind = sorted(VERBS_WITHOUT_NAMES.intersection(verbs))
                    if blind:
                        r.error(rw, f"resourceNames cannot restrict {blind}; split the rule")
                for g in groups:
                    for res in resources:
                        for verb in verbs:
                            for name in names or [None]:
                                granted.add((kind, g, res, verb, name))
    for missing in sorted(EXPECTED_GRANTS - granted, key=str):
        r.error("rbac", f"missing grant {format_grant(missing)}")
    for extra in sorted(granted - EXPECTED_GRANTS, key=str):
        r.error("rbac", f"grant {format_grant(extra)} is not in the expected least-privilege set")
    check_bindings(tree)


def format_grant(g):
    kind, group, resource, verb, name = g
    target = f"{resource}/{name}" if name else resource
    return f"{kind}: {verb} {group or 'core'}/{target}"


def check_bindings(tree):
    r = tree.report
    accounts = {(get(o, "metadata", "namespace"), get(o, "metadata", "name")) for _, o in tree.of_kind("ServiceAccount")}
    if (INJECTOR_NAMESPACE, SERVICE_ACCOUNT) not in accounts:
        r.error("manifests", f"ServiceAccount {INJECTOR_NAMESPACE}/{SERVICE_ACCOUNT} is missing")
    for binding_kind, role_kind in (("RoleBinding", "Role"), ("ClusterRoleBinding", "ClusterRole")):
        roles = {(get(o, "metadata", "namespace"), get(o, "metadata", "name")) for _, o in tree.of_kind(role_kind)}
        bindings = tree.of_kind(binding_kind)
        if len(roles) != len(bindings):
            r.error("rbac", f"{len(roles)} {role_kind}(s) but {len(bindings)} {binding_kind}(s)")
        for rel, b in bindings:
            where = f"{rel}: {describe(b)}"
            ref = b.get("roleRef") or {}
            ns = get(b, "metadata", "namespace")
            if ref.get("kind") != role_kind or (ns, ref.get("name")) not in roles:
                r.error(where, f"roleRef must name a {role_kind} defined here, got {ref}")
            subjects = b.get("subjects") or []
            want = [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": INJECTOR_NAMESPACE}]
            if subjects != want:
                r.error(where, f"subjects must be exactly {want}")


# --- workload, service, webhook ---------------------------------------------------------

def parse_args(args):
    """--name=value / --name value / bare toggles, as the binary's flag parser reads them."""
    flags, positional, i = {}, [], 0
    while i < len(args):
        a = str(args[i])
        if not a.startswith("-"):
            positional.append(a)
        else:
            body = a.lstrip("-")
            if "=" in body:
                name, value = body.split("=", 1)
            else:
                name, value = body, "true"
            flags[name] = value
        i += 1
    return positional, flags


def container_port(container, ref):
    for p in container.get("ports") or []:
        if ref in (p.get("name"), p.get("containerPort")):
            return p.get("containerPort")
    return None


def check_deployment(tree):
    r = tree.report
    rel, d = tree.one("Deployment", "sidecar-injector")
    if d is None:
        return {}, {}, {}
    where = f"{rel}: {describe(d)}"
    spec = d.get("spec") or {}
    pod = get(spec, "template", "spec") or {}
    pod_labels = get(spec, "template", "metadata", "labels") or {}
    if spec.get("replicas") != 2:
        r.error(where, "spec.replicas must be 2 (the webhook fails closed)")
    selector = get(spec, "selector", "matchLabels") or {}
    if not selector or any(pod_labels.get(k) != v for k, v in selector.items()):
        r.error(where, "spec.selector.matchLabels must select the pod template's labels")
    if pod.get("serviceAccountName") != SERVICE_ACCOUNT:
        r.error(where, f"serviceAccountName must be {SERVICE_ACCOUNT}")
    psc = pod.get("securityContext") or {}
    if psc.get("runAsNonRoot") is not True:
        r.error(where, "pod securityContext.runAsNonRoot must be true")
    if psc.get("runAsUser") != 65532:
        r.error(where, "pod securityContext.runAsUser must be 65532")
    if get(psc, "seccompProfile", "type") != "RuntimeDefault":
        r.error(where, "pod securityContext.seccompProfile.type must be RuntimeDefault")
    terms = get(pod, "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution") or []
    if not any(get(t, "podAffinityTerm", "topologyKey") == "kubernetes.io/hostname" for t in terms):
        r.error(where, "preferred podAntiAffinity on kubernetes.io/hostname is missing")
    annotations = get(spec, "template", "metadata", "annotations") or {}
    if annotations.get("prometheus.io/scrape") != "true" or annotations.get("prometheus.io/path") != "/metrics" \
            or annotations.get("prometheus.io/port") != str(MONITORING_PORT):
        r.error(where, f"pod annotations prometheus.io/scrape=true, port={MONITORING_PORT}, path=/metrics required")
    containers = pod.get("containers") or []
    if len(containers) != 1:
        r.error(where, "expected exactly one container")
        return pod_labels, {}, {}
    c = containers[0]
    cwhere = f"{where} container {c.get('name')}"
    csc = c.get("securityContext") or {}
    if csc.get("readOnlyRootFilesystem") is not True:
        r.error(cwhere, "securityContext.readOnlyRootFilesystem must be true")
    if csc.get("allowPrivilegeEscalation") is not False:
        r.error(cwhere, "securityContext.allowPrivilegeEscalation must be false")
    if get(csc, "capabilities", "drop") != ["ALL"] or get(csc, "capabilities", "add"):
        r.error(cwhere, "securityContext.capabilities must drop ALL and add nothing")
    if csc.get("runAsNonRoot") is False or csc.get("runAsUser") in (0, "0") or csc.get("privileged"):
        r.error(cwhere, "container securityContext must not undo runAsNonRoot")
    for kind in ("requests", "limits"):
        if not get(c, "resources", kind, "memory"):
            r.error(cwhere, f"resources.{kind}.memory is required")
    if not get(c, "resources", "requests", "cpu"):
        r.error(cwhere, "resources.requests.cpu is required")
    env = {e.get("name"): e for e in c.get("env") or []}
    if get(env.get("POD_NAMESPACE"), "valueFrom", "fieldRef", "fieldPath") != "metadata.namespace":
        r.error(cwhere, "env POD_NAMESPACE must come from the downward API (metadata.namespace)")
    mounts = {m.get("mountPath"): m.get("name") for m in c.get("volumeMounts") or []}
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    if "/tmp" not in mounts or "emptyDir" not in (volumes.get(mounts.get("/tmp")) or {}):
        r.error(cwhere, "/tmp must be an emptyDir (the root filesystem is read-only)")
    # The config quarantine only works if its state outlives the container: an emptyDir.
    state_dirs = [a.split("=", 1)[1] for a in c.get("args") or [] if str(a).startswith("--stateDir=")]
    if not state_dirs:
        r.error(cwhere, "serve needs --stateDir on an emptyDir (a config that crashes the compile is then "
                        "quarantined instead of crash-looping every replica)")
    elif "emptyDir" not in (volumes.get(mounts.get(state_dirs[0])) or {}):
        r.error(cwhere, f"--stateDir={state_dirs[0]} must be the mount path of an emptyDir volume")
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        http = get(c, probe, "httpGet") or {}
        if http.get("path") != path:
            r.error(cwhere, f"{probe} must GET {path}")
        if container_port(c, http.get("port")) != MONITORING_PORT or http.get("scheme", "HTTP") != "HTTP":
            r.error(cwhere, f"{probe} must use plain HTTP on the monitoring port {MONITORING_PORT}")
    positional, flags = parse_args(c.get("args") or [])
    if positional != ["serve"]:
        r.error(cwhere, f"args must run the serve subcommand, got positional {positional}")
    for name in flags:
        if name not in SERVE_FLAGS:
            r.error(cwhere, f"args: --{name} is not a serve flag")
    expect = {
        "port": str(WEBHOOK_PORT), "monitoringPort": str(MONITORING_PORT),
        "webhookConfigName": WEBHOOK_CONFIG_NAME, "leaseName": LEASE_NAME,
        "injectorConfigMap": "istio-sidecar-injector", "meshConfigMap": "istio",
    }
    for name, value in expect.items():
        if flags.get(name) != value:
            r.error(cwhere, f"args: --{name} must be {value}, got {flags.get(name)!r}")
    if flags.get("self-signed") != "true" and not (flags.get("tlsCertFile") and flags.get("tlsKeyFile")):
        r.error(cwhere, "args: need --self-signed or both --tlsCertFile and --tlsKeyFile")
    if container_port(c, WEBHOOK_PORT) != WEBHOOK_PORT or container_port(c, MONITORING_PORT) != MONITORING_PORT:
        r.error(cwhere, f"containerPorts {WEBHOOK_PORT} and {MONITORING_PORT} must be declared")
    return pod_labels, c, flags


def check_service_pdb(tree, pod_labels, container):
    r = tree.report
    rel, svc = tree.one("Service")
    if svc is not None:
        where = f"{rel}: {describe(svc)}"
        sel = get(svc, "spec", "selector") or {}
        if not sel or any(pod_labels.get(k) != v for k, v in sel.items()):
            r.error(where, "spec.selector does not select the Deployment's pods")
        ports = {p.get("port"): p for p in get(svc, "spec", "ports") or []}
        https = ports.get(443)
        if https is None or container_port(container, https.get("targetPort")) != WEBHOOK_PORT:
            r.error(where, f"port 443 must target the webhook's {WEBHOOK_PORT}")
        mon = ports.get(MONITORING_PORT)
        if mon is None or mon.get("name") != "http-monitoring" \
                or container_port(container, mon.get("targetPort", MONITORING_PORT)) != MONITORING_PORT:
            r.error(where, f"port {MONITORING_PORT} named http-monitoring must target the monitoring port")
    rel, pdb = tree.one("PodDisruptionBudget")
    if pdb is not None:
        where = f"{rel}: {describe(pdb)}"
        if pdb.get("apiVersion") != "policy/v1":
            r.error(where, "apiVersion must be policy/v1")
        if get(pdb, "spec", "minAvailable") != 1:
            r.error(where, "spec.minAvailable must be 1")
        sel = get(pdb, "spec", "selector", "matchLabels") or {}
        if not sel or any(pod_labels.get(k) != v for k, v in sel.items()):
            r.error(where, "spec.selector does not select the Deployment's pods")
    return svc


def check_webhook(tree, svc, flags):
    r = tree.report
    rel, mwc = tree.one("MutatingWebhookConfiguration", WEBHOOK_CONFIG_NAME)
    if mwc is None:
        return
    where = f"{rel}: {describe(mwc)}"
    if mwc.get("apiVersion") != "admissionregistration.k8s.io/v1":
        r.error(where, "apiVersion must be admissionregistration.k8s.io/v1")
    hooks = mwc.get("webhooks") or []
    if [h.get("name") for h in hooks] != [WEBHOOK_NAME]:
        r.error(where, f"must hold exactly one webhook named {WEBHOOK_NAME}")
    for h in hooks:
        hw = f"{where} webhook {h.get('name')}"
        if h.get("sideEffects") != "None":
            r.error(hw, "sideEffects must be None (dry-run requests are sent to us too)")
        if h.get("failurePolicy") != "Fail":
            r.error(hw, "failurePolicy must be Fail")
        versions = h.get("admissionReviewVersions") or []
        for v in ("v1", "v1beta1"):
            if v not in versions:
                r.error(hw, f"admissionReviewVersions must include {v}")
        if h.get("timeoutSeconds") != 10:
            r.error(hw, "timeoutSeconds must be 10")
        if h.get("reinvocationPolicy") != "Never":
            r.error(hw, "reinvocationPolicy must be Never")
        cc = h.get("clientConfig") or {}
        if cc.get("url"):
            r.error(hw, "clientConfig must use the Service, not a url")
        if cc.get("caBundle"):
            # The operator patches it; a value here would be reset by every re-apply.
            r.error(hw, "clientConfig.caBundle must be left out (the operator patches it)")
        service = cc.get("service") or {}
        if svc is None or service.get("name") != get(svc, "metadata", "name") \
                or service.get("namespace") != get(svc, "metadata", "namespace"):
            r.error(hw, "clientConfig.service must name the injector's Service")
        elif service.get("port", 443) not in [p.get("port") for p in get(svc, "spec", "ports") or []]:
            r.error(hw, "clientConfig.service.port is not a port of the Service")
        if flags.get("serviceName") and svc is not None and flags["serviceName"] != get(svc, "metadata", "name"):
            r.error(hw, "--serviceName (self-signed certificate SANs) must match the Service name")
        if service.get("path") != "/inject":
            r.error(hw, "clientConfig.service.path must be /inject")
        if not any("CREATE" in (rule.get("operations") or []) and "pods" in (rule.get("resources") or [])
                   and "" in (rule.get("apiGroups") or []) for rule in h.get("rules") or []):
            r.error(hw, "rules must cover CREATE of core pods")
        for rule in h.get("rules") or []:
            for field in ("operations", "apiGroups", "apiVersions", "resources"):
                if "*" in (rule.get(field) or []):
                    r.error(hw, f"rules must not use * in {field}")
        ns_sel = h.get("namespaceSelector") or {}
        if get(ns_sel, "matchLabels", "istio-injection") != "enabled":
            r.error(hw, "namespaceSelector must match istio-injection=enabled")
        excluded = any(e.get("key") == "kubernetes.io/metadata.name" and e.get("operator") == "NotIn"
                       and INJECTOR_NAMESPACE in (e.get("values") or [])
                       for e in ns_sel.get("matchExpressions") or [])
        if not excluded:
            r.error(hw, f"namespaceSelector must exclude the injector namespace {INJECTOR_NAMESPACE} "
                    "(kubernetes.io/metadata.name NotIn)")


def check_namespace(tree):
    rel, ns = tree.one("Namespace", INJECTOR_NAMESPACE)
    if ns is not None and get(ns, "metadata", "labels", "istio-injection") == "enabled":
        tree.report.error(f"{rel}: {describe(ns)}", "the injector namespace must not enable injection")


def check_leader_lease(tree, flags):
    lease = flags.get("leaseName")
    if lease and not any(g[2] == "leases" and g[3] == "update" and g[4] == lease for g in EXPECTED_GRANTS):
        tree.report.error("rbac", f"--leaseName {lease} is not the Lease the Role lets us update")


# --- cert-manager component ---------------------------------------------------------------

CERT_MANAGER = "manifests/cert-manager"
SELF_SIGNED_SWAP = ["--tlsCertFile=/etc/sidecar-injector/certs/tls.crt", "--tlsKeyFile=/etc/sidecar-injector/certs/tls.key"]


def check_cert_manager(tree):
    """The optional component must stay a faithful copy of the base Deployment's args with
    only the certificate source swapped, and its names must line up end to end:
    Certificate -> Secret -> volume -> flags, and Certificate -> cainjector annotation."""
    r = tree.report
    base = os.path.join(tree.root, CERT_MANAGER)
    docs = {}
    for name in yaml_files(base):
        rel = f"{CERT_MANAGER}/{name}"
        docs[name] = [d for _, d in load_yaml_file(os.path.join(base, name), r, rel)]
    comp = (docs.get("kustomization.yaml") or [{}])[0]
    where = f"{CERT_MANAGER}/kustomization.yaml"
    if comp.get("kind") != "Component":
        r.error(where, "must be a kustomize Component (a sub-directory cannot include its parent)")
    listed = [str(x) for x in comp.get("resources") or []] + [str(p.get("path")) for p in comp.get("patches") or []]
    for name in docs:
        if name != "kustomization.yaml" and name not in listed:
            r.error(where, f"{CERT_MANAGER}/{name} is not listed")
    objects = [o for name, ds in docs.items() if name != "kustomization.yaml" for o in ds]
    by_kind = {}
    for o in objects:
        by_kind.setdefault(o.get("kind"), []).append(o)
    cert = (by_kind.get("Certificate") or [None])[0]
    deploy = (by_kind.get("Deployment") or [None])[0]
    hook = (by_kind.get("MutatingWebhookConfiguration") or [None])[0]
    if cert is None or deploy is None or hook is None:
        r.error(CERT_MANAGER, "needs a Certificate, a Deployment patch and a MutatingWebhookConfiguration patch")
        return
    base_deploy = tree.one("Deployment", "sidecar-injector")[1] or {}
    base_args = [str(a) for a in get(base_deploy, "spec", "template", "spec", "containers", 0, "args") or []]
    if "--self-signed" in base_args:
        i = base_args.index("--self-signed")
        want = base_args[:i] + SELF_SIGNED_SWAP + base_args[i + 1:]
    else:
        want = base_args
    patch = get(deploy, "spec", "template", "spec", "containers", 0) or {}
    if [str(a) for a in patch.get("args") or []] != want:
        r.error(f"{CERT_MANAGER}/deployment-patch.yaml", f"args must equal the base args with --self-signed "
                f"replaced by {SELF_SIGNED_SWAP}; want {want}")
    mounts = {m.get("name"): m.get("mountPath") for m in patch.get("volumeMounts") or []}
    volumes = {v.get("name"): v for v in get(deploy, "spec", "template", "spec", "volumes") or []}
    secret = get(cert, "spec", "secretName")
    mounted = [mounts.get(n) for n, v in volumes.items() if get(v, "secret", "secretName") == secret]
    if not mounted or mounted[0] != "/etc/sidecar-injector/certs":
        r.error(f"{CERT_MANAGER}/deployment-patch.yaml", f"Secret {secret} must be mounted at /etc/sidecar-injector/certs")
    svc = tree.one("Service")[1] or {}
    dns = f"{get(svc, 'metadata', 'name')}.{get(svc, 'metadata', 'namespace')}.svc"
    if dns not in (get(cert, "spec", "dnsNames") or []):
        r.error(f"{CERT_MANAGER}/certificate.yaml", f"dnsNames must include {dns}")
    issuers = {get(o, "metadata", "name") for o in by_kind.get("Issuer") or []}
    if get(cert, "spec", "issuerRef", "kind") == "Issuer" and get(cert, "spec", "issuerRef", "name") not in issuers:
        r.error(f"{CERT_MANAGER}/certificate.yaml", "issuerRef names an Issuer that is not defined here")
    want_ann = f"{get(cert, 'metadata', 'namespace')}/{get(cert, 'metadata', 'name')}"
    if get(hook, "metadata", "annotations", "cert-manager.io/inject-ca-from") != want_ann:
        r.error(f"{CERT_MANAGER}/webhook-patch.yaml", f"cert-manager.io/inject-ca-from must be {want_ann}")


def check_auto_restart(tree):
    """The opt-in component grants exactly the restart verbs, binds them to our
    ServiceAccount, and turns the feature on in the Deployment."""
    r = tree.report
    base = os.path.join(tree.root, AUTO_RESTART)
    docs = {}
    for name in yaml_files(base):
        docs[name] = [d for _, d in load_yaml_file(os.path.join(base, name), r, f"{AUTO_RESTART}/{name}")]
    comp = (docs.get("kustomization.yaml") or [{}])[0]
    if comp.get("kind") != "Component":
        r.error(f"{AUTO_RESTART}/kustomization.yaml", "must be a kustomize Component")
    granted = set()
    bound = False
    for name, ds in docs.items():
        for d in ds:
            if not isinstance(d, dict):
                continue
            if d.get("kind") == "ClusterRole":
                for rule in d.get("rules") or []:
                    for g in rule.get("apiGroups") or []:
                        for res in rule.get("resources") or []:
                            for verb in rule.get("verbs") or []:
                                for rn in rule.get("resourceNames") or [None]:
                                    granted.add(("ClusterRole", g, res, verb, rn))
            if d.get("kind") == "ClusterRoleBinding":
                bound = any(sub.get("kind") == "ServiceAccount" and sub.get("name") == "sidecar-injector"
                            and sub.get("namespace") == "sidecar-injector" for sub in d.get("subjects") or [])
    if granted != AUTO_RESTART_GRANTS:
        r.error(AUTO_RESTART, f"must grant exactly {sorted(AUTO_RESTART_GRANTS, key=str)}, grants {sorted(granted, key=str)}")
    if not bound:
        r.error(AUTO_RESTART, "the ClusterRoleBinding must bind the sidecar-injector ServiceAccount")


def render_with_components(tree, kubectl, components):
    """manifests/ with `components` on top, rendered the way a user would: (objects by
    'Kind/name', error or None)."""
    with tempfile.TemporaryDirectory() as scratch:
        rel = os.path.relpath(os.path.join(tree.root, "manifests"), scratch)
        with open(os.path.join(scratch, "kustomization.yaml"), "w", encoding="utf-8") as f:
            yaml.safe_dump({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                            "resources": [rel], "components": [f"{rel}/{c}" for c in components]}, f)
        try:
            done = subprocess.run([kubectl, "kustomize", scratch], capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            return {}, f"cannot run {kubectl}: {e}"
    if done.returncode != 0:
        return {}, f"kubectl kustomize with {components} failed: {done.stderr.strip()}"
    return {describe(o): o for o in yaml.safe_load_all(done.stdout) if o}, None


def render_auto_restart(tree, kubectl):
    """Without the component nothing may delete pods or patch workloads; with it (also
    together with cert-manager) the verbs are granted and serve runs with --autoRestart."""
    errors = []

    def restart_verbs(rendered):
        return {(g, res, verb) for o in rendered.values() if o.get("kind") in ("ClusterRole", "Role")
                for rule in o.get("rules") or [] for g in rule.get("apiGroups") or []
                for res in rule.get("resources") or [] for verb in rule.get("verbs") or []
                if (res == "pods" and verb == "delete") or (g == "apps" and verb == "patch")}

    def args_of(rendered):
        c = get(rendered.get("Deployment/sidecar-injector"), "spec", "template", "spec", "containers", 0) or {}
        return [str(a) for a in c.get("args") or []]

    for components, want in (([], False), (["auto-restart"], True), (["cert-manager", "auto-restart"], True)):
        rendered, err = render_with_components(tree, kubectl, components)
        if err:
            errors.append(err)
            continue
        verbs = restart_verbs(rendered)
        if want and len(verbs) != 4:
            errors.append(f"auto-restart rendering {components}: restart verbs {sorted(verbs)}")
        if not want and verbs:
            errors.append(f"the default install grants restart verbs {sorted(verbs)}")
        if ("--autoRestart" in args_of(rendered)) != want:
            errors.append(f"rendering {components}: Deployment args {args_of(rendered)}")
    return errors


def render_cert_manager(tree, kubectl):
    """The component applied on top of manifests/, rendered the way a user would."""
    with tempfile.TemporaryDirectory() as scratch:
        rel = os.path.relpath(os.path.join(tree.root, "manifests"), scratch)
        with open(os.path.join(scratch, "kustomization.yaml"), "w", encoding="utf-8") as f:
            yaml.safe_dump({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                            "resources": [rel], "components": [f"{rel}/cert-manager"]}, f)
        try:
            done = subprocess.run([kubectl, "kustomize", scratch], capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            return [f"cannot run {kubectl}: {e}"]
    if done.returncode != 0:
        return [f"kubectl kustomize of the cert-manager component failed: {done.stderr.strip()}"]
    errors = []
    rendered = {describe(o): o for o in yaml.safe_load_all(done.stdout) if o}
    c = get(rendered.get("Deployment/sidecar-injector"), "spec", "template", "spec", "containers", 0) or {}
    args = [str(a) for a in c.get("args") or []]
    if "--self-signed" in args or not set(SELF_SIGNED_SWAP) <= set(args):
        errors.append(f"cert-manager rendering: Deployment args are {args}")
    if "/tmp" not in [m.get("mountPath") for m in c.get("volumeMounts") or []]:
        errors.append("cert-manager rendering: the patch dropped the /tmp mount")
    if "Certificate/sidecar-injector" not in rendered:
        errors.append("cert-manager rendering: no Certificate")
    return errors


# --- Grafana ----------------------------------------------------------------------------

METRIC_TOKEN = re.compile(r"\bsidecar_[a-zA-Z0-9_]+")


def dashboard_panels(panels):
    for p in panels or []:
        yield p
        yield from dashboard_panels(p.get("panels"))


def check_dashboard(root, report, promtool=None):
    rel = DASHBOARD_JSON
    try:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            dash = json.load(f)
    except (OSError, ValueError) as e:
        report.error(rel, f"does not parse as JSON: {e}")
        return
    if not isinstance(dash, dict):
        report.error(rel, "top level must be an object")
        return
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        report.error(rel, "schemaVersion must be an integer >= 36")
    if not dash.get("uid") or not dash.get("title"):
        report.error(rel, "uid and title are required")
    variables = get(dash, "templating", "list") or []
    ds_vars = [v.get("name") for v in variables if v.get("type") == "datasource" and v.get("query") == "prometheus"]
    if not ds_vars:
        report.error(rel, "a Prometheus datasource variable (type datasource, query prometheus) is required")
    panels = list(dashboard_panels(dash.get("panels")))
    ids = [p.get("id") for p in panels]
    if len(set(ids)) != len(ids) or None in ids:
        report.error(rel, "every panel needs a unique id")
    check_layout(panels, report, rel)
    used, exprs = set(), []
    for p in panels:
        if p.get("type") == "row":
            continue
        where = f"{rel}: panel {p.get('id')} {p.get('title')!r}"
        targets = p.get("targets") or []
        if not targets:
            report.error(where, "has no targets")
        uid = get(p, "datasource", "uid")
        if not ds_vars or uid not in (f"${v}" for v in ds_vars) and uid not in (f"${{{v}}}" for v in ds_vars):
            report.error(where, "datasource must be the dashboard's Prometheus variable")
        panel_tokens = set()
        for t in targets:
            expr = str(t.get("expr") or "")
            tokens = set(METRIC_TOKEN.findall(expr))
            if not tokens:
                report.error(where, f"expr {expr!r} queries no sidecar_* metric")
            unknown = sorted(tokens - DASHBOARD_KNOWN_METRICS)
            if unknown:
                report.error(where, f"unknown metric {unknown} in {expr!r}")
            panel_tokens |= tokens
            exprs.append((where, expr))
        if targets and not panel_tokens & set(DASHBOARD_REQUIRED_METRICS):
            report.error(where, "no expr references one of the dashboard's metrics")
        used |= panel_tokens
    for metric in DASHBOARD_REQUIRED_METRICS:
        if metric not in used:
            report.error(rel, f"no panel shows {metric}")
    quantiles = {m.group(1) for _, e in exprs for m in re.finditer(r"histogram_quantile\(\s*([0-9.]+)", e)}
    for q in ("0.5", "0.9", "0.99"):
        if q not in quantiles:
            report.error(rel, f"latency quantile {q} (histogram_quantile) is missing")
    if promtool:
        check_promql(exprs, report, promtool)


def check_layout(panels, report, rel):
    """Panels on the 24-column grid without overlaps (Grafana would shuffle them)."""
    boxes = []
    for p in panels:
        g = p.get("gridPos") or {}
        try:
            x, y, w, h = (int(g[k]) for k in ("x", "y", "w", "h"))
        except (KeyError, TypeError, ValueError):
            report.error(rel, f"panel {p.get('id')} has no complete gridPos")
            continue
        if x < 0 or w <= 0 or h <= 0 or x + w > 24:
            report.error(rel, f"panel {p.get('id')} gridPos is off the 24-column grid")
        for other, (ox, oy, ow, oh) in boxes:
            if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                report.error(rel, f"panels {other} and {p.get('id')} overlap")
        boxes.append((p.get("id"), (x, y, w, h)))


def check_promql(exprs, report, promtool):
    """Each expression as a recording rule: promtool parses the PromQL for us."""
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:expr_{i}", "expr": expr.replace("$__rate_interval", "5m")}
        for i, (_, expr) in enumerate(exprs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump(rules, f)
        path = f.name
    try:
        done = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        report.error("promtool", f"cannot run {promtool}: {e}")
        return
    finally:
        os.unlink(path)
    if done.returncode != 0:
        report.error(DASHBOARD_JSON, "promtool rejects an expression:\n"
                     + (done.stdout + done.stderr).strip())


SKIPPED = 77  # the exit code ctest's SKIP_RETURN_CODE maps to "Skipped"


def kustomize_gap(kubectl):
    """Why this kubectl's built-in kustomize cannot build manifests/, or None when it can.
    Before 1.21 it was kustomize v2.0.3, which loads no directory outside the kustomization
    (../crds) and knows no components."""
    try:
        done = subprocess.run([kubectl, "version", "--client", "-o", "json"], capture_output=True, text=True,
                              timeout=60)
        version = json.loads(done.stdout)["clientVersion"]
        major, minor = int(version["major"]), int(re.match(r"\d+", version["minor"]).group())
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, TypeError, AttributeError) as e:
        return f"cannot tell the version of {kubectl}: {e}"
    if (major, minor) < (1, 21):
        return (f"kubectl {major}.{minor}'s built-in kustomize (v2.0.3) cannot build manifests/ "
                "(a ../crds directory, components); `kubectl apply -k manifests` needs kubectl 1.21 or later")
    return None


def kustomize_check(tree, kubectl):
    """kubectl's built-in kustomize renders the install offline: every object comes out once
    and the ConfigMaps survive re-serialisation byte for byte."""
    try:
        done = subprocess.run([kubectl, "kustomize", os.path.join(tree.root, "manifests")],
                              capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return [f"cannot run {kubectl}: {e}"]
    if done.returncode != 0:
        return [f"kubectl kustomize failed: {done.stderr.strip()}"]
    rendered = [d for d in yaml.safe_load_all(done.stdout) if d]
    want = sorted(describe(o) for _, o in tree.objects)
    got = sorted(describe(o) for o in rendered)
    errors = []
    if want != got:
        errors.append(f"kustomize renders {got}, the files hold {want}")
    for o in rendered:
        name = get(o, "metadata", "name")
        for key, source in CONFIGMAP_SOURCES.get(name, {}).items() if o.get("kind") == "ConfigMap" else []:
            if get(o, "data", key) != read_default(tree.root, source):
                errors.append(f"kustomize output of ConfigMap/{name} data.{key} differs from cmd/defaults/{source}")
    return errors


# --- Dockerfile -------------------------------------------------------------------------

RUNTIME_PACKAGES = {"ca-certificates", "libssl3", "libyaml-cpp0.7", "libsimdjson14", "libprometheus-cpp-core1.0"}


def dockerfile_instructions(text):
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    out, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        word, _, rest = full.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def check_dockerfile(tree):
    r = tree.report
    try:
        with open(os.path.join(tree.root, "Dockerfile"), encoding="utf-8") as f:
            steps = dockerfile_instructions(f.read())
        with open(os.path.join(tree.root, ".dockerignore"), encoding="utf-8") as f:
            ignored = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    except OSError as e:
        r.error("Dockerfile", f"cannot read: {e}")
        return
    froms = [args for op, args in steps if op == "FROM"]
    if len(froms) < 2 or not froms[0].startswith("debian:bookworm ") or froms[-1] != "debian:bookworm-slim":
        r.error("Dockerfile", "must build FROM debian:bookworm and run FROM debian:bookworm-slim")
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM"):]
    runtime_runs = " ".join(args for op, args in final if op == "RUN")
    installed = set(re.findall(r"\b(lib[a-z0-9.+-]+|ca-certificates)\b", runtime_runs))
    if not RUNTIME_PACKAGES <= installed:
        r.error("Dockerfile", f"runtime stage must install {sorted(RUNTIME_PACKAGES - installed)}")
    users = [args for op, args in final if op == "USER"]
    if not users or users[-1].split(":")[0] != "65532":
        r.error("Dockerfile", "runtime stage must end as USER 65532 (numeric, matching runAsUser)")
    if ("ENTRYPOINT", '["/usr/local/bin/sidecar-injector"]') not in final:
        r.error("Dockerfile", 'ENTRYPOINT must be ["/usr/local/bin/sidecar-injector"]')
    if ("CMD", '["serve"]') not in final:
        r.error("Dockerfile", 'CMD must be ["serve"]')
    if not any(op == "COPY" and "cmd/defaults" in args and "/etc/sidecar-injector/defaults" in args for op, args in final):
        r.error("Dockerfile", "the default config must be copied to /etc/sidecar-injector/defaults/")
    if not any(op == "RUN" and "install-deps.sh" in args for op, args in steps):
        r.error("Dockerfile", "the builder must install dependencies with scripts/install-deps.sh")
    for pattern in (".git", "build", "build-*"):
        if pattern not in ignored:
            r.error(".dockerignore", f"must exclude {pattern}")


# --- entry ------------------------------------------------------------------------------

def guarded(report, check, *args, fallback=None):
    """Runs one check; a document of an unexpected shape (a list where a mapping belongs,
    say) becomes an error naming the check instead of a Python traceback."""
    try:
        return check(*args)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as e:
        report.error(check.__name__, f"a manifest has an unexpected shape ({type(e).__name__}: {e})")
        return fallback


def run(root, promtool=None, kubectl=None):
    """Every check against the checkout at `root`; returns the list of errors."""
    report = Report()
    tree = Tree(root, report)
    for check in (check_objects, check_kustomization, check_apply_order, check_configmaps, check_crd, check_report_examples,
                  check_rbac, check_namespace, check_dockerfile, check_cert_manager, check_auto_restart,
                  check_dashboard_configmap):
        guarded(report, check, tree)
    pod_labels, container, flags = guarded(report, check_deployment, tree, fallback=({}, {}, {}))
    svc = guarded(report, check_service_pdb, tree, pod_labels, container)
    guarded(report, check_webhook, tree, svc, flags)
    guarded(report, check_leader_lease, tree, flags)
    guarded(report, check_dashboard, root, report, promtool)
    if kubectl:
        report.errors += guarded(report, kustomize_check, tree, kubectl, fallback=[])
        report.errors += guarded(report, render_cert_manager, tree, kubectl, fallback=[])
        report.errors += guarded(report, render_auto_restart, tree, kubectl, fallback=[])
    return report.errors


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    parser.add_argument("--promtool", help="promtool binary: also parse the dashboard's PromQL")
    parser.add_argument("--kubectl", help="kubectl binary: also render manifests/ with its built-in kustomize")
    parser.add_argument("--write-configmaps", action="store_true",
                        help="regenerate the generated ConfigMaps (cmd/defaults, the dashboard JSON) and exit")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    if args.write_configmaps:
        write_configmaps(root)
        return 0
    gap = kustomize_gap(args.kubectl) if args.kubectl else None
    errors = run(root, args.promtool, None if gap else args.kubectl)
    for e in errors:
        print(f"ERROR {e}")
    print(f"check_manifests: {len(errors)} error(s)")
    if errors:
        return 1
    if gap:
        # What --kubectl asked for did not run: ctest reports the test SKIPPED (code 77).
        print(f"SKIPPED: {gap}")
        return SKIPPED
    return 0


if __name__ == "__main__":
    sys.exit(main())
