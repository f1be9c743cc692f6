"""Shared pieces of the end-to-end tests: the test API server (with admission and, on request,
the Deployment controller), `sidecar-injector serve` in cluster mode, kubectl, and finding
manifests under manifests/ by kind and name (file names change; kinds and names do not)."""

import argparse
import base64
import glob
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

NS = "sidecar-injector"


class Failure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def wait_for(what, predicate, timeout=30.0, interval=0.05):
    """Polls predicate until it returns something truthy; returns (value, seconds waited)."""
    started = time.monotonic()
    deadline = started + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value, time.monotonic() - started
        except Exception as e:  # noqa: BLE001 - retried until the deadline, then reported
            last = e
        time.sleep(interval)
    raise Failure(f"timed out after {timeout:.0f}s waiting for {what}" + (f" (last error: {last})" if last else ""))


def script_args():
    """The four arguments every e2e script takes (see CMakeLists.txt)."""
    ap = argparse.ArgumentParser()
    for name in ("binary", "apiserver", "kubectl", "repo"):
        ap.add_argument("--" + name, required=True)
    return ap.parse_args()


def failed(error, serves=()):
    """Reports a failed test: the end of each replica's log (killed first), then the error."""
    for serve in serves:
        if serve is not None:
            serve.proc.kill()
            sys.stderr.write(f"--- {serve.log_path} ---\n{serve.tail()}\n")
    sys.stderr.write(f"FAIL: {error}\n")
    return 1


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manifest_documents(repo):
    """Every YAML document under manifests/ as (kind, name, text)."""
    docs = []
    for path in sorted(glob.glob(os.path.join(repo, "manifests", "*.yaml"))):
        with open(path) as f:
            for doc in re.split(r"^---\s*$", f.read(), flags=re.M):
                kind = re.search(r"^kind:\s*(\S+)", doc, re.M)
                meta = re.search(r"^metadata:[ \t]*\n((?:[ \t]+.*\n|[ \t]*\n)*)", doc + "\n", re.M)
                name = re.search(r"^  name:\s*(\S+)", meta.group(1), re.M) if meta else None
                if kind and name:
                    docs.append((kind.group(1), name.group(1).strip("'\""), doc))
    return docs


def manifest(repo, kind, name):
    found = [text for k, n, text in manifest_documents(repo) if k == kind and n == name]
    check(len(found) == 1, f"expected one {kind} {name} under manifests/, found {len(found)}")
    return found[0]


class Cluster:
    """test-apiserver as a process; extra_args e.g. ["--controllers", "--service-endpoint", ...]."""

    def __init__(self, apiserver, kubectl, workdir, extra_args=()):
        self.kubectl = kubectl
        self.proc = subprocess.Popen([apiserver, "--dir", workdir, *extra_args], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"ready (\S+) kubeconfig=(\S+)", line)
        check(m is not None, f"test-apiserver did not start: {line!r}")
        self.url = m.group(1)
        self.kubeconfig = m.group(2)

    def k(self, *argv, stdin=None, check_rc=True):
        p = subprocess.run([self.kubectl, "--kubeconfig", self.kubeconfig, *argv], input=stdin,
                           capture_output=True, text=True, timeout=60)
        if check_rc and p.returncode != 0:
            raise Failure(f"kubectl {' '.join(argv)} failed: {p.stderr.strip()}")
        return p.stdout

    def get(self, *argv):
        return json.loads(self.k("get", *argv, "-o", "json"))

    def apply_text(self, text, *argv):
        return self.k("apply", "--validate=false", *argv, "-f", "-", stdin=text)

    def admission_log(self):
        return json.loads(self.k("get", "--raw", "/testcontrol/admission-log"))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Serve:
    """One `sidecar-injector serve` replica in cluster mode with --self-signed."""

    def __init__(self, binary, cluster, log_path, port=0, extra_args=(), env=None):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--kubeconfig", cluster.kubeconfig, "--self-signed",
             "--webhookConfigName", "sidecar-injector", "--injectorNamespace", NS,
             "--serviceName", "sidecar-injector", "--port", str(port), "--monitoringPort", "0",
             "--leaseName", "sidecar-injector-leader", "--log_output_level", "default:debug", *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=None if env is None else {**os.environ, **env})
        self.port = int(wait_for("the webhook port", lambda: self.logged(r"on port (\d+)"))[0])
        self.monitoring = int(wait_for("the monitoring port", lambda: self.logged(r"monitoring on port (\d+)"))[0])

    def logged(self, pattern):
        with open(self.log_path) as f:
            m = re.search(pattern, f.read())
        return m.group(1) if m else None

    def review(self, ca_pem, pod, uid="e2e-1"):
        """POSTs an AdmissionReview for `pod` over TLS verified with ca_pem; returns the response."""
        ctx = ssl.create_default_context(cadata=ca_pem)
        body = json.dumps({
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                        "resource": {"group": "", "version": "v1", "resource": "pods"},
                        "namespace": "default", "operation": "CREATE", "object": pod}}).encode()
        req = urllib.request.Request(f"https://127.0.0.1:{self.port}/inject", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            response = json.load(r)["response"]
        check(response["uid"] == uid, "the response does not echo the uid")
        return response

    def readyz(self):
        """(status code, body) of /readyz on the monitoring port."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.monitoring}/readyz", timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitoring}/metrics", timeout=10) as r:
            return r.read().decode()

    def tail(self, chars=4000):
        with open(self.log_path) as f:
            return f.read()[-chars:]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=20)
        self.log.close()
        return rc


SLEEP_POD = {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "sleep", "namespace": "default", "labels": {"app": "sleep"}},
             "spec": {"containers": [{"name": "sleep", "image": "curlimages/curl",
                                      "command": ["/bin/sleep", "infinity"]}]}}


def proxy_image(response):
    """The image of the istio-proxy container an admission response's patch adds."""
    check(response.get("allowed") is True, f"admission denied: {response.get('status')}")
    patch = json.loads(base64.b64decode(response["patch"]))
    for op in patch:
        values = op["value"] if isinstance(op.get("value"), list) else [op.get("value")]
        for v in values:
            if isinstance(v, dict) and v.get("name") == "istio-proxy":
                return v.get("image")
    raise Failure("the patch adds no istio-proxy container")


INJECTOR_OBJECTS = (("Namespace", NS), ("ConfigMap", "istio-sidecar-injector"), ("ConfigMap", "istio"),
                    ("MutatingWebhookConfiguration", "sidecar-injector"))


def apply_injector(cluster, repo):
    """The injector's namespace, ConfigMaps and webhook from manifests/, applied with kubectl."""
    for kind, name in INJECTOR_OBJECTS:
        cluster.apply_text(manifest(repo, kind, name))


def injector_cluster(args, work, serve_args=()):
    """The test API server with the Deployment controller, the injector's namespace, ConfigMaps
    and webhook from manifests/, one serve replica the webhook's Service routes to (its CA in
    the caBundle), and a namespace `demo` labelled for injection. Returns (cluster, serve); the
    caller stops both."""
    port = free_port()
    cluster = Cluster(args.apiserver, args.kubectl, work,
                      ["--controllers", "--service-endpoint", f"{NS}/sidecar-injector=127.0.0.1:{port}"])
    serve = None
    try:
        apply_injector(cluster, args.repo)
        serve = Serve(args.binary, cluster, os.path.join(work, "serve.log"), port=port, extra_args=serve_args)
        check(serve.port == port, f"serve listens on {serve.port}, not {port}")
        wait_for("the caBundle", lambda: cluster.get("mutatingwebhookconfiguration", "sidecar-injector")
                 ["webhooks"][0]["clientConfig"].get("caBundle"))
        cluster.apply_text(json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}}))
        cluster.k("label", "namespace", "demo", "istio-injection=enabled")
    except BaseException:
        if serve is not None:
            serve.proc.kill()
        cluster.stop()
        raise
    return cluster, serve
