#!/usr/bin/env python3
"""One list+watch per watched kind in a running `serve` (issue 11): the config reloader, the
caBundle keeper and drift share informers, so the test API server sees exactly one WATCH
(and one LIST) per kind from one replica, MutatingWebhookConfigurations included (the
keeper and drift both read them), however many components read it.
"""

import collections
import json
import os
import sys
import tempfile
import urllib.parse

import e2e_cluster
from e2e_cluster import NS, Failure, check, wait_for

# What serve with drift on reads; the set may grow, but each kind is watched once.
EXPECTED = {"configmaps", "mutatingwebhookconfigurations", "namespaces", "pods", "replicasets", "deployments",
            "statefulsets", "daemonsets", "jobs", "cronjobs", "poddisruptionbudgets"}


def requests(cluster):
    """(verb, resource, namespace or '') of every list and watch the API server saw."""
    out = []
    for line in json.loads(cluster.k("get", "--raw", "/testcontrol/request-log")):
        method, target = line.split(" ", 1)
        url = urllib.parse.urlsplit(target)
        if method != "GET":
            continue
        parts = [p for p in url.path.split("/") if p]
        query = urllib.parse.parse_qs(url.query)
        # /api/v1/<resource>, /api/v1/namespaces/<ns>/<resource>, /apis/<g>/<v>/...; a
        # single object (a name after the resource) is neither a list nor a watch.
        rest = parts[2:] if parts[0] == "api" else parts[3:]
        ns = ""
        if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
            ns, rest = rest[1], rest[2:]
        if len(rest) != 1:
            continue
        out.append(("WATCH" if query.get("watch", ["false"])[0] in ("1", "true") else "LIST", rest[0], ns))
    return out


def main():
    args = e2e_cluster.script_args()
    work = tempfile.mkdtemp(prefix="informers-e2e-")
    cluster = e2e_cluster.Cluster(args.apiserver, args.kubectl, work)
    replica = None
    try:
        e2e_cluster.apply_injector(cluster, args.repo)
        replica = e2e_cluster.Serve(args.binary, cluster, os.path.join(work, "serve.log"),
                                    extra_args=["--driftInterval", "1"])
        wait_for("the config", lambda: replica.logged(r"(generation 1 active)"))
        wait_for("the caBundle", lambda: cluster.get("mutatingwebhookconfiguration", "sidecar-injector")
                 ["webhooks"][0]["clientConfig"].get("caBundle"))
        wait_for("a drift sync by the leader", lambda: replica.logged(r"(drift: leader sync)"), timeout=30)

        # A ConfigMap edit and a webhook edit travel the existing watches.
        cluster.k("patch", "configmap", "-n", NS, "istio", "--type", "merge",
                  "-p", json.dumps({"data": {"mesh": "defaultConfig: {}\n"}}))
        wait_for("the edit", lambda: replica.logged(r"(generation 2 active)"))
        cluster.k("label", "mutatingwebhookconfiguration", "sidecar-injector", "touched=yes")

        seen = requests(cluster)
        watches = collections.Counter((r, ns) for verb, r, ns in seen if verb == "WATCH")
        lists = collections.Counter((r, ns) for verb, r, ns in seen if verb == "LIST")
        print("watches:", dict(watches))
        for (resource, ns), n in watches.items():
            check(n == 1, f"{resource} {ns or '(all namespaces)'} is watched {n} times")
        kinds = {r for r, _ in watches}
        check(EXPECTED <= kinds, f"not watched: {sorted(EXPECTED - kinds)}")
        check(len(kinds) == len(watches), f"a kind is watched in more than one scope: {sorted(watches)}")
        # The initial list is the only one (drift also probes the optional APIs with limit=1).
        for (resource, ns), n in lists.items():
            check(n <= 2, f"{resource} listed {n} times")
        check(replica.proc.poll() is None, "serve exited")
        rc = replica.stop()
        replica = None
        check(rc == 0, f"serve exited {rc} on SIGTERM")
        print("e2e informers: 1 passed, 0 failed")
        return 0
    except Failure as e:
        return e2e_cluster.failed(e, [replica])
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
