#pragma once

// Small self-contained injection configs for the inject tests (no /work/shared needed).

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "inject/config.h"
#include "kube/yaml.h"

namespace sidecar::inject::testing {

inline const char* kTemplateConfig = R"(policy: enabled
template: |
  rewriteAppHTTPProbe: {{ valueOrDefault .Values.rewrite false }}
  initContainers:
  - name: istio-init
    image: "{{ .Values.hub }}/init:1"
    args:
    - "-b"
    - "{{ annotation .ObjectMeta `traffic.sidecar.istio.io/includeInboundPorts` (includeInboundPorts .Spec.Containers) }}"
    - "-u"
    - 1337
  containers:
  - name: istio-proxy
    image: "{{ .Values.hub }}/proxy:1"
    args:
    - proxy
    - --statusPort
    - "15020"
    - --serviceCluster
    - "{{ .DeploymentMeta.Name }}.{{ .DeploymentMeta.Namespace }}"
    - --drain
    - "{{ formatDuration .ProxyConfig.DrainDuration }}"
    env:
    - name: OWNER
      value: "{{ .TypeMeta.Kind }}"
    - name: MODE
      value: "{{ .ProxyConfig.InterceptionMode }}"
    resources:
      limits:
        cpu: 1500m
  volumes:
  - name: istio-envoy
    emptyDir:
      medium: Memory
  imagePullSecrets:
  - name: pull-secret
  podRedirectAnnot:
    traffic.sidecar.istio.io/includeInboundPorts: "{{ includeInboundPorts .Spec.Containers }}"
    sidecar.istio.io/interceptionMode: "{{ annotation .ObjectMeta `sidecar.istio.io/interceptionMode` .ProxyConfig.InterceptionMode }}"
)";

inline const char* kValues = "hub: example.com\nrewrite: true\n";

inline InjectionConfigPtr compileOrDie(const std::string& injectConfig, const std::string& mesh = "",
                                       const std::string& values = kValues) {
  auto config = compileConfig(injectConfig, mesh, values);
  EXPECT_TRUE(config.has_value()) << (config ? "" : config.error().message);
  if (!config) {
    return nullptr;
  }
  return *config;
}

inline nlohmann::json yaml(const std::string& text) {
  auto parsed = kube::parseYaml(text);
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : nlohmann::json();
}

}  // namespace sidecar::inject::testing
