// `sidecar-injector kube-inject`: istioctl kube-inject's flags and output over the shared core.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "cmd/config_files.h"
#include "cmd/flags.h"
#include "cmd/io.h"
#include "inject/kube_inject.h"

namespace sidecar::cmd {

namespace {

Flags kubeInjectFlags() {
  Flags f;
  f.value("filename", "input Kubernetes resource filename ('-' for standard input)", "", {"f"})
      .value("output", "modified output Kubernetes resource filename (default: standard output)",
             "", {"o"})
      .value("injectConfigFile",
             "injection config file: the 'config' key of the istio-sidecar-injector ConfigMap")
      .value("meshConfigFile", "mesh config file: the 'mesh' key of the istio ConfigMap")
      .value("valuesFile", "values file: the 'values' key of the istio-sidecar-injector ConfigMap")
      .value("kubeconfig",
             "kubeconfig: read what the files do not give from the cluster's "
             "ConfigMaps (also when $KUBECONFIG is set or running in a pod)",
             "", {"c"})
      .value("context", "kubeconfig context")
      .value("istioNamespace",
             "namespace of the injector ConfigMaps (default: $POD_NAMESPACE, else the "
             "namespace of the injector webhook's Service in the cluster, else "
             "istio-system)",
             "", {"i"})
      .value("injectConfigMapName", "ConfigMap holding the injection config and values",
             "istio-sidecar-injector")
      .value("meshConfigMapName", "ConfigMap holding the mesh config", "istio")
      .toggle("help", "show this help", {"h"});
  return f;
}

}  // namespace

int runKubeInject(const Args& args) {
  Flags flags = kubeInjectFlags();
  if (auto parsed = flags.parse(args); !parsed) {
    std::fprintf(stderr, "kube-inject: %s\n", parsed.error().message.c_str());
    return 2;
  }
  if (flags.on("help")) {
    std::printf("Usage: sidecar-injector kube-inject -f FILE [flags]\n\nFlags:\n%s",
                flags.usage().c_str());
    return 0;
  }
  const std::string& input = flags.get("filename");
  if (input.empty()) {
    std::fprintf(stderr, "kube-inject: filename not specified (-f FILE, or -f - for stdin)\n");
    return 2;
  }

  std::vector<std::string> notes;
  ClusterSource cluster = clusterSourceFromFlags(flags, "istioNamespace");
  if (usesClusterConfig(cluster, {flags.get("injectConfigFile"), flags.get("meshConfigFile"),
                                  flags.get("valuesFile")})) {
    std::fprintf(stderr, "kube-inject: %s\n", cluster.nsSource.c_str());
  }
  auto config = loadConfig(
      {flags.get("injectConfigFile"), flags.get("meshConfigFile"), flags.get("valuesFile")}, notes,
      cluster);
  for (const auto& n : notes) {
    std::fprintf(stderr, "kube-inject: %s\n", n.c_str());
  }
  if (!config) {
    std::fprintf(stderr, "kube-inject: %s\n", config.error().message.c_str());
    return 1;
  }

  auto text = readInput(input);
  if (!text) {
    std::fprintf(stderr, "kube-inject: %s\n", text.error().message.c_str());
    return 1;
  }
  std::string out;
  std::string warnings;
  auto injected = inject::kubeInject(**config, *text, out, warnings);
  if (!warnings.empty()) {
    std::fputs(warnings.c_str(), stderr);
  }
  // Like istioctl, what was written before a failing document still reaches the output.
  if (auto written = writeOutput(flags.get("output"), out); !written) {
    std::fprintf(stderr, "kube-inject: %s\n", written.error().message.c_str());
    return 1;
  }
  if (!injected) {
    std::fprintf(stderr, "kube-inject: %s: %s\n", input == "-" ? "<stdin>" : input.c_str(),
                 injected.error().message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace sidecar::cmd
