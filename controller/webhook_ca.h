#pragma once

// The CA behind `serve --self-signed` in a cluster. Every replica must present a serving
// certificate from the SAME CA, because the MutatingWebhookConfiguration carries one
// caBundle and the API server may call any replica. The CA therefore lives in a Secret: the
// first replica creates it, the others (and restarts) reuse it. Then each replica makes sure
// the webhook configuration's caBundle names it — the job cert-manager's cainjector does.

#include <functional>
#include <string>

#include "common/base64.h"
#include "controller/api_error.h"
#include "controller/rest_client.h"

namespace sidecar::controller {

struct CaMaterial {
  std::string certPem;
  std::string keyPem;
};

// Reads the CA from Secret `ns/name` (keys tls.crt, tls.key), creating it with `generate`
// when absent. Two replicas racing to create it both end up with the winner's CA.
ApiResult<CaMaterial> loadOrCreateSharedCa(RestClient& client, const std::string& ns,
                                           const std::string& name,
                                           const std::function<Expected<CaMaterial>()>& generate);

// Sets clientConfig.caBundle of every webhook in the named MutatingWebhookConfiguration to
// `caPem`. Returns whether anything changed (false when it was already right).
ApiResult<bool> ensureCaBundle(RestClient& client, const std::string& webhookConfigName,
                               const std::string& caPem);

using sidecar::base64Decode;
using sidecar::base64Encode;

}  // namespace sidecar::controller
