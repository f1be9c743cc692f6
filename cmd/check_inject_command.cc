// `sidecar-injector check-inject`: "why is my pod [not] injected?" for pods and workloads in
// YAML files. One explanation covers both sides: whether the API server would call the
// webhook at all (MutatingWebhookConfiguration selectors against the Namespace), and what
// the injector's policy decides — then whether injection would succeed with this config.

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "cmd/config_files.h"
#include "cmd/flags.h"
#include "cmd/io.h"
#include "inject/admission.h"
#include "inject/policy.h"
#include "kube/documents.h"
#include "kube/yaml.h"

namespace sidecar::cmd {

namespace {

Flags checkInjectFlags() {
  Flags f;
  f.value("filename", "pod or workload YAML to explain ('-' for standard input)", "", {"f"})
      .value("namespace",
             "namespace the pod is created in (default: its metadata.namespace, "
             "else \"default\")",
             "", {"n"})
      .value("namespaceFile",
             "the Namespace object (YAML), to evaluate the webhook's "
             "namespaceSelector")
      .value("webhookConfigFile",
             "the MutatingWebhookConfiguration (YAML), to evaluate whether "
             "the API server calls the injector")
      .value("injectConfigFile", "injection config file (the 'config' key)")
      .value("meshConfigFile", "mesh config file (the 'mesh' key)")
      .value("valuesFile", "values file (the 'values' key)")
      .value("kubeconfig",
             "read what the files do not give (config, Namespace, webhook configuration) "
             "from this cluster (also when $KUBECONFIG is set or running in a pod)",
             "", {"c"})
      .value("context", "kubeconfig context")
      .value("injectorNamespace",
             "namespace of the injector ConfigMaps in the cluster (default: "
             "$POD_NAMESPACE, else the namespace of the injector webhook's "
             "Service, else istio-system)")
      .value("injectConfigMapName", "ConfigMap holding the injection config and values",
             "istio-sidecar-injector")
      .value("meshConfigMapName", "ConfigMap holding the mesh config", "istio")
      .value("webhookConfigName", "the injector's MutatingWebhookConfiguration in the cluster",
             "sidecar-injector")
      .toggle("help", "show this help", {"h"});
  return f;
}

// The pod a document describes: the object itself for a Pod, else its pod template.
struct PodUnderTest {
  std::string label;  // "Deployment/sleep"
  nlohmann::json pod;
};

std::optional<PodUnderTest> podOf(const nlohmann::json& object) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  std::string kind = object.value("kind", "");
  std::string name = object.contains("metadata") ? object["metadata"].value("name", "") : "";
  PodUnderTest result{kind + "/" + name, nlohmann::json::object()};
  const nlohmann::json* templ = nullptr;
  if (kind == "Pod") {
    result.pod = object;
    return result;
  }
  if (kind == "CronJob") {
    templ = &object["spec"]["jobTemplate"]["spec"]["template"];
  } else if (object.contains("spec") && object["spec"].contains("template")) {
    templ = &object["spec"]["template"];
  }
  if (templ == nullptr || !templ->is_object()) {
    return std::nullopt;
  }
  result.pod = *templ;
  result.pod["kind"] = "Pod";
  result.pod["apiVersion"] = "v1";
  if (!result.pod.contains("metadata") || !result.pod["metadata"].is_object()) {
    result.pod["metadata"] = nlohmann::json::object();
  }
  if (!result.pod["metadata"].contains("namespace") && object.contains("metadata") &&
      object["metadata"].contains("namespace")) {
    result.pod["metadata"]["namespace"] = object["metadata"]["namespace"];
  }
  if (!result.pod["metadata"].contains("name")) {
    result.pod["metadata"]["name"] = name;
  }
  return result;
}

// The object of `kind` in the file at `path` (the file may also hold a List with it).
Expected<std::optional<nlohmann::json>> readObject(const std::string& path,
                                                   const std::string& kind) {
  if (path.empty()) {
    return std::optional<nlohmann::json>();
  }
  auto text = readInput(path);
  if (!text) {
    return Unexpected(text.error());
  }
  auto doc = kube::parseYaml(*text);
  if (!doc) {
    return Unexpected(doc.error().withContext(path));
  }
  if (doc->is_object() && doc->value("kind", "") == "List" && doc->contains("items") &&
      (*doc)["items"].is_array()) {
    for (const auto& item : (*doc)["items"]) {
      if (item.is_object() && item.value("kind", "") == kind) {
        return std::optional<nlohmann::json>(item);
      }
    }
  }
  if (!doc->is_object() || doc->value("kind", "") != kind) {
    std::string found = doc->is_object() && doc->contains("kind") && (*doc)["kind"].is_string()
                            ? "kind " + (*doc)["kind"].get<std::string>()
                        : doc->is_null() ? std::string("nothing (empty file)")
                                         : std::string("no kind");
    return fail(path + ": expected a " + kind + ", found " + found);
  }
  return std::optional<nlohmann::json>(std::move(*doc));
}

// Pods and workloads of one document; `kubectl get ... -o yaml` of several gives a List.
std::vector<nlohmann::json> objectsOf(nlohmann::json document) {
  std::vector<nlohmann::json> out;
  const std::string kind = document.is_object() ? document.value("kind", "") : "";
  if (kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0 &&
      document.contains("items") && document["items"].is_array()) {
    for (auto& item : document["items"]) {
      out.push_back(std::move(item));
    }
    return out;
  }
  out.push_back(std::move(document));
  return out;
}

}  // namespace

int runCheckInject(const Args& args) {
  Flags flags = checkInjectFlags();
  if (auto parsed = flags.parse(args); !parsed) {
    std::fprintf(stderr, "check-inject: %s\n", parsed.error().message.c_str());
    return 2;
  }
  if (flags.on("help")) {
    std::printf("Usage: sidecar-injector check-inject -f FILE [flags]\n\nFlags:\n%s",
                flags.usage().c_str());
    return 0;
  }
  const std::string& input = flags.get("filename");
  if (input.empty()) {
    std::fprintf(stderr, "check-inject: filename not specified (-f FILE)\n");
    return 2;
  }
  std::vector<std::string> notes;
  ClusterSource cluster = clusterSourceFromFlags(flags, "injectorNamespace");
  if (usesClusterConfig(cluster, {flags.get("injectConfigFile"), flags.get("meshConfigFile"),
                                  flags.get("valuesFile")})) {
    std::fprintf(stderr, "check-inject: %s\n", cluster.nsSource.c_str());
  }
  if (cluster.enabled && flags.get("injectConfigFile").empty()) {
    // Before compiling the ConfigMaps' config: that config may be what crashed the injector.
    if (auto quarantine = readQuarantine(cluster); !quarantine) {
      std::fprintf(stderr, "check-inject: cannot tell whether the config is quarantined: %s\n",
                   quarantine.error().message.c_str());
    } else if (quarantine->has_value()) {
      std::printf(
          "config:   QUARANTINED — %s\n"
          "          the explanation below uses the ConfigMaps' config; the injector is serving "
          "its "
          "last good config instead\n\n",
          (*quarantine)->c_str());
      std::fflush(stdout);
    }
  }
  auto config = loadConfig(
      {flags.get("injectConfigFile"), flags.get("meshConfigFile"), flags.get("valuesFile")}, notes,
      cluster);
  for (const auto& n : notes) {
    std::fprintf(stderr, "check-inject: %s\n", n.c_str());
  }
  if (!config) {
    std::fprintf(stderr, "check-inject: %s\n", config.error().message.c_str());
    return 1;
  }
  auto namespaceObject = readObject(flags.get("namespaceFile"), "Namespace");
  auto webhookConfig = readObject(flags.get("webhookConfigFile"), "MutatingWebhookConfiguration");
  for (const auto* r : {&namespaceObject, &webhookConfig}) {
    if (!*r) {
      std::fprintf(stderr, "check-inject: %s\n", r->error().message.c_str());
      return 1;
    }
  }
  auto text = readInput(input);
  if (!text) {
    std::fprintf(stderr, "check-inject: %s\n", text.error().message.c_str());
    return 1;
  }

  // Without files, the cluster's objects (when a cluster is named), read once per namespace.
  std::optional<nlohmann::json> clusterWebhook;
  std::string clusterWebhookError;
  if (!webhookConfig->has_value() && cluster.enabled) {
    if (auto read = readClusterObject(cluster, "MutatingWebhookConfiguration",
                                      flags.get("webhookConfigName"))) {
      clusterWebhook = std::move(*read);
    } else {
      clusterWebhookError = read.error().message;
    }
  }
  std::map<std::string, Expected<nlohmann::json>> clusterNamespaces;

  std::vector<nlohmann::json> objects;
  int docIndex = 0;
  for (const auto& doc : kube::splitDocuments(*text)) {
    ++docIndex;
    auto object = kube::parseYaml(doc.text);
    if (!object) {
      std::fprintf(stderr, "check-inject: %s: document %d (line %d): %s\n", input.c_str(), docIndex,
                   doc.firstLine, object.error().message.c_str());
      return 1;
    }
    for (auto& item : objectsOf(std::move(*object))) {
      objects.push_back(std::move(item));
    }
  }

  int explained = 0;
  for (auto& object : objects) {
    auto target = podOf(object);
    if (!target) {
      continue;
    }
    ++explained;
    nlohmann::json& pod = target->pod;
    std::string ns = flags.get("namespace");
    if (ns.empty()) {
      ns = pod["metadata"].value("namespace", "default");
    }
    std::printf("%s (namespace %s)\n", target->label.c_str(), ns.c_str());

    // 1. The API server side.
    const nlohmann::json* namespaceForPod =
        namespaceObject->has_value() ? &**namespaceObject : nullptr;
    const nlohmann::json* webhookForPod = webhookConfig->has_value() ? &**webhookConfig
                                          : clusterWebhook           ? &*clusterWebhook
                                                                     : nullptr;
    std::string missing;
    if (namespaceForPod == nullptr && cluster.enabled) {
      auto it = clusterNamespaces.find(ns);
      if (it == clusterNamespaces.end()) {
        it = clusterNamespaces.emplace(ns, readClusterObject(cluster, "Namespace", ns)).first;
      }
      if (it->second) {
        namespaceForPod = &*it->second;
      } else {
        missing = it->second.error().message;
      }
    }
    if (webhookForPod == nullptr && !clusterWebhookError.empty()) {
      missing = clusterWebhookError;
    }
    if (namespaceForPod != nullptr && webhookForPod != nullptr) {
      auto selection = inject::explainWebhookSelection(*namespaceForPod, *webhookForPod, pod);
      std::printf("  webhook:  %s — %s\n", selection.called ? "called" : "NOT called",
                  selection.explanation.c_str());
      if (!selection.called) {
        std::printf(
            "  result:   not injected: the API server never sends this pod to the "
            "injector\n\n");
        continue;
      }
    } else if (!missing.empty()) {
      std::printf("  webhook:  not evaluated (%s)\n", missing.c_str());
    } else {
      std::printf(
          "  webhook:  not evaluated (give --namespaceFile and --webhookConfigFile, or "
          "--kubeconfig)\n");
    }

    // 2. The injector's policy.
    const nlohmann::json empty = nlohmann::json::object();
    const nlohmann::json& spec = pod.contains("spec") ? pod["spec"] : empty;
    std::vector<std::string> trail;
    auto decision = inject::decidePolicy(**config, pod["metadata"], spec, ns, &trail);
    for (size_t i = 0; i < trail.size(); ++i) {
      std::printf("  %zu. %s → next rule\n", i + 1, trail[i].c_str());
    }
    std::printf("  policy:   %s [%.*s] — %s\n", decision.inject ? "inject" : "skip",
                static_cast<int>(inject::reasonName(decision.reason).size()),
                inject::reasonName(decision.reason).data(), decision.explanation.c_str());

    // 3. Would the injection itself succeed?
    if (decision.inject) {
      auto outcome = inject::admitPod(**config, pod.dump(), ns);
      switch (outcome.kind) {
        case inject::AdmissionOutcome::Kind::Patched:
          std::printf("  result:   injected\n\n");
          break;
        case inject::AdmissionOutcome::Kind::Skipped:
          std::printf("  result:   not injected — %s\n\n", outcome.message.c_str());
          break;
        case inject::AdmissionOutcome::Kind::Failed:
          std::printf("  result:   injection FAILS [%.*s] — %s\n\n",
                      static_cast<int>(inject::outcomeReason(outcome).size()),
                      inject::outcomeReason(outcome).data(), outcome.message.c_str());
          break;
      }
    } else {
      std::printf("  result:   not injected\n\n");
    }
  }
  if (explained == 0) {
    std::fprintf(stderr, "check-inject: %s holds no pod or workload\n", input.c_str());
    return 1;
  }
  return 0;
}

}  // namespace sidecar::cmd
