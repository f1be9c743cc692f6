#include "webhook/admission_review.h"

#include <simdjson.h>

#include "common/base64.h"
#include "webhook/json_write.h"

namespace sidecar::webhook {

namespace {

// Reused per thread so steady-state decoding allocates nothing; bodies above this size get
// a one-off parser instead, so one huge review does not pin its buffers for ever.
constexpr size_t kReusableParserLimit = 1 << 20;

std::string errorText(simdjson::error_code code) { return simdjson::error_message(code); }

// Reads an optional string field of obj; absent or null gives "", another type is an error.
Expected<std::string_view> optionalString(simdjson::dom::object obj, std::string_view key,
                                          std::string_view path) {
  simdjson::dom::element value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) {
    return std::string_view{};
  }
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) {
    return fail(std::string(path) + " must be a string");
  }
  return s;
}

}  // namespace

std::string_view apiVersionString(AdmissionApiVersion version) {
  return version == AdmissionApiVersion::V1 ? "admission.k8s.io/v1" : "admission.k8s.io/v1beta1";
}

Expected<DecodedReview> decodeAdmissionReview(std::string_view body) {
  DecodedReview review;
  simdjson::dom::parser* parser = nullptr;
  if (body.size() <= kReusableParserLimit) {
    thread_local simdjson::dom::parser reusable(kReusableParserLimit);
    parser = &reusable;
  } else {
    auto owned = std::make_shared<simdjson::dom::parser>(body.size());
    parser = owned.get();
    review.keepAlive = owned;
  }

  // The parser's default depth limit (1024) turns hostile nesting into a clean error.
  simdjson::dom::element root;
  if (auto err = parser->parse(body.data(), body.size()).get(root); err != simdjson::SUCCESS) {
    return fail("malformed AdmissionReview JSON: " + errorText(err));
  }
  simdjson::dom::object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    return fail("AdmissionReview must be a JSON object");
  }

  auto apiVersion = optionalString(top, "apiVersion", "apiVersion");
  if (!apiVersion) {
    return Unexpected(apiVersion.error());
  }
  if (*apiVersion == "admission.k8s.io/v1") {
    review.apiVersion = AdmissionApiVersion::V1;
  } else if (*apiVersion == "admission.k8s.io/v1beta1") {
    review.apiVersion = AdmissionApiVersion::V1beta1;
  } else if (apiVersion->empty()) {
    return fail("apiVersion is missing (want admission.k8s.io/v1 or admission.k8s.io/v1beta1)");
  } else {
    return fail("unsupported apiVersion \"" + std::string(*apiVersion) +
                "\" (want admission.k8s.io/v1 or admission.k8s.io/v1beta1)");
  }
  auto kind = optionalString(top, "kind", "kind");
  if (!kind) {
    return Unexpected(kind.error());
  }
  if (!kind->empty() && *kind != "AdmissionReview") {
    return fail("kind is \"" + std::string(*kind) + "\", want AdmissionReview");
  }

  simdjson::dom::element requestValue;
  if (top.at_key("request").get(requestValue) != simdjson::SUCCESS || requestValue.is_null()) {
    return fail("request is missing");
  }
  simdjson::dom::object request;
  if (requestValue.get_object().get(request) != simdjson::SUCCESS) {
    return fail("request must be an object");
  }

  auto uid = optionalString(request, "uid", "request.uid");
  if (!uid) {
    return Unexpected(uid.error());
  }
  if (uid->empty()) {
    return fail("request.uid is missing");
  }
  review.request.uid = *uid;

  simdjson::dom::element kindValue;
  if (request.at_key("kind").get(kindValue) == simdjson::SUCCESS && !kindValue.is_null()) {
    simdjson::dom::object kindObject;
    if (kindValue.get_object().get(kindObject) != simdjson::SUCCESS) {
      return fail("request.kind must be an object");
    }
    auto kindName = optionalString(kindObject, "kind", "request.kind.kind");
    if (!kindName) {
      return Unexpected(kindName.error());
    }
    review.request.kind = *kindName;
  }
  for (auto [key, target] : {std::pair{"namespace", &review.request.namespace_},
                             std::pair{"name", &review.request.name},
                             std::pair{"operation", &review.request.operation}}) {
    auto value = optionalString(request, key, std::string("request.") + key);
    if (!value) {
      return Unexpected(value.error());
    }
    *target = *value;
  }

  simdjson::dom::element object;
  if (request.at_key("object").get(object) != simdjson::SUCCESS || object.is_null()) {
    review.objectError = "request.object is missing";
  } else if (!object.is_object()) {
    review.objectError = "request.object must be a JSON object";
  } else {
    // Re-serialized from the DOM rather than sliced out of the body: locating the span
    // needs a second structural pass, and simdjson's On-Demand API (which has one) runs its
    // portable kernel when compiled for baseline x86-64, which measured slower than this.
    review.objectStorage = std::make_shared<const std::string>(simdjson::minify(object));
    review.request.object = *review.objectStorage;
  }
  return review;
}

namespace {

void appendEnvelopeStart(std::string& out, AdmissionApiVersion version, std::string_view uid) {
  out += R"({"apiVersion":")";
  out += apiVersionString(version);
  out += R"(","kind":"AdmissionReview","response":{"uid":)";
  appendJsonString(out, uid);
}

}  // namespace

std::string encodeAdmissionResponse(AdmissionApiVersion version, std::string_view uid,
                                    const MutationResult& result) {
  if (result.outcome == MutationResult::Outcome::Failed) {
    const bool badInput = result.code == ErrorCode::InvalidArgument;
    return encodeAdmissionDenial(version, uid, badInput ? 400 : 500, result.message);
  }
  std::string out;
  out.reserve(160 + uid.size() + result.patch.size() / 3 * 4 + 4);
  appendEnvelopeStart(out, version, uid);
  out += R"(,"allowed":true)";
  if (result.outcome == MutationResult::Outcome::Patched) {
    out += R"(,"patchType":"JSONPatch","patch":")";
    appendBase64(out, result.patch);
    out += '"';
  }
  out += "}}";
  return out;
}

std::string encodeAdmissionDenial(AdmissionApiVersion version, std::string_view uid, int code,
                                  std::string_view message) {
  std::string out;
  out.reserve(200 + uid.size() + message.size());
  appendEnvelopeStart(out, version, uid);
  out += R"(,"allowed":false,"status":{"status":"Failure","code":)";
  out += std::to_string(code);
  out += R"(,"reason":)";
  out += code == 400 ? R"("BadRequest")" : R"("InternalError")";
  out += R"(,"message":)";
  appendJsonString(out, message);
  out += "}}}";
  return out;
}

}  // namespace sidecar::webhook
