#include "cmd/config_files.h"

#include <cstdlib>

#include "cmd/defaults.h"
#include "cmd/flags.h"
#include "cmd/injector_namespace.h"
#include "cmd/io.h"

#ifdef SIDECAR_HAVE_CONTROLLER
#include "controller/kube_config.h"
#include "controller/resource.h"
#include "controller/rest_client.h"
#endif

namespace sidecar::cmd {

namespace {

Expected<std::string> readOrDefault(const std::string& path, std::string_view fallback,
                                    const char* what, std::vector<std::string>& notes) {
  if (path.empty()) {
    notes.push_back(std::string("using the built-in ") + what);
    return std::string(fallback);
  }
  return readInput(path);
}

struct ClusterTexts {
  std::string injectConfig;
  std::string values;
  std::string mesh;
};

#ifdef SIDECAR_HAVE_CONTROLLER
Expected<std::string> configMapKey(controller::RestClient& client, const std::string& ns,
                                   const std::string& name, const std::string& key) {
  auto cm = client.get(controller::resources::kConfigMaps, ns, name);
  if (!cm) {
    return fail("reading ConfigMap " + ns + "/" + name + ": " + cm.error().message);
  }
  auto data = cm->find("data");
  if (data == cm->end() || !data->is_object() || !data->contains(key) ||
      !(*data)[key].is_string()) {
    return fail("ConfigMap " + ns + "/" + name + " has no key '" + key + "'");
  }
  return (*data)[key].get<std::string>();
}

Expected<controller::RestClientPtr> connect(const ClusterSource& source) {
  auto connection =
      controller::resolveConnection({source.kubeconfig, source.context}, controller::processEnv());
  if (!connection) {
    return Unexpected(connection.error());
  }
  return controller::RestClient::create(*connection);
}

Expected<ClusterTexts> readCluster(const ClusterSource& source) {
  auto client = connect(source);
  if (!client) {
    return Unexpected(client.error());
  }
  auto config = configMapKey(**client, source.ns, source.injectConfigMap, "config");
  auto values = configMapKey(**client, source.ns, source.injectConfigMap, "values");
  auto mesh = configMapKey(**client, source.ns, source.meshConfigMap, "mesh");
  for (const auto* e : {&config, &values, &mesh}) {
    if (!*e) {
      return Unexpected(e->error());
    }
  }
  return ClusterTexts{*config, *values, *mesh};
}
#else
Expected<ClusterTexts> readCluster(const ClusterSource&) {
  return fail("this build has no Kubernetes client; give the config files");
}
#endif

}  // namespace

bool clusterNamed(const std::string& kubeconfig, const std::string& context) {
  return !kubeconfig.empty() || !context.empty() || std::getenv("KUBECONFIG") != nullptr ||
         std::getenv("KUBERNETES_SERVICE_HOST") != nullptr;
}

bool usesClusterConfig(const ClusterSource& cluster, const ConfigPaths& paths) {
  return cluster.enabled &&
         (paths.injectConfig.empty() || paths.meshConfig.empty() || paths.values.empty());
}

ClusterSource clusterSourceFromFlags(const Flags& flags, const std::string& namespaceFlag,
                                     std::optional<bool> useCluster) {
  ClusterSource cluster;
  cluster.kubeconfig = flags.get("kubeconfig");
  cluster.context = flags.get("context");
  cluster.injectConfigMap = flags.get("injectConfigMapName");
  cluster.meshConfigMap = flags.get("meshConfigMapName");
  cluster.enabled = useCluster.value_or(clusterNamed(cluster.kubeconfig, cluster.context));
  InjectorNamespaceInputs inputs;
  inputs.flagName = namespaceFlag;
  inputs.flagValue = flags.get(namespaceFlag);
  const char* podNamespace = std::getenv("POD_NAMESPACE");
  inputs.podNamespace = podNamespace != nullptr ? podNamespace : "";
  inputs.webhooks = injectorWebhookNames(
      flags.declared("webhookConfigName") ? flags.get("webhookConfigName") : "");
  if (cluster.enabled) {
    inputs.lookup = [&cluster](const std::string& webhook) {
      return webhookServiceNamespace(cluster, webhook);
    };
  }
  std::string warning;
  const InjectorNamespace ns = resolveInjectorNamespace(inputs, &warning);
  cluster.ns = ns.name;
  cluster.nsSource = describe(ns) + (warning.empty() ? "" : "; " + warning);
  return cluster;
}

#ifdef SIDECAR_HAVE_CONTROLLER
Expected<nlohmann::json> readClusterObject(const ClusterSource& cluster, std::string_view kind,
                                           const std::string& name) {
  const controller::ResourceDescriptor* resource = nullptr;
  if (kind == "Namespace") {
    resource = &controller::resources::kNamespaces;
  } else if (kind == "MutatingWebhookConfiguration") {
    resource = &controller::resources::kMutatingWebhookConfigurations;
  } else {
    return fail("cannot read a " + std::string(kind) + " from the cluster");
  }
  auto client = connect(cluster);
  if (!client) {
    return Unexpected(client.error());
  }
  auto object = (*client)->get(*resource, "", name);
  if (!object) {
    return fail("reading " + std::string(kind) + " " + name + ": " + object.error().message);
  }
  return std::move(*object);
}

Expected<std::optional<std::string>> webhookServiceNamespace(const ClusterSource& cluster,
                                                             const std::string& webhook) {
  auto client = connect(cluster);
  if (!client) {
    return Unexpected(client.error());
  }
  return webhookServiceNamespace(**client, webhook);
}

Expected<std::optional<std::string>> webhookServiceNamespace(controller::RestClient& client,
                                                             const std::string& webhook) {
  auto mwc = client.get(controller::resources::kMutatingWebhookConfigurations, "", webhook);
  if (!mwc) {
    if (mwc.error().status == 404) {
      return std::optional<std::string>();
    }
    return fail(mwc.error().message);
  }
  for (const auto& w : mwc->value("webhooks", nlohmann::json::array())) {
    const std::string ns = w.value("/clientConfig/service/namespace"_json_pointer, "");
    if (!ns.empty()) {
      return std::optional<std::string>(ns);
    }
  }
  return std::optional<std::string>();
}

Expected<std::optional<std::string>> readQuarantine(const ClusterSource& cluster) {
  auto client = connect(cluster);
  if (!client) {
    return Unexpected(client.error());
  }
  auto cm = (*client)->get(controller::resources::kConfigMaps, cluster.ns, cluster.injectConfigMap);
  if (!cm) {
    return fail("reading ConfigMap " + cluster.ns + "/" + cluster.injectConfigMap + ": " +
                cm.error().message);
  }
  const std::string rv = cm->value("/metadata/resourceVersion"_json_pointer, "");
  auto events = (*client)->list(controller::resources::kEvents, cluster.ns, {});
  if (!events) {
    return fail("listing Events in " + cluster.ns + ": " + events.error().message);
  }
  // Only a quarantine of what the ConfigMap holds now counts: an edit lifts it.
  for (const auto& e : events->value("items", nlohmann::json::array())) {
    const auto& involved = e.value("involvedObject", nlohmann::json::object());
    if (e.value("reason", "") == "ConfigQuarantined" && involved.value("kind", "") == "ConfigMap" &&
        involved.value("name", "") == cluster.injectConfigMap && !rv.empty() &&
        involved.value("resourceVersion", "") == rv) {
      const std::string source =
          e.value("/source/host"_json_pointer, e.value("reportingInstance", ""));
      return std::optional<std::string>(e.value("message", "") +
                                        (source.empty() ? "" : " [" + source + "]"));
    }
  }
  return std::optional<std::string>();
}
#else
Expected<nlohmann::json> readClusterObject(const ClusterSource&, std::string_view,
                                           const std::string&) {
  return fail("this build has no Kubernetes client; give the files");
}
Expected<std::optional<std::string>> readQuarantine(const ClusterSource&) {
  return fail("this build has no Kubernetes client");
}
Expected<std::optional<std::string>> webhookServiceNamespace(const ClusterSource&,
                                                             const std::string&) {
  return fail("this build has no Kubernetes client");
}
#endif

Expected<inject::InjectionConfigPtr> loadConfig(const ConfigPaths& paths,
                                                std::vector<std::string>& notes,
                                                const ClusterSource& cluster) {
  if (usesClusterConfig(cluster, paths)) {
    // istioctl's behaviour: whatever the files do not give comes from the cluster.
    auto texts = readCluster(cluster);
    if (!texts) {
      return Unexpected(texts.error());
    }
    auto pick = [&](const std::string& path, const std::string& fromCluster,
                    const char* what) -> Expected<std::string> {
      if (path.empty()) {
        notes.push_back(std::string("using the cluster's ") + what);
        return fromCluster;
      }
      return readInput(path);
    };
    auto injectText = pick(paths.injectConfig, texts->injectConfig, "injection config");
    auto meshText = pick(paths.meshConfig, texts->mesh, "mesh config");
    auto valuesText = pick(paths.values, texts->values, "injector values");
    for (const auto* e : {&injectText, &meshText, &valuesText}) {
      if (!*e) {
        return Unexpected(e->error());
      }
    }
    return inject::compileConfig(*injectText, *meshText, *valuesText);
  }
  auto injectText =
      readOrDefault(paths.injectConfig, defaultInjectConfig(), "injection config", notes);
  if (!injectText) {
    return Unexpected(injectText.error());
  }
  auto meshText = readOrDefault(paths.meshConfig, defaultMeshConfig(), "mesh config", notes);
  if (!meshText) {
    return Unexpected(meshText.error());
  }
  auto valuesText = readOrDefault(paths.values, defaultValues(), "injector values", notes);
  if (!valuesText) {
    return Unexpected(valuesText.error());
  }
  auto config = inject::compileConfig(*injectText, *meshText, *valuesText);
  if (!config) {
    return Unexpected(config.error());
  }
  for (const auto& w : (*config)->warnings) {
    notes.push_back(w);
  }
  return config;
}

}  // namespace sidecar::cmd
