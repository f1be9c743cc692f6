#!/usr/bin/env python3
"""One rule for where the injector's ConfigMaps live, shared by every subcommand (issue 11):
the flag, else $POD_NAMESPACE, else the namespace of the Service that the injector's
MutatingWebhookConfiguration calls, else istio-system; each subcommand says which on stderr.

Run against the test API server with our manifests applied (ConfigMaps and the webhook's
Service in namespace sidecar-injector): `serve`, `kube-inject`, `check-inject` and `drift`,
given no namespace flag, all find sidecar-injector through the webhook; $POD_NAMESPACE and the
flag win in that order; without any injector webhook they fall back to istio-system.
"""

import os
import re
import subprocess
import sys
import tempfile

import e2e_cluster
from e2e_cluster import NS, Failure, check, wait_for

FROM_WEBHOOK = f"injector ConfigMaps in namespace {NS} (from MutatingWebhookConfiguration sidecar-injector)"


def main():
    args = e2e_cluster.script_args()
    work = tempfile.mkdtemp(prefix="namespace-e2e-")
    cluster = e2e_cluster.Cluster(args.apiserver, args.kubectl, work)
    sleep = os.path.join(args.repo, "samples", "sleep.yaml")
    base_env = {k: v for k, v in os.environ.items() if k not in ("POD_NAMESPACE", "KUBECONFIG")}

    def run(command, *argv, env=None):
        p = subprocess.run([args.binary, command, "--kubeconfig", cluster.kubeconfig, *argv], capture_output=True,
                           text=True, timeout=60, env={**base_env, **(env or {})})
        return p.returncode, p.stdout, p.stderr

    commands = {
        "kube-inject": ["-f", sleep],
        "check-inject": ["-f", sleep],
        "drift": [],
    }
    try:
        e2e_cluster.apply_injector(cluster, args.repo)

        # 1. No flag, not in a pod: the webhook's Service says where the injector lives.
        for command, argv in commands.items():
            rc, out, err = run(command, *argv)
            check(rc == 0, f"{command} failed: {err}")
            check(FROM_WEBHOOK in err, f"{command} did not find the namespace through the webhook:\n{err}")
        check("istio-proxy" in run("kube-inject", "-f", sleep)[1], "kube-inject did not inject")

        # serve says the same in its log.
        log = os.path.join(work, "serve.log")
        with open(log, "w") as f:
            serve = subprocess.Popen([args.binary, "serve", "--kubeconfig", cluster.kubeconfig, "--self-signed",
                                      "--port", "0", "--driftInterval", "0"], stdout=f, stderr=subprocess.STDOUT,
                                     env=base_env)
        try:
            def logged():
                with open(log) as f:
                    return FROM_WEBHOOK in f.read()
            wait_for("serve to say where its ConfigMaps are", logged, timeout=20)
            wait_for("serve to load the config from there",
                     lambda: "generation 1 active" in open(log).read(), timeout=20)
        finally:
            serve.terminate()
            serve.wait(timeout=20)

        # 2. $POD_NAMESPACE beats the webhook, the flag beats both (the ConfigMaps are not in
        # `elsewhere`, so reading them fails naming the namespace: the rule was followed).
        for command, argv in commands.items():
            flag = "-i" if command == "kube-inject" else "--injectorNamespace"
            rc, out, err = run(command, *argv, env={"POD_NAMESPACE": "elsewhere"})
            check("injector ConfigMaps in namespace elsewhere (from $POD_NAMESPACE)" in err,
                  f"{command} ignored $POD_NAMESPACE:\n{err}")
            check(rc != 0 and "elsewhere" in err, f"{command} did not read from namespace elsewhere:\n{err}")
            rc, out, err = run(command, *argv, flag, NS, env={"POD_NAMESPACE": "elsewhere"})
            check(rc == 0, f"{command} {flag} {NS} failed: {err}")
            check(re.search(rf"injector ConfigMaps in namespace {NS} \(from (-i|--istioNamespace|--injectorNamespace)\)",
                            err), f"{command} did not say the flag decided:\n{err}")

        # 3. No injector webhook at all: istio-system, as Istio.
        cluster.k("delete", "mutatingwebhookconfiguration", "sidecar-injector")
        for command, argv in commands.items():
            rc, out, err = run(command, *argv)
            check("injector ConfigMaps in namespace istio-system (from the default, Istio's)" in err,
                  f"{command} did not fall back to istio-system:\n{err}")
            check(rc != 0 and "istio-system" in err, f"{command} did not read from istio-system:\n{err}")
        print("e2e injector namespace: 1 passed, 0 failed")
        return 0
    except Failure as e:
        sys.stderr.write(f"FAIL: {e}\n")
        return 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
