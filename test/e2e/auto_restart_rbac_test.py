#!/usr/bin/env python3
"""Least privilege (issue 15): automatic restarts need verbs the default install does not
grant. `serve --autoRestart` asks the API server (SelfSubjectAccessReview) before the first
restart; without the verbs it says so at start-up and in /readyz and restarts nothing, with
them it says nothing of the kind.
"""

import os
import sys
import tempfile

import e2e_cluster
from e2e_cluster import Failure, check, wait_for

DISABLED = "automatic restarts disabled: missing RBAC: delete pods"


def main():
    args = e2e_cluster.script_args()
    work = tempfile.mkdtemp(prefix="autorestart-e2e-")
    cluster = e2e_cluster.Cluster(args.apiserver, args.kubectl, work)
    replica = None
    try:
        e2e_cluster.apply_injector(cluster, args.repo)

        # Granted (the test API server allows everything by default): no such complaint.
        replica = e2e_cluster.Serve(args.binary, cluster, os.path.join(work, "granted.log"),
                                    extra_args=["--driftInterval", "1", "--autoRestart"])
        wait_for("readiness", lambda: replica.readyz()[0] == 200)
        status, body = replica.readyz()
        check("automatic restarts disabled" not in body, f"/readyz with the verbs granted: {body}")
        check(replica.stop() == 0, "serve did not stop cleanly")
        check(replica.logged(r"(automatic restarts disabled)") is None, "complained with the verbs granted")

        # The default install: no pod delete.
        cluster.k("get", "--raw", "/testcontrol/deny?verb=delete&resource=pods")
        replica = e2e_cluster.Serve(args.binary, cluster, os.path.join(work, "denied.log"),
                                    extra_args=["--driftInterval", "1", "--autoRestart"])
        wait_for("the start-up message", lambda: replica.logged(f"({DISABLED})"))
        check("manifests/auto-restart" in (replica.logged(r"(apply manifests/auto-restart/)") or ""),
              "the message does not say how to grant the verbs")
        _, body = wait_for("/readyz to say it", lambda: (lambda r: r if DISABLED in r[1] else None)(replica.readyz()))
        check(replica.stop() == 0, "serve did not stop cleanly")
        replica = None
        print("e2e auto-restart RBAC: 1 passed, 0 failed")
        return 0
    except Failure as e:
        return e2e_cluster.failed(e, [replica])
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
