#include "controller/kube_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "common/base64.h"
#include "common/file.h"

namespace sidecar::controller {

namespace {

// kubeconfig's *-data fields are []byte in client-go: standard base64, strictly decoded.
Expected<std::string> decodeBase64(const std::string& in, const std::string& field) {
  auto decoded = base64Decode(in);
  if (!decoded) {
    return fail(ErrorCode::InvalidArgument, field + ": " + decoded.error().message);
  }
  return std::move(*decoded);
}

std::string resolvePath(const std::string& path, const std::string& baseDir) {
  if (path.empty() || path.front() == '/' || baseDir.empty()) {
    return path;
  }
  return baseDir + "/" + path;
}

std::string dirName(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  if (!v || !v.IsScalar()) {
    return {};
  }
  return v.as<std::string>();
}

// Finds `name` in a kubeconfig list such as clusters: [{name, cluster: {...}}].
Expected<YAML::Node> findNamed(const YAML::Node& root, const char* list, const char* inner,
                               const std::string& name) {
  const YAML::Node items = root[list];
  if (items && items.IsSequence()) {
    for (const auto& item : items) {
      if (scalar(item, "name") == name) {
        const YAML::Node body = item[inner];
        if (!body || !body.IsMap()) {
          return fail(std::string(list) + "[" + name + "]." + inner + ": missing or not a mapping");
        }
        return body;
      }
    }
  }
  return fail(std::string(list) + ": no entry named \"" + name + "\"");
}

// Reads either `<key>-data` (base64) or `<key>` (a file path) into PEM text.
Expected<std::string> dataOrFile(const YAML::Node& node, const std::string& key, const std::string& where,
                                 const std::string& baseDir) {
  const std::string data = scalar(node, (key + "-data").c_str());
  if (!data.empty()) {
    return decodeBase64(data, where + "." + key + "-data");
  }
  const std::string file = scalar(node, key.c_str());
  if (file.empty()) {
    return std::string();
  }
  auto text = readFile(resolvePath(file, baseDir));
  if (!text) {
    return fail(where + "." + key + ": " + text.error().message);
  }
  return std::move(*text);
}

}  // namespace

EnvLookup processEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
      return std::nullopt;
    }
    return std::string(v);
  };
}

Expected<ClusterConnection> parseKubeConfig(const std::string& yamlText, const std::string& baseDir,
                                            const std::string& context) {
  YAML::Node root;
  try {
    root = YAML::Load(yamlText);
  } catch (const YAML::Exception& e) {
    return fail("kubeconfig: invalid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) {
    return fail("kubeconfig: top level is not a mapping");
  }
  try {
    std::string contextName = context.empty() ? scalar(root, "current-context") : context;
    if (contextName.empty()) {
      return fail("kubeconfig: current-context is not set and no --context was given");
    }
    auto ctx = findNamed(root, "contexts", "context", contextName);
    if (!ctx) {
      return fail("kubeconfig: context \"" + contextName + "\": " + ctx.error().message);
    }
    const std::string clusterName = scalar(*ctx, "cluster");
    const std::string userName = scalar(*ctx, "user");
    auto cluster = findNamed(root, "clusters", "cluster", clusterName);
    if (!cluster) {
      return fail("kubeconfig: context \"" + contextName + "\": " + cluster.error().message);
    }
    ClusterConnection conn;
    conn.server = scalar(*cluster, "server");
    if (conn.server.empty()) {
      return fail("kubeconfig: clusters[" + clusterName + "].cluster.server is empty");
    }
    if (conn.server.rfind("https://", 0) != 0) {
      return fail("kubeconfig: clusters[" + clusterName + "].cluster.server must be an https:// URL, got " +
                  conn.server);
    }
    const std::string insecure = scalar(*cluster, "insecure-skip-tls-verify");
    conn.insecureSkipTlsVerify = insecure == "true";
    conn.tlsServerName = scalar(*cluster, "tls-server-name");
    auto ca = dataOrFile(*cluster, "certificate-authority", "clusters[" + clusterName + "].cluster", baseDir);
    if (!ca) {
      return fail("kubeconfig: " + ca.error().message);
    }
    conn.caPem = std::move(*ca);
    const std::string ns = scalar(*ctx, "namespace");
    if (!ns.empty()) {
      conn.defaultNamespace = ns;
    }
    if (!userName.empty()) {
      auto user = findNamed(root, "users", "user", userName);
      if (!user) {
        return fail("kubeconfig: context \"" + contextName + "\": " + user.error().message);
      }
      const std::string where = "users[" + userName + "].user";
      conn.bearerToken = scalar(*user, "token");
      const std::string tokenFile = scalar(*user, "tokenFile");
      if (conn.bearerToken.empty() && !tokenFile.empty()) {
        conn.tokenFile = resolvePath(tokenFile, baseDir);
        auto token = readFile(conn.tokenFile);
        if (!token) {
          return fail("kubeconfig: " + where + ".tokenFile: " + token.error().message);
        }
      }
      auto cert = dataOrFile(*user, "client-certificate", where, baseDir);
      if (!cert) {
        return fail("kubeconfig: " + cert.error().message);
      }
      auto key = dataOrFile(*user, "client-key", where, baseDir);
      if (!key) {
        return fail("kubeconfig: " + key.error().message);
      }
      if (cert->empty() != key->empty()) {
        return fail("kubeconfig: " + where + ": client-certificate and client-key must be given together");
      }
      conn.clientCertPem = std::move(*cert);
      conn.clientKeyPem = std::move(*key);
    }
    return conn;
  } catch (const YAML::Exception& e) {
    return fail("kubeconfig: unexpected structure at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Expected<ClusterConnection> loadKubeConfigFile(const std::string& path, const std::string& context) {
  auto text = readFile(path);
  if (!text) {
    return fail("kubeconfig: " + text.error().message);
  }
  auto conn = parseKubeConfig(*text, dirName(path), context);
  if (!conn) {
    return fail(path + ": " + conn.error().message);
  }
  return conn;
}

Expected<ClusterConnection> loadInClusterConfig(const InClusterPaths& paths, const EnvLookup& env) {
  const auto host = env("KUBERNETES_SERVICE_HOST");
  const auto port = env("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) {
    return fail("in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  ClusterConnection conn;
  // IPv6 service addresses need brackets in a URL.
  const bool ipv6 = host->find(':') != std::string::npos;
  conn.server = "https://" + (ipv6 ? "[" + *host + "]" : *host) + ":" + *port;
  auto token = readFile(paths.tokenPath);
  if (!token) {
    return fail("in-cluster config: service account token: " + token.error().message);
  }
  conn.tokenFile = paths.tokenPath;
  auto ca = readFile(paths.caPath);
  if (!ca) {
    return fail("in-cluster config: service account ca.crt: " + ca.error().message);
  }
  conn.caPem = std::move(*ca);
  if (auto ns = readFile(paths.namespacePath); ns && !ns->empty()) {
    std::string trimmed = *ns;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) {
      trimmed.pop_back();
    }
    conn.defaultNamespace = trimmed;
  }
  return conn;
}

Expected<ClusterConnection> resolveConnection(const KubeConfigOptions& options, const EnvLookup& env,
                                              const InClusterPaths& paths) {
  if (!options.kubeconfigPath.empty()) {
    return loadKubeConfigFile(options.kubeconfigPath, options.context);
  }
  if (auto kc = env("KUBECONFIG"); kc && !kc->empty()) {
    const std::string first = kc->substr(0, kc->find(':'));
    return loadKubeConfigFile(first, options.context);
  }
  if (auto host = env("KUBERNETES_SERVICE_HOST"); host && !host->empty()) {
    return loadInClusterConfig(paths, env);
  }
  if (auto home = env("HOME"); home && !home->empty()) {
    return loadKubeConfigFile(*home + "/.kube/config", options.context);
  }
  return fail("no kubeconfig: pass --kubeconfig, set KUBECONFIG, or run in a cluster");
}

}  // namespace sidecar::controller
