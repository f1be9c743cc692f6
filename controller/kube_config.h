#pragma once

// Where the API server is and how to authenticate, resolved like kubectl/client-go:
// --kubeconfig, then $KUBECONFIG (only its FIRST path; client-go merges all of them, which
// this operator does not need), then in-cluster service-account files when
// KUBERNETES_SERVICE_HOST is set, then ~/.kube/config.

#include <functional>
#include <optional>
#include <string>

#include "common/expected.h"

namespace sidecar::controller {

// Everything the REST client needs; certificate files are already read into PEM text.
struct ClusterConnection {
  std::string server;  // "https://host:port"
  std::string caPem;   // empty: the system trust store
  bool insecureSkipTlsVerify = false;
  std::string tlsServerName;
  std::string bearerToken;
  // When set, the token is read from here and re-read periodically (bound tokens rotate).
  std::string tokenFile;
  std::string clientCertPem;
  std::string clientKeyPem;
  std::string defaultNamespace = "default";
};

struct KubeConfigOptions {
  std::string kubeconfigPath;  // --kubeconfig
  std::string context;         // --context; empty: current-context
};

// Paths of the in-cluster service-account mount; tests point them at temp files.
struct InClusterPaths {
  std::string tokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string caPath = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespacePath = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup processEnv();

// Parses kubeconfig YAML text; relative file paths resolve against `baseDir`.
Expected<ClusterConnection> parseKubeConfig(const std::string& yamlText, const std::string& baseDir,
                                            const std::string& context);
Expected<ClusterConnection> loadKubeConfigFile(const std::string& path, const std::string& context);
Expected<ClusterConnection> loadInClusterConfig(const InClusterPaths& paths, const EnvLookup& env);
// The full precedence chain described above.
Expected<ClusterConnection> resolveConnection(const KubeConfigOptions& options, const EnvLookup& env,
                                              const InClusterPaths& paths = {});

}  // namespace sidecar::controller
