#include "controller/webhook_ca.h"


#include <nlohmann/json.hpp>

#include "controller/resource.h"

namespace sidecar::controller {

namespace {

using resources::kMutatingWebhookConfigurations;
using resources::kSecrets;

ApiResult<CaMaterial> caFromSecret(const nlohmann::json& secret, const std::string& name) {
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object() || !data->contains("tls.crt") ||
      !data->contains("tls.key") || !(*data)["tls.crt"].is_string() ||
      !(*data)["tls.key"].is_string()) {
    return apiFail(ApiError(fail("secret " + name + " has no tls.crt/tls.key").error()));
  }
  auto cert = base64Decode((*data)["tls.crt"].get<std::string>());
  auto key = base64Decode((*data)["tls.key"].get<std::string>());
  if (!cert || !key) {
    return apiFail(ApiError(Error("secret " + name + ": tls.crt/tls.key is not valid base64")));
  }
  return CaMaterial{*cert, *key};
}

}  // namespace

ApiResult<CaMaterial> loadOrCreateSharedCa(RestClient& client, const std::string& ns,
                                           const std::string& name,
                                           const std::function<Expected<CaMaterial>()>& generate) {
  auto existing = client.get(kSecrets, ns, name);
  if (existing) {
    return caFromSecret(*existing, name);
  }
  if (!existing.error().notFound()) {
    return apiFail(existing.error());
  }
  auto fresh = generate();
  if (!fresh) {
    return apiFail(ApiError(fresh.error()));
  }
  nlohmann::json secret = {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata",
       {{"name", name},
        {"namespace", ns},
        {"labels", {{"app.kubernetes.io/name", "sidecar-injector"}}}}},
      {"type", "kubernetes.io/tls"},
      {"data", {{"tls.crt", base64Encode(fresh->certPem)}, {"tls.key", base64Encode(fresh->keyPem)}}},
  };
  auto created = client.create(kSecrets, ns, secret);
  if (created) {
    return *fresh;
  }
  if (created.error().status == 409) {
    // Another replica won the race: use its CA so all replicas agree.
    auto winner = client.get(kSecrets, ns, name);
    if (!winner) {
      return apiFail(winner.error());
    }
    return caFromSecret(*winner, name);
  }
  return apiFail(created.error());
}

ApiResult<bool> ensureCaBundle(RestClient& client, const std::string& webhookConfigName,
                               const std::string& caPem) {
  auto config = client.get(kMutatingWebhookConfigurations, "", webhookConfigName);
  if (!config) {
    return apiFail(config.error());
  }
  const std::string bundle = base64Encode(caPem);
  nlohmann::json ops = nlohmann::json::array();
  const auto& webhooks = config->value("webhooks", nlohmann::json::array());
  for (size_t i = 0; i < webhooks.size(); ++i) {
    const auto& clientConfig = webhooks[i].value("clientConfig", nlohmann::json::object());
    if (clientConfig.value("caBundle", "") == bundle) {
      continue;
    }
    ops.push_back({{"op", "add"},
                   {"path", "/webhooks/" + std::to_string(i) + "/clientConfig/caBundle"},
                   {"value", bundle}});
  }
  if (ops.empty()) {
    return false;
  }
  // A test op on resourceVersion makes a concurrent edit fail instead of being overwritten
  // with indices that no longer match.
  std::string rv = (*config)["metadata"].value("resourceVersion", "");
  if (!rv.empty()) {
    nlohmann::json test = {{"op", "test"}, {"path", "/metadata/resourceVersion"}, {"value", rv}};
    ops.insert(ops.begin(), std::move(test));
  }
  auto patched = client.patch(kMutatingWebhookConfigurations, "", webhookConfigName,
                              PatchType::JsonPatch, ops.dump());
  if (!patched) {
    return apiFail(patched.error());
  }
  return true;
}

}  // namespace sidecar::controller
