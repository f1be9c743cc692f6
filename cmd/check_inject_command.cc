// `sidecar-injector check-inject`: "why is my pod [not] injected?" for pods and workloads in
// YAML files. One explanation covers both sides: whether the API server would call the
// webhook at all (MutatingWebhookConfiguration selectors against the Namespace), and what
// the injector's policy decides — then whether injection would succeed with this config.

#include <cstdio>
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
#include "inject/kube/documents.h"
#include "inject/kube/yaml.h"

namespace sidecar::cmd {

namespace {

Flags checkInjectFlags() {
  Flags f;
  f.value("filename", "pod or workload YAML to explain ('-' for standard input)", "", {"f"})
      .value("namespace", "namespace the pod is created in (default: its metadata.namespace, "
                          "else \"default\")", "", {"n"})
      .value("namespaceFile", "the Namespace object (YAML), to evaluate the webhook's "
                              "namespaceSelector")
      .value("webhookConfigFile", "the MutatingWebhookConfiguration (YAML), to evaluate whether "
                                  "the API server calls the injector")
      .value("injectConfigFile", "injection config file (the 'config' key)")
      .value("meshConfigFile", "mesh config file (the 'mesh' key)")
      .value("valuesFile", "values file (the 'values' key)")
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

Expected<std::optional<nlohmann::json>> readObject(const std::string& path) {
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
  return std::optional<nlohmann::json>(std::move(*doc));
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
  auto config = loadConfig({flags.get("injectConfigFile"), flags.get("meshConfigFile"),
                            flags.get("valuesFile")},
                           notes);
  for (const auto& n : notes) {
    std::fprintf(stderr, "check-inject: %s\n", n.c_str());
  }
  if (!config) {
    std::fprintf(stderr, "check-inject: %s\n", config.error().message.c_str());
    return 1;
  }
  auto namespaceObject = readObject(flags.get("namespaceFile"));
  auto webhookConfig = readObject(flags.get("webhookConfigFile"));
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

  int explained = 0;
  int docIndex = 0;
  for (const auto& doc : kube::splitDocuments(*text)) {
    ++docIndex;
    auto object = kube::parseYaml(doc.text);
    if (!object) {
      std::fprintf(stderr, "check-inject: %s: document %d (line %d): %s\n", input.c_str(), docIndex,
                   doc.firstLine, object.error().message.c_str());
      return 1;
    }
    auto target = podOf(*object);
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
    if (namespaceObject->has_value() && webhookConfig->has_value()) {
      auto selection = inject::explainWebhookSelection(**namespaceObject, **webhookConfig, pod);
      std::printf("  webhook:  %s — %s\n", selection.called ? "called" : "NOT called",
                  selection.explanation.c_str());
      if (!selection.called) {
        std::printf("  result:   not injected: the API server never sends this pod to the "
                    "injector\n\n");
        continue;
      }
    } else {
      std::printf("  webhook:  not evaluated (give --namespaceFile and --webhookConfigFile)\n");
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
