#!/usr/bin/env python3
"""serve in cluster mode, end to end, against the test API server with real kubectl.

Checks what an operator relies on after `kubectl apply`: the shared self-signed CA lands in a
Secret and in the webhook's caBundle (and a second replica reuses it), admissions are
answered over TLS verified with that CA, a ConfigMap edit reaches the next admission without
a restart, and an invalid edit keeps the last good config and leaves a Warning Event.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time

import e2e_cluster
from e2e_cluster import NS, SLEEP_POD, Failure, check, proxy_image


def wait_for(what, predicate, timeout=30.0, interval=0.05):
    """e2e_cluster.wait_for without the elapsed time."""
    return e2e_cluster.wait_for(what, predicate, timeout, interval)[0]


class Replica(e2e_cluster.Serve):
    """A serve replica that reconciles drift every second."""

    def __init__(self, args, cluster, log_path):
        super().__init__(args.binary, cluster, log_path, extra_args=["--driftInterval", "1"])


def main():
    args = e2e_cluster.script_args()
    work = tempfile.mkdtemp(prefix="serve-e2e-")
    cluster = e2e_cluster.Cluster(args.apiserver, args.kubectl, work)
    replicas = []
    try:
        # By kind and name: the files under manifests/ get renamed (e2e_cluster.manifest).
        e2e_cluster.apply_injector(cluster, args.repo)

        first = Replica(args, cluster, os.path.join(work, "replica-1.log"))
        replicas.append(first)
        secret = wait_for("the CA Secret", lambda: cluster.get("secret", "-n", NS, "sidecar-injector-ca"))
        ca_pem = base64.b64decode(secret["data"]["tls.crt"]).decode()
        bundle = wait_for("the caBundle", lambda: cluster.get(
            "mutatingwebhookconfiguration", "sidecar-injector")["webhooks"][0]["clientConfig"].get("caBundle"))
        check(base64.b64decode(bundle).decode() == ca_pem, "caBundle is not the shared CA")

        image = wait_for("the first injection", lambda: proxy_image(first.review(ca_pem, SLEEP_POD)))
        check(image == "docker.io/istio/proxyv2:1.4.10", f"unexpected proxy image {image}")

        # A second replica serves from the same CA: the caBundle stays valid for both.
        second = Replica(args, cluster, os.path.join(work, "replica-2.log"))
        replicas.append(second)
        image2 = wait_for("an injection by the second replica",
                          lambda: proxy_image(second.review(ca_pem, SLEEP_POD)))
        check(image2 == image, "the replicas disagree")

        # Exactly one replica holds the Lease and runs the drift reporter.
        lease = wait_for("the leader Lease", lambda: cluster.get("lease", "-n", NS, "sidecar-injector-leader"))
        holder = lease["spec"].get("holderIdentity", "")
        check(holder != "", "the Lease has no holder")
        leading = [r for r in replicas if r.logged(r"(leading: this replica writes drift reports)")]
        check(len(leading) == 1, f"{len(leading)} replicas say they lead")

        # Drift: a pod created before its namespace was labelled has no sidecar; once the
        # namespace is labelled the leader reports it as MissingSidecar.
        cluster.k("apply", "--validate=false", "-f", "-", stdin=json.dumps(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}}))
        pod = dict(SLEEP_POD, metadata={"name": "sleep-old", "namespace": "demo", "labels": {"app": "sleep"}})
        cluster.k("apply", "--validate=false", "-f", "-", stdin=json.dumps(pod))
        cluster.k("label", "namespace", "demo", "istio-injection=enabled")
        report = wait_for("a drift report for namespace demo",
                          lambda: cluster.get("sidecardriftreports", "demo"), timeout=30, interval=0.2)
        status = report.get("status", {})
        check(status.get("driftedPods") == 1, f"drift report: {status}")
        check(status.get("reasons", {}).get("MissingSidecar") == 1, f"drift reasons: {status.get('reasons')}")
        check(any(w.get("name") == "sleep-old" and w.get("restartStrategy") == "Recreate"
                  for w in status.get("workloads", [])), f"drift workloads: {status.get('workloads')}")

        series = 'sidecar_drift_pods{namespace="demo",reason="MissingSidecar"} 1'
        wait_for("the drift gauge on the leader", lambda: any(series in r.metrics() for r in replicas),
                 timeout=15, interval=0.2)

        # Edit the values: the next admission uses them, no restart.
        values = cluster.get("configmap", "-n", NS, "istio-sidecar-injector")["data"]["values"]
        edited = values.replace("tag: 1.4.10", "tag: 1.4.11")
        check(edited != values, "the default values have no 'tag: 1.4.10' to edit")
        started = time.monotonic()
        cluster.k("patch", "configmap", "-n", NS, "istio-sidecar-injector", "--type", "merge",
                  "-p", json.dumps({"data": {"values": edited}}))
        wait_for("the edited config", lambda: proxy_image(first.review(ca_pem, SLEEP_POD))
                 == "docker.io/istio/proxyv2:1.4.11", timeout=10, interval=0.01)
        print(f"edit to active config: {1000 * (time.monotonic() - started):.0f} ms (kubectl included)")

        # kube-inject without config files reads the same ConfigMaps, as istioctl does.
        out = subprocess.run([args.binary, "kube-inject", "--kubeconfig", cluster.kubeconfig,
                              "-i", NS, "-f", os.path.join(args.repo, "samples", "sleep.yaml")],
                             capture_output=True, text=True, timeout=60)
        check(out.returncode == 0, f"kube-inject from the cluster failed: {out.stderr}")
        check("image: docker.io/istio/proxyv2:1.4.11" in out.stdout,
              "kube-inject did not use the cluster's edited values")
        check("using the cluster's injection config" in out.stderr, "kube-inject did not say where its config came from")

        # An invalid edit is refused as a whole: the last good config keeps serving.
        cluster.k("patch", "configmap", "-n", NS, "istio-sidecar-injector", "--type", "merge",
                  "-p", json.dumps({"data": {"config": "policy: enabled\ntemplate: '{{ .Broken'\n"}}))
        wait_for("a Warning Event about the invalid config", lambda: any(
            e.get("type") == "Warning" and e.get("involvedObject", {}).get("name") == "istio-sidecar-injector"
            for e in cluster.get("events", "-n", NS).get("items", [])))
        check(proxy_image(first.review(ca_pem, SLEEP_POD)) == "docker.io/istio/proxyv2:1.4.11",
              "the invalid edit replaced the last good config")

        for r in replicas:
            rc = r.stop()
            check(rc == 0, f"serve exited {rc} on SIGTERM")
        replicas.clear()
        print("e2e serve cluster mode: 1 passed, 0 failed")
        return 0
    except Failure as e:
        for r in replicas:
            r.proc.kill()
            with open(r.log_path) as f:
                sys.stderr.write(f"--- {r.log_path} ---\n{f.read()[-4000:]}\n")
        sys.stderr.write(f"FAIL: {e}\n")
        return 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
