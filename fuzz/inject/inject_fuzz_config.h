#pragma once

// The injection config the inject fuzzers run with: a compact template that still exercises
// annotations, ports, probes, durations, values and the JSON/YAML helpers.

#include <cstdlib>

#include "inject/config.h"

namespace sidecar::inject::fuzz {

inline const InjectionConfig& fuzzConfig() {
  static const InjectionConfigPtr config = [] {
    auto compiled = compileConfig(R"(policy: enabled
neverInjectSelector:
- matchExpressions: [{key: skip, operator: Exists}]
template: |
  rewriteAppHTTPProbe: {{ valueOrDefault .Values.rewrite false }}
  initContainers:
  - name: istio-init
    image: "{{ .Values.hub }}/init:1"
    args:
    - "-b"
    - "{{ annotation .ObjectMeta `traffic.sidecar.istio.io/includeInboundPorts` (includeInboundPorts .Spec.Containers) }}"
    - "-d"
    - "{{ excludeInboundPort (annotation .ObjectMeta `status.sidecar.istio.io/port` .Values.statusPort) (annotation .ObjectMeta `traffic.sidecar.istio.io/excludeInboundPorts` ``) }}"
  containers:
  - name: istio-proxy
    image: "{{ .Values.hub }}/proxy:1"
    args:
    - --statusPort
    - "{{ annotation .ObjectMeta `status.sidecar.istio.io/port` .Values.statusPort }}"
    - --serviceCluster
    - "{{ valueOrDefault .DeploymentMeta.Name `x` }}.{{ .DeploymentMeta.Namespace }}"
    - --drain
    - "{{ formatDuration .ProxyConfig.DrainDuration }}"
    env:
    - name: PORTS
      value: "[{{ range $i, $c := .Spec.Containers }}{{ range $c.Ports }}{{ structToJSON . }}{{ end }}{{ end }}]"
    - name: LABELS
      value: |
        {{ toJSON .ObjectMeta.Labels }}
    - name: APP
      value: "{{ applicationPorts .Spec.Containers }}"
    {{ if isset .ObjectMeta.Annotations `sidecar.istio.io/userVolumeMount` }}
    volumeMounts:
    {{ range $k, $v := fromJSON (index .ObjectMeta.Annotations `sidecar.istio.io/userVolumeMount`) }}
    - name: "{{ $k }}"
      {{ toYaml $v | indent 4 }}
    {{ end }}
    {{ end }}
    resources:
      limits:
        cpu: "{{ annotation .ObjectMeta `sidecar.istio.io/proxyCPU` `1500m` }}"
  volumes:
  - name: istio-envoy
    emptyDir: {medium: Memory}
  podRedirectAnnot:
    sidecar.istio.io/interceptionMode: "{{ annotation .ObjectMeta `sidecar.istio.io/interceptionMode` .ProxyConfig.InterceptionMode }}"
)",
                                  "", "hub: example.com\nrewrite: true\nstatusPort: 15020\n");
    if (!compiled) {
      std::abort();
    }
    return *compiled;
  }();
  return *config;
}

}  // namespace sidecar::inject::fuzz
