#include "test/apiserver/admission.h"

#include <algorithm>

#include "common/base64.h"
#include "kube/json_patch.h"
#include "test/apiserver/https_client.h"
#include "test/apiserver/managed_fields.h"
#include "test/apiserver/random_names.h"
#include "test/apiserver/selectors.h"
#include "test/apiserver/service_account_admission.h"

namespace sidecar::testapi {

using nlohmann::json;

namespace {

bool listHasAny(const json& rule, const char* field, std::initializer_list<const char*> accepted) {
  auto it = rule.find(field);
  if (it == rule.end() || !it->is_array()) {
    return false;
  }
  return std::any_of(it->begin(), it->end(), [&](const json& v) {
    return v.is_string() && std::any_of(accepted.begin(), accepted.end(),
                                        [&](const char* a) { return v.get<std::string>() == a; });
  });
}

// A pod (no subresource) matches "pods", "*" and "*/*" but not "pods/*" (subresources only).
bool ruleMatchesPodCreate(const json& rule) {
  if (!rule.is_object()) {
    return false;
  }
  const std::string scope = rule.value("scope", "*");
  return listHasAny(rule, "operations", {"CREATE", "*"}) &&
         listHasAny(rule, "apiGroups", {"", "*"}) && listHasAny(rule, "apiVersions", {"v1", "*"}) &&
         listHasAny(rule, "resources", {"pods", "*", "*/*"}) &&
         (scope == "*" || scope == "Namespaced");
}

std::string str(const json& o, const char* key, const std::string& dflt = "") {
  if (!o.is_object()) {
    return dflt;
  }
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : dflt;
}

ApiResponse denial(const std::string& webhook, const json& status) {
  const std::string message = str(status, "message");
  int code = status.is_object() && status.contains("code") && status["code"].is_number_integer()
                 ? status["code"].get<int>()
                 : 0;
  if (code < 400 || code > 599) {
    code = 400;
  }
  const std::string text = "admission webhook \"" + webhook + "\" denied the request" +
                           (message.empty() ? " without explanation" : ": " + message);
  std::string reason = str(status, "reason");
  if (reason.empty()) {
    reason = code == 403 ? "Forbidden" : "BadRequest";
  }
  return statusResponse(code, reason, text);
}

}  // namespace

Expected<std::pair<std::string, std::string>> parseServiceEndpoint(const std::string& flag) {
  const auto eq = flag.find('=');
  const auto slash = flag.find('/');
  if (eq == std::string::npos || slash == std::string::npos || slash > eq || slash == 0 ||
      slash + 1 == eq) {
    return fail("--service-endpoint \"" + flag + "\": expected NAMESPACE/NAME=HOST:PORT");
  }
  const std::string target = flag.substr(eq + 1);
  const auto colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == target.size() ||
      target.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
      target.size() - colon > 6 || std::stoi(target.substr(colon + 1)) > 65535) {
    return fail("--service-endpoint \"" + flag + "\": expected HOST:PORT after '=' (port 1-65535)");
  }
  return std::pair{flag.substr(0, eq), target};
}

Expected<bool> webhookMatchesPodCreate(const json& webhook, const json& namespaceObject,
                                       const json& pod) {
  const json rules = webhook.is_object() ? webhook.value("rules", json::array()) : json::array();
  if (!rules.is_array() || std::none_of(rules.begin(), rules.end(), ruleMatchesPodCreate)) {
    return false;
  }
  auto nsSelector =
      parseLabelSelectorObject(webhook.value("namespaceSelector", json()), "namespaceSelector");
  if (!nsSelector) {
    return Unexpected<Error>(nsSelector.error());
  }
  auto objSelector =
      parseLabelSelectorObject(webhook.value("objectSelector", json()), "objectSelector");
  if (!objSelector) {
    return Unexpected<Error>(objSelector.error());
  }
  // The API server labels every namespace with its name; selectors may rely on it even for
  // namespaces created before that label existed.
  json ns = namespaceObject;
  const std::string nsName = str(ns.value("metadata", json::object()), "name");
  ns["metadata"]["labels"]["kubernetes.io/metadata.name"] = nsName;
  return matchesLabels(*nsSelector, ns) && matchesLabels(*objSelector, pod);
}

MutatingAdmission::MutatingAdmission(ObjectStore& store,
                                     std::map<std::string, std::string> serviceEndpoints)
    : store_(store), serviceEndpoints_(std::move(serviceEndpoints)) {}

MutatingAdmission::CallResult MutatingAdmission::call(const json& webhook, const json& review) {
  CallResult out;
  const json clientConfig = webhook.value("clientConfig", json::object());
  HttpsRequest req;
  std::string url;
  if (clientConfig.contains("url") && clientConfig["url"].is_string()) {
    url = clientConfig["url"].get<std::string>();
    if (url.rfind("https://", 0) != 0) {
      out.error = "clientConfig.url \"" + url + "\": must be https://";
      return out;
    }
    const std::string rest = url.substr(8);
    const auto slash = rest.find('/');
    const std::string hostPort = rest.substr(0, slash);
    req.target = slash == std::string::npos ? "/" : rest.substr(slash);
    const auto colon = hostPort.rfind(':');
    const bool bracketed = !hostPort.empty() && hostPort.front() == '[';
    if (colon != std::string::npos && (!bracketed || hostPort[colon - 1] == ']')) {
      req.host = hostPort.substr(0, colon);
      req.port = static_cast<uint16_t>(std::atoi(hostPort.c_str() + colon + 1));
    } else {
      req.host = hostPort;
    }
    if (bracketed && req.host.size() >= 2) {
      req.host = req.host.substr(1, req.host.size() - 2);
    }
  } else if (clientConfig.contains("service") && clientConfig["service"].is_object()) {
    const json& svc = clientConfig["service"];
    const std::string ns = str(svc, "namespace");
    const std::string name = str(svc, "name");
    const std::string path = str(svc, "path", "/");
    const int port =
        svc.contains("port") && svc["port"].is_number_integer() ? svc["port"].get<int>() : 443;
    url = "https://" + name + "." + ns + ".svc:" + std::to_string(port) + path;
    req.verifyHost = name + "." + ns + ".svc";
    req.target = path.empty() ? "/" : path;
    auto it = serviceEndpoints_.find(ns + "/" + name);
    if (it == serviceEndpoints_.end()) {
      out.error = "failed to call webhook: Post \"" + url + "\": service \"" + ns + "/" + name +
                  "\" has no endpoint (start test-apiserver with --service-endpoint " + ns + "/" +
                  name + "=HOST:PORT)";
      return out;
    }
    const auto colon = it->second.rfind(':');
    req.host = it->second.substr(0, colon);
    req.port = static_cast<uint16_t>(std::atoi(it->second.c_str() + colon + 1));
  } else {
    out.error = "clientConfig: neither url nor service is set";
    return out;
  }
  int timeoutSeconds = 10;
  if (webhook.contains("timeoutSeconds") && webhook["timeoutSeconds"].is_number_integer()) {
    timeoutSeconds = std::clamp(webhook["timeoutSeconds"].get<int>(), 1, 30);
  }
  req.target += (req.target.find('?') == std::string::npos ? "?" : "&") + std::string("timeout=") +
                std::to_string(timeoutSeconds) + "s";
  req.timeout = std::chrono::seconds(timeoutSeconds);
  const std::string postUrl =
      "Post \"" + url + "?timeout=" + std::to_string(timeoutSeconds) + "s\": ";
  const std::string bundle = str(clientConfig, "caBundle");
  auto ca = base64Decode(bundle);
  if (!ca) {
    out.error = "failed to call webhook: clientConfig.caBundle: " + ca.error().message;
    return out;
  }
  req.caPem = *ca;
  req.method = "POST";
  req.body = review.dump();
  req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  auto res = httpsRequest(req);
  if (!res) {
    out.error = "failed to call webhook: " + postUrl + res.error().message;
    return out;
  }
  if (res->status != 200) {
    out.error = "received invalid webhook response: HTTP " + std::to_string(res->status) + ": " +
                res->body.substr(0, 300);
    return out;
  }
  json body = json::parse(res->body, nullptr, false);
  if (!body.is_object() || !body.contains("response") || !body["response"].is_object()) {
    out.error =
        "received invalid webhook response: the body is not an AdmissionReview with a response";
    return out;
  }
  const std::string expectedUid = review["request"]["uid"].get<std::string>();
  if (str(body["response"], "uid") != expectedUid) {
    out.error = "received invalid webhook response: expected response.uid=\"" + expectedUid +
                "\", got \"" + str(body["response"], "uid") + "\"";
    return out;
  }
  if (!body["response"].contains("allowed") || !body["response"]["allowed"].is_boolean()) {
    out.error = "received invalid webhook response: response.allowed is missing";
    return out;
  }
  out.ok = true;
  out.response = std::move(body["response"]);
  return out;
}

void MutatingAdmission::record(uint64_t id, AdmissionRecord r) {
  std::lock_guard lock(mutex_);
  log_.emplace_back(id, std::move(r));
}

void MutatingAdmission::nameRecords(uint64_t id, const std::string& podName) {
  std::lock_guard lock(mutex_);
  for (auto& [recordId, r] : log_) {
    if (recordId == id) {
      r.podName = podName;
    }
  }
}

std::vector<AdmissionRecord> MutatingAdmission::log() const {
  std::lock_guard lock(mutex_);
  std::vector<AdmissionRecord> out;
  out.reserve(log_.size());
  for (const auto& [id, r] : log_) {
    out.push_back(r);
  }
  return out;
}

void MutatingAdmission::clearLog() {
  std::lock_guard lock(mutex_);
  log_.clear();
}

AdmissionOutcome MutatingAdmission::admitPodCreate(const std::string& ns, json pod, bool dryRun) {
  AdmissionOutcome outcome;
  outcome.id = nextId_++;
  if (!pod.is_object()) {
    outcome.object = std::move(pod);
    return outcome;
  }
  if (!pod["metadata"].is_object()) {
    pod["metadata"] = json::object();
  }
  pod["metadata"]["namespace"] = ns;
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  const ApiResponse nsRes = store_.request("GET", "/api/v1/namespaces/" + ns);
  const ApiResponse configsRes =
      store_.request("GET", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations");
  if (nsRes.status != 200 || configsRes.status != 200) {
    // The store answers a missing namespace itself, with the usual 404.
    outcome.object = std::move(pod);
    return outcome;
  }
  const json nsObject = json::parse(nsRes.body);
  json configs = json::parse(configsRes.body)["items"];
  std::sort(configs.begin(), configs.end(), [](const json& a, const json& b) {
    return str(a.value("metadata", json::object()), "name") <
           str(b.value("metadata", json::object()), "name");
  });
  const std::string podName = str(pod["metadata"], "name");
  for (const json& config : configs) {
    const json webhooks = config.value("webhooks", json::array());
    if (!webhooks.is_array()) {
      continue;
    }
    for (const json& webhook : webhooks) {
      if (!webhook.is_object()) {
        continue;
      }
      AdmissionRecord rec;
      rec.configuration = str(config.value("metadata", json::object()), "name");
      rec.webhook = str(webhook, "name");
      rec.namespaceName = ns;
      rec.podName = podName;
      const bool ignoreFailures = str(webhook, "failurePolicy", "Fail") == "Ignore";
      auto callFailed = [&](const std::string& why) -> bool {
        rec.error = why;
        rec.allowed = ignoreFailures;
        record(outcome.id, rec);
        if (!ignoreFailures) {
          outcome.allowed = false;
          outcome.rejection = statusResponse(
              500, "InternalError",
              "Internal error occurred: failed calling webhook \"" + rec.webhook + "\": " + why);
        }
        return !ignoreFailures;
      };
      auto matched = webhookMatchesPodCreate(webhook, nsObject, pod);
      if (!matched) {
        if (callFailed(matched.error().message)) {
          return outcome;
        }
        continue;
      }
      if (!*matched) {
        continue;
      }
      std::string reviewVersion = "v1";
      if (webhook.contains("admissionReviewVersions") &&
          webhook["admissionReviewVersions"].is_array()) {
        const json& versions = webhook["admissionReviewVersions"];
        const bool v1 = std::find(versions.begin(), versions.end(), json("v1")) != versions.end();
        const bool v1beta1 =
            std::find(versions.begin(), versions.end(), json("v1beta1")) != versions.end();
        if (!v1 && !v1beta1) {
          if (callFailed("admissionReviewVersions: none of v1, v1beta1 is listed")) {
            return outcome;
          }
          continue;
        }
        reviewVersion = v1 ? "v1" : "v1beta1";
      }
      const json gvk = {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}};
      const json gvr = {{"group", ""}, {"version", "v1"}, {"resource", "pods"}};
      json review = {
          {"apiVersion", "admission.k8s.io/" + reviewVersion},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", newUid()},
            {"kind", gvk},
            {"resource", gvr},
            {"requestKind", gvk},
            {"requestResource", gvr},
            {"name", podName},
            {"namespace", ns},
            {"operation", "CREATE"},
            {"userInfo",
             {{"username", "test-user"}, {"groups", {"system:masters", "system:authenticated"}}}},
            {"object", pod},
            {"oldObject", nullptr},
            {"dryRun", dryRun},
            {"options", {{"kind", "CreateOptions"}, {"apiVersion", "meta.k8s.io/v1"}}}}}};
      const auto started = std::chrono::steady_clock::now();
      CallResult result = call(webhook, review);
      rec.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      if (!result.ok) {
        if (callFailed(result.error)) {
          return outcome;
        }
        continue;
      }
      rec.called = true;
      const json& response = result.response;
      if (!response["allowed"].get<bool>()) {
        outcome.allowed = false;
        outcome.rejection = denial(rec.webhook, response.value("status", json::object()));
        rec.error = json::parse(outcome.rejection.body).value("message", "");
        record(outcome.id, rec);
        return outcome;
      }
      rec.allowed = true;
      const std::string patchText = str(response, "patch");
      if (!patchText.empty()) {
        const std::string patchType = str(response, "patchType", "JSONPatch");
        auto decoded = base64Decode(patchText);
        std::string problem;
        json patched;
        if (patchType != "JSONPatch") {
          problem = "unsupported patchType \"" + patchType + "\"";
        } else if (!decoded) {
          problem = "response.patch: " + decoded.error().message;
        } else {
          json ops = json::parse(*decoded, nullptr, false);
          if (ops.is_discarded()) {
            problem = "response.patch: not valid JSON";
          } else if (auto applied = kube::applyPatch(pod, ops); !applied) {
            problem = applied.error().message;
          } else if (!applied->is_object() || !applied->contains("metadata") ||
                     !(*applied)["metadata"].is_object()) {
            problem = "the patched pod has no metadata object";
          } else {
            patched = std::move(*applied);
          }
        }
        if (!problem.empty()) {
          // Like the API server: a broken patch is the webhook's bug and rejects the
          // create whatever the failure policy says.
          rec.error = problem;
          record(outcome.id, rec);
          outcome.allowed = false;
          outcome.rejection =
              statusResponse(500, "InternalError",
                             "Internal error occurred: admission webhook \"" + rec.webhook +
                                 "\" returned an invalid patch: " + problem);
          return outcome;
        }
        rec.patched = patched != pod;
        pod = std::move(patched);
        // The webhook must not move the pod elsewhere.
        pod["metadata"]["namespace"] = ns;
      }
      record(outcome.id, rec);
    }
  }
  outcome.object = std::move(pod);
  return outcome;
}

ApiResponse MutatingAdmission::createPod(const ApiRequest& request, const std::string& ns) {
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object()) {
    return *store_.route(request).response;
  }
  if (body.contains("metadata") && body["metadata"].is_object()) {
    const std::string bodyNs = str(body["metadata"], "namespace");
    if (!bodyNs.empty() && bodyNs != ns) {
      // Let the store phrase the mismatch error; no webhook should see such a request.
      return *store_.route(request).response;
    }
  }
  if (!body["metadata"].is_object()) {
    body["metadata"] = json::object();
  }
  // kube-apiserver's order: the namespace from the URL, the field manager's managedFields,
  // then the admission chain (ServiceAccount before MutatingAdmissionWebhook).
  body["metadata"]["namespace"] = ns;
  addCreateManagedFields(body, fieldManagerOf(request), "v1", nowRfc3339());
  json serviceAccount;
  const std::string saName =
      str(body.value("spec", json::object()), "serviceAccountName", "default");
  if (ApiResponse sa =
          store_.request("GET", "/api/v1/namespaces/" + ns + "/serviceaccounts/" + saName);
      sa.status == 200) {
    serviceAccount = json::parse(sa.body, nullptr, false);
  }
  admitServiceAccount(body, serviceAccount, nameSuffix());
  AdmissionOutcome outcome = admitPodCreate(ns, std::move(body), request.query.count("dryRun") > 0);
  if (!outcome.allowed) {
    return outcome.rejection;
  }
  ApiRequest admitted = request;
  admitted.body = outcome.object.dump();
  admitted.contentType = "application/json";
  ApiResponse created = *store_.route(admitted).response;
  if (created.status == 201) {
    const json stored = json::parse(created.body, nullptr, false);
    if (stored.is_object()) {
      nameRecords(outcome.id, str(stored.value("metadata", json::object()), "name"));
    }
  }
  return created;
}

}  // namespace sidecar::testapi
