// `sidecar-injector drift`: which pods drifted from the injection state the current (or a
// proposed) config would give them, and which workloads to restart with what command.
// Offline over `kubectl get -A -o json` files, or against a cluster through the REST client.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "cmd/config_files.h"
#include "cmd/flags.h"
#include "cmd/io.h"
#include "controller/drift/drift_tracker.h"
#include "controller/drift/impact_preview.h"
#include "controller/drift/object_loader.h"
#include "controller/drift/report.h"
#include "controller/drift/workload_summary.h"
#include "kube/yaml.h"
#ifdef SIDECAR_DRIFT_HAVE_CLUSTER
#include "controller/drift/cluster_reader.h"
#include "controller/kube_config.h"
#endif

namespace sidecar::cmd {

namespace {

using nlohmann::json;

Flags driftFlags() {
  Flags f;
  f.value("pods",
          "pods as `kubectl get pods -A -o json` (a v1 List); without it the cluster is read")
      .value("namespaces", "namespaces as `kubectl get namespaces -o json`")
      .value("replicasets", "replicasets as `kubectl get replicasets -A -o json` (owner chains)")
      .value(
          "workloads",
          "any other objects as a v1 List: deployments, statefulsets, daemonsets, jobs, cronjobs, "
          "poddisruptionbudgets (update strategies, opt-in annotations, PDBs)")
      .value("webhookConfigFile", "the injector's MutatingWebhookConfiguration (YAML or JSON)")
      .value("injectConfigFile",
             "injection config file: the 'config' key of the istio-sidecar-injector ConfigMap")
      .value("meshConfigFile", "mesh config file: the 'mesh' key of the istio ConfigMap")
      .value("valuesFile", "values file: the 'values' key of the istio-sidecar-injector ConfigMap")
      .value("proposed", "a proposed injection config: show which workloads the edit would drift")
      .value("proposedValuesFile",
             "proposed values (with --proposed, or alone to preview a values edit)")
      .value("proposedMeshConfigFile", "proposed mesh config")
      .value("output", "table (default), json or yaml", "table", {"o"})
      .value("kubeconfig",
             "kubeconfig for reading the cluster (default: $KUBECONFIG, ~/.kube/config)")
      .value("context", "kubeconfig context")
      .value("injectorNamespace",
             "namespace of the injector ConfigMaps, read from the cluster when no "
             "config files are given (default: $POD_NAMESPACE, else the namespace "
             "of the injector webhook's Service, else istio-system)")
      .value("injectConfigMapName", "ConfigMap holding the injection config and values",
             "istio-sidecar-injector")
      .value("meshConfigMapName", "ConfigMap holding the mesh config", "istio")
      .toggle("help", "show this help", {"h"});
  return f;
}

#ifdef SIDECAR_DRIFT_HAVE_CLUSTER
Expected<void> readClusterInto(drift::DriftTracker& tracker, const Flags& flags) {
  auto connection = controller::resolveConnection({flags.get("kubeconfig"), flags.get("context")},
                                                  controller::processEnv());
  if (!connection) {
    return Unexpected(connection.error());
  }
  auto client = controller::RestClient::create(std::move(*connection));
  if (!client) {
    return Unexpected(client.error());
  }
  auto read = drift::readCluster(**client, tracker);
  if (!read) {
    return Unexpected(read.error());
  }
  for (const auto& skipped : read->skipped) {
    std::fprintf(stderr, "drift: %s not served by this cluster; continuing without them\n",
                 skipped.c_str());
  }
  return {};
}
#endif

Expected<void> loadFile(drift::DriftTracker& tracker, const std::string& path,
                        std::string_view kind) {
  if (path.empty()) {
    return {};
  }
  auto text = readInput(path);
  if (!text) {
    return Unexpected(text.error());
  }
  auto loaded = drift::loadObjectsText(tracker, *text, path, kind);
  if (!loaded) {
    return Unexpected(loaded.error());
  }
  return {};
}

// Builds the tracker for one config; the inputs are re-read per config, which keeps the
// trackers independent (the preview compares two of them).
Expected<drift::DriftTracker> buildTracker(const inject::InjectionConfigPtr& config,
                                           const Flags& flags) {
  drift::DriftTracker tracker;
  tracker.setConfig(config);
  if (!flags.isSet("pods")) {
#ifdef SIDECAR_DRIFT_HAVE_CLUSTER
    if (auto read = readClusterInto(tracker, flags); !read) {
      return Unexpected(read.error());
    }
    return tracker;
#else
    return fail("--pods FILE is required (this build cannot read a cluster)");
#endif
  }
  // The webhook config and owners first, so pods are evaluated once against them.
  for (auto [flag, kind] :
       {std::pair{"webhookConfigFile", "MutatingWebhookConfiguration"},
        std::pair{"namespaces", "Namespace"}, std::pair{"replicasets", "ReplicaSet"},
        std::pair{"workloads", ""}, std::pair{"pods", "Pod"}}) {
    if (auto loaded = loadFile(tracker, flags.get(flag), kind); !loaded) {
      return Unexpected(loaded.error());
    }
  }
  return tracker;
}

std::string formatObjects(const std::vector<json>& objects, const std::string& format) {
  if (format == "yaml") {
    std::string out;
    for (size_t i = 0; i < objects.size(); ++i) {
      out += (i == 0 ? "" : "---\n") + kube::toYaml(objects[i]);
    }
    return out;
  }
  json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", objects}};
  return list.dump(2) + "\n";
}

json impactJson(const std::vector<drift::ImpactEntry>& impact) {
  json out = json::array();
  for (const auto& e : impact) {
    json w = drift::workloadJson(e.proposed);
    w["driftedPodsNow"] = e.driftedNow;
    json reasons = json::array();
    for (auto r : e.newReasons.list()) {
      reasons.push_back(std::string(drift::reasonName(r)));
    }
    w["newReasons"] = std::move(reasons);
    out.push_back(std::move(w));
  }
  return out;
}

int run(const Flags& flags) {
  const std::string& format = flags.get("output");
  if (format != "table" && format != "json" && format != "yaml") {
    std::fprintf(stderr, "drift: --output must be table, json or yaml, not '%s'\n", format.c_str());
    return 2;
  }
  std::vector<std::string> notes;
  ConfigPaths currentPaths{flags.get("injectConfigFile"), flags.get("meshConfigFile"),
                           flags.get("valuesFile")};
  // Against a cluster, its own injector config is the expected state; files override it.
  ClusterSource cluster = clusterSourceFromFlags(flags, "injectorNamespace", !flags.isSet("pods"));
  if (usesClusterConfig(cluster, currentPaths)) {
    std::fprintf(stderr, "drift: %s\n", cluster.nsSource.c_str());
  }
  auto config = loadConfig(currentPaths, notes, cluster);
  for (const auto& n : notes) {
    std::fprintf(stderr, "drift: %s\n", n.c_str());
  }
  if (!config) {
    std::fprintf(stderr, "drift: %s\n", config.error().message.c_str());
    return 1;
  }
  auto current = buildTracker(*config, flags);
  if (!current) {
    std::fprintf(stderr, "drift: %s\n", current.error().message.c_str());
    return 1;
  }
  // ManualReinject commands read the config where this run did.
  const drift::SummaryOptions summaryOptions{cluster.ns};
  drift::DriftSummary summary = drift::summarize(*current, summaryOptions);
  std::string out;

  bool preview = flags.isSet("proposed") || flags.isSet("proposedValuesFile") ||
                 flags.isSet("proposedMeshConfigFile");
  if (preview) {
    ConfigPaths proposedPaths = currentPaths;
    for (auto [flag, field] : {std::pair{"proposed", &ConfigPaths::injectConfig},
                               std::pair{"proposedMeshConfigFile", &ConfigPaths::meshConfig},
                               std::pair{"proposedValuesFile", &ConfigPaths::values}}) {
      if (flags.isSet(flag)) {
        proposedPaths.*field = flags.get(flag);
      }
    }
    std::vector<std::string> proposedNotes;
    auto proposedConfig = loadConfig(proposedPaths, proposedNotes, cluster);
    if (!proposedConfig) {
      std::fprintf(stderr, "drift: proposed config: %s\n", proposedConfig.error().message.c_str());
      return 1;
    }
    // The same objects under the proposed config: setConfig drops every cached render.
    drift::DriftTracker proposed = std::move(*current);
    proposed.setConfig(*proposedConfig);
    auto impact = drift::previewImpact(summary, drift::summarize(proposed, summaryOptions));
    if (format == "table") {
      out = impact.empty() ? "The proposed config drifts no workload beyond today's drift.\n"
                           : drift::renderImpactTable(impact);
    } else {
      json doc = {{"impact", impactJson(impact)}};
      out = format == "json" ? doc.dump(2) + "\n" : kube::toYaml(doc);
    }
  } else if (format == "table") {
    out = summary.workloads.empty() ? "No drift: " + std::to_string(summary.totalPods) +
                                          " pods match their expected injection state.\n"
                                    : drift::renderTable(summary.workloads);
    if (!summary.workloads.empty()) {
      out += "\n" + std::to_string(summary.driftedPods) + "/" + std::to_string(summary.totalPods) +
             " pods drifted in " + std::to_string(summary.workloads.size()) + " workloads\n";
    }
  } else {
    out = formatObjects(
        drift::buildReports(summary, drift::formatRfc3339(std::chrono::system_clock::now())),
        format);
  }
  if (auto written = writeOutput("", out); !written) {
    std::fprintf(stderr, "drift: %s\n", written.error().message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int runDrift(const Args& args) {
  Flags flags = driftFlags();
  if (auto parsed = flags.parse(args); !parsed) {
    std::fprintf(stderr, "drift: %s\n", parsed.error().message.c_str());
    return 2;
  }
  if (flags.on("help")) {
    std::printf(
        "Usage: sidecar-injector drift --pods pods.json [--namespaces ns.json] [--replicasets "
        "rs.json]\n"
        "         [--workloads objs.json] [--webhookConfigFile mwc.yaml] [--injectConfigFile "
        "FILE]\n"
        "         [--meshConfigFile FILE] [--valuesFile FILE] [--proposed FILE] [-o "
        "table|json|yaml]\n"
        "       sidecar-injector drift [--kubeconfig FILE] [--context NAME] ...   (reads the "
        "cluster)\n\nFlags:\n%s",
        flags.usage().c_str());
    return 0;
  }
  if (!flags.positional().empty()) {
    std::fprintf(stderr, "drift: unexpected argument '%s'\n", flags.positional().front().c_str());
    return 2;
  }
  return run(flags);
}

}  // namespace sidecar::cmd
