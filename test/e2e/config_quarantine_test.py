#!/usr/bin/env python3
"""A poison config cannot take the webhook down (issue 16), end to end with real kubectl.

1. The values edit that used to crash every replica (a 69-digit map key) is applied to a
   running `serve`: it keeps serving, with the new config (Go accepts the key).
2. An edit that crashes the compile (the test-only hook aborts the process while compiling
   inputs that carry a marker) kills the replica; restarted as the kubelet would restart it,
   with the same state directory (the Deployment's emptyDir), it answers admissions with the
   last good config within 2 s, and a Warning Event, the metrics and /readyz show the
   quarantine; check-inject shows it too.
3. The next valid edit is applied and lifts the quarantine.
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

MARKER = "CRASH-ME-4242"
HOOK = {"SIDECAR_INJECTOR_TEST_ABORT_ON_COMPILE": MARKER}
HUGE_KEY = "111111111111111111111111111111111111111111111111111111111111111110000"


def wait_for(what, predicate, timeout=30.0, interval=0.02):
    return e2e_cluster.wait_for(what, predicate, timeout, interval)[0]


def metric(text, series):
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return None


def main():
    args = e2e_cluster.script_args()
    work = tempfile.mkdtemp(prefix="quarantine-e2e-")
    state = os.path.join(work, "state")  # the Deployment's emptyDir
    cluster = e2e_cluster.Cluster(args.apiserver, args.kubectl, work)
    replicas = []

    def start(n):
        replica = e2e_cluster.Serve(args.binary, cluster, os.path.join(work, f"replica-{n}.log"),
                                    extra_args=["--driftInterval", "0", "--stateDir", state], env=HOOK)
        replicas.append(replica)
        return replica

    def patch_values(text):
        cluster.k("patch", "configmap", "-n", NS, "istio-sidecar-injector", "--type", "merge",
                  "-p", json.dumps({"data": {"values": text}}))
        return cluster.get("configmap", "-n", NS, "istio-sidecar-injector")["metadata"]["resourceVersion"]

    try:
        e2e_cluster.apply_injector(cluster, args.repo)
        first = start(1)
        secret = wait_for("the CA Secret", lambda: cluster.get("secret", "-n", NS, "sidecar-injector-ca"))
        ca_pem = base64.b64decode(secret["data"]["tls.crt"]).decode()
        good_image = wait_for("the first injection", lambda: proxy_image(first.review(ca_pem, SLEEP_POD)))
        values = cluster.get("configmap", "-n", NS, "istio-sidecar-injector")["data"]["values"]

        # 1. The key that crashed every replica: applied, and serving goes on.
        generation = metric(first.metrics(), "sidecar_injector_config_generation")
        patch_values(values + f"\n{HUGE_KEY}: x\n")
        wait_for("the huge-key values to be applied", lambda: metric(
            first.metrics(), "sidecar_injector_config_generation") == generation + 1)
        check(first.proc.poll() is None, "serve exited after the huge-key edit")
        check(proxy_image(first.review(ca_pem, SLEEP_POD)) == good_image, "the huge-key edit changed the image")
        last_good = values + f"\n{HUGE_KEY}: x\n"

        # 2. A config that crashes the compile.
        poison_rv = patch_values(last_good + f"\n# {MARKER}\n")
        rc = wait_for("the replica to die compiling the poison", lambda: first.proc.poll(), timeout=30)
        check(rc != 0, f"serve exited {rc}, expected a crash")
        first.log.close()
        replicas.remove(first)

        restarted_at = time.monotonic()
        second = start(2)
        image = wait_for("an admission after the restart", lambda: proxy_image(second.review(ca_pem, SLEEP_POD)))
        answered = time.monotonic() - restarted_at
        check(image == good_image, f"the restarted replica injects {image}, not the last good {good_image}")
        check(answered <= 2.0, f"the restarted replica answered after {answered:.2f}s (limit 2 s)")
        print(f"restart to first admission with the last good config: {1000 * answered:.0f} ms")
        check(second.proc.poll() is None, "the restarted replica crashed again")

        def quarantine_event():
            for e in cluster.get("events", "-n", NS).get("items", []):
                if e.get("reason") == "ConfigQuarantined":
                    return e
            return None
        event = wait_for("the ConfigQuarantined Warning Event", quarantine_event)
        check(event["type"] == "Warning", f"event type {event['type']}")
        check(event["involvedObject"]["name"] == "istio-sidecar-injector", f"event on {event['involvedObject']}")
        check(event["involvedObject"].get("resourceVersion") == poison_rv,
              f"event names resourceVersion {event['involvedObject'].get('resourceVersion')}, poison is {poison_rv}")
        check(f"resourceVersion {poison_rv}" in event["message"], f"event message: {event['message']}")

        text = second.metrics()
        check(metric(text, 'sidecar_injector_config_quarantined{revision="default"}') == 1,
              "sidecar_injector_config_quarantined is not 1")
        check(f'resource_version="{poison_rv}"' in text, "the quarantine info metric does not name the resourceVersion")
        status, body = second.readyz()
        check(status == 200, f"/readyz answered {status}: {body}")
        check("config quarantined" in body and poison_rv in body, f"/readyz does not show the quarantine: {body}")

        explained = subprocess.run(
            [args.binary, "check-inject", "--kubeconfig", cluster.kubeconfig, "--injectorNamespace", NS,
             "-f", os.path.join(args.repo, "samples", "sleep.yaml")], capture_output=True, text=True, timeout=60)
        check("QUARANTINED" in explained.stdout and poison_rv in explained.stdout,
              f"check-inject does not show the quarantine:\n{explained.stdout}\n{explained.stderr}")

        # 3. A valid edit is applied and lifts the quarantine.
        patch_values(last_good.replace("tag: ", "tag: quarantine-lifted-", 1))
        wait_for("the valid edit", lambda: "quarantine-lifted-" in proxy_image(second.review(ca_pem, SLEEP_POD)))
        wait_for("the quarantine gauge to drop", lambda: metric(
            second.metrics(), 'sidecar_injector_config_quarantined{revision="default"}') == 0)
        check(not any(line.startswith("sidecar_injector_config_quarantine_info{")
                      for line in second.metrics().splitlines()),
              "the quarantine info series outlived the quarantine")

        rc = second.stop()
        replicas.remove(second)
        check(rc == 0, f"serve exited {rc} on SIGTERM")
        print("e2e config quarantine: 1 passed, 0 failed")
        return 0
    except Failure as e:
        for r in replicas:
            r.proc.kill()
        for n in (1, 2):
            path = os.path.join(work, f"replica-{n}.log")
            if os.path.exists(path):
                with open(path) as f:
                    sys.stderr.write(f"--- {path} ---\n{f.read()[-4000:]}\n")
        sys.stderr.write(f"FAIL: {e}\n")
        return 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
