#!/usr/bin/env python3
"""A Deployment scaled up over several seconds against the test API server, whose pods reach
the webhook as kube-apiserver sends a controller's pods: no name, generateName, managedFields
stamped to the second, and the ServiceAccount plugin's kube-api-access-<random> volume.

Asserts that every pod is injected, that every volume mount of every container (the
sidecar's included) names a volume of its own pod (the admission cache puts each pod's real
token volume name back into a cached patch), and that /metrics accounts for every admission
in sidecar_injection_cache_lookups_total. Replicas reaching admission in the same second
differ only in the token volume name, so at most one lookup per distinct managedFields time
may miss; the test prints what the cache did.

Usage: scale_cache_test.py --binary SIDECAR-INJECTOR --apiserver TEST-APISERVER --kubectl K --repo REPO
"""

import json
import os
import re
import sys
import tempfile
import time

from e2e_cluster import Failure, check, failed, injector_cluster, script_args, wait_for

STEPS = (1, 3, 6, 10)  # replicas after each scale; each step lands in a later second


def cache_lookups(serve):
    """{"hit": n, "miss": n, "bypass": n} from the injector's /metrics."""
    found = dict.fromkeys(("hit", "miss", "bypass"), 0.0)
    for result, value in re.findall(r'^sidecar_injection_cache_lookups_total\{result="(\w+)"\} (\S+)$',
                                    serve.metrics(), re.M):
        found[result] = float(value)
    return found


def injected_pods(cluster, want):
    """The sleep pods once there are `want` of them and all carry the sidecar."""
    # Raw: `kubectl get -o json` hides managedFields (kubectl 1.21 and later).
    pods = json.loads(cluster.k("get", "--raw", "/api/v1/namespaces/demo/pods?labelSelector=app%3Dsleep"))["items"]
    if len(pods) != want:
        return None
    for pod in pods:
        names = [c["name"] for c in pod["spec"]["containers"]]
        if "istio-proxy" not in names:
            return None
    return pods


def next_second(after):
    """Waits on the wall clock until the second after `after` (managedFields' resolution)."""
    wait_for("the next second", lambda: int(time.time()) > after, timeout=3, interval=0.02)


def main():
    args = script_args()
    work = tempfile.mkdtemp(prefix="scale-cache-e2e-")
    try:
        cluster, serve = injector_cluster(args, work)
    except Failure as e:
        return failed(e)
    try:
        before = cache_lookups(serve)

        started = time.monotonic()
        cluster.k("apply", "--validate=false", "-n", "demo", "-f", os.path.join(args.repo, "samples", "sleep.yaml"))
        for replicas in STEPS:
            if replicas != STEPS[0]:
                cluster.k("scale", "-n", "demo", "deployment/sleep", f"--replicas={replicas}")
            pods, _ = wait_for(f"{replicas} injected pods", lambda: injected_pods(cluster, replicas), timeout=30)
            next_second(int(time.time()))
        print(f"scaled 0 -> {STEPS[-1]} in {len(STEPS)} steps over {time.monotonic() - started:.1f} s")

        # Every pod: the sidecar, and every mount names one of the pod's own volumes.
        token_volumes = set()
        times = set()
        for pod in pods:
            meta = pod["metadata"]
            check("sidecar.istio.io/status" in meta.get("annotations", {}), f"{meta['name']}: no status annotation")
            volumes = {v["name"] for v in pod["spec"].get("volumes", [])}
            tokens = [v for v in volumes if v.startswith("kube-api-access-")]
            check(len(tokens) == 1, f"{meta['name']}: token volumes {tokens}")
            token_volumes.add(tokens[0])
            for c in pod["spec"]["containers"] + pod["spec"].get("initContainers", []):
                for m in c.get("volumeMounts", []):
                    check(m["name"] in volumes,
                          f"{meta['name']}: container {c['name']} mounts {m['name']}, not a volume of the pod")
            proxy = next(c for c in pod["spec"]["containers"] if c["name"] == "istio-proxy")
            check(tokens[0] in [m["name"] for m in proxy.get("volumeMounts", [])],
                  f"{meta['name']}: istio-proxy does not mount the pod's token volume {tokens[0]}")
            times.update(f["time"] for f in meta.get("managedFields", []) if f.get("manager") == "kube-controller-manager")
        check(len(token_volumes) == len(pods), f"token volume names repeat: {sorted(token_volumes)}")
        check(len(times) >= len(STEPS), f"the pods were admitted in {len(times)} distinct seconds: {sorted(times)}")

        calls = [a for a in cluster.admission_log() if a["namespace"] == "demo"]
        check(len(calls) == len(pods) and all(a["called"] and a["patched"] and not a["error"] for a in calls),
              f"admission log for demo: {calls}")

        # /metrics: one lookup per admission, and no more misses than distinct pod shapes.
        def counted():
            after = cache_lookups(serve)
            delta = {k: after[k] - before[k] for k in after}
            return delta if sum(delta.values()) >= len(calls) else None

        delta, _ = wait_for("the cache lookups on /metrics", counted, timeout=10)
        print(f"admission cache: {len(calls)} admissions -> {delta['hit']:.0f} hit, {delta['miss']:.0f} miss, "
              f"{delta['bypass']:.0f} bypass; the pods' managedFields carry {len(times)} distinct times")
        check(sum(delta.values()) == len(calls), f"lookups {delta} for {len(calls)} admissions")
        check(delta["bypass"] == 0, f"pods this small are never bypassed: {delta}")
        check(delta["miss"] <= len(times),
              f"{delta['miss']:.0f} misses for {len(times)} distinct pod shapes (same template, same second)")
        check(delta["hit"] >= len(calls) - len(times), f"hits {delta}")

        rc = serve.stop()
        serve = None
        check(rc == 0, f"serve exited {rc} on SIGTERM")
        print("e2e scale with the admission cache: 1 passed, 0 failed")
        return 0
    except Failure as e:
        return failed(e, [serve])
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
