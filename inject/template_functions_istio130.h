#pragma once

// The functions Istio 1.30 parses its injection templates with: sprig.TxtFuncMap() overlaid
// with pkg/kube/inject's InjectionFuncmap (template.go), whose entries win. Istio's deviate
// from sprig's of the same name: `indent` pads every line but the first, `contains` keeps
// sprig's argument order, `env` takes a default, `omit` works on map[string]string,
// `toYaml` keeps the final newline.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "template/template.h"

namespace sidecar::inject {

// istiod's environment, for `env`; inject/ does no I/O, so the caller supplies the lookup.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// A fresh function set (build it once per config and share it; it is immutable).
std::shared_ptr<const tmpl::FuncMap> makeIstio130Functions(EnvLookup env);

// encoding/json's MarshalIndent(v, "", "  ") of compact Go JSON, and its output without
// HTML escaping (json.Encoder.SetEscapeHTML(false)).
std::string goJsonIndent(std::string_view compact);
std::string goJsonUnescapeHtml(std::string_view compact);

}  // namespace sidecar::inject
