// libFuzzer target for AdmissionReview decoding through the plain request handler: any
// body must produce a 2xx/4xx answer, and every 200 answer must be a well-formed review
// that echoes the request uid.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <simdjson.h>

#include "webhook/admission_review.h"
#include "webhook/http_handler.h"
#include "webhook/log.h"

namespace {

using sidecar::webhook::AdmissionRequestView;
using sidecar::webhook::MutationResult;

// Alternates the three outcomes so every encoder path is reached; echoes parts of the
// request into the patch and message so escaping is exercised with hostile bytes.
class EchoMutator : public sidecar::webhook::PodMutator {
 public:
  MutationResult mutate(const AdmissionRequestView& request) const override {
    switch (request.object.size() % 3) {
      case 0:
        return {MutationResult::Outcome::Patched, std::string(request.object), "", "patched"};
      case 1:
        return {MutationResult::Outcome::Skipped, "", std::string(request.name), "skip"};
      default:
        return {MutationResult::Outcome::Failed, "", "invalid_x",
                std::string(request.uid) + std::string(request.namespace_),
                request.name.size() % 2 == 0 ? sidecar::ErrorCode::InvalidArgument
                                             : sidecar::ErrorCode::Internal};
    }
  }
  bool ready(std::string*) const override { return true; }
};

const sidecar::webhook::RequestHandler& handler() {
  static const sidecar::webhook::RequestHandler instance(
      std::make_shared<EchoMutator>(), std::make_shared<sidecar::webhook::Metrics>(),
      sidecar::webhook::HandlerOptions{1 << 20, true});
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  sidecar::webhook::logger().setLevel("default", sidecar::webhook::LogLevel::None);
  sidecar::webhook::logger().setLevel("webhook", sidecar::webhook::LogLevel::None);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  auto decoded = sidecar::webhook::decodeAdmissionReview(body);
  // Copied: the handler's decode below reuses this thread's parser and its buffers.
  const std::string uid = decoded ? std::string(decoded->request.uid) : std::string();
  if (decoded && decoded->objectError.empty()) {
    // Differential check of the raw-span shortcut: the bytes handed to the mutator must be
    // valid JSON equal to what the DOM holds for request.object.
    simdjson::dom::parser spanParser;
    simdjson::dom::element fromSpan;
    if (spanParser.parse(decoded->request.object.data(), decoded->request.object.size())
            .get(fromSpan) != simdjson::SUCCESS) {
      std::abort();
    }
    simdjson::dom::parser domParser;
    simdjson::dom::element root;
    if (domParser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
      std::abort();
    }
    simdjson::dom::element fromDom;
    if (root["request"]["object"].get(fromDom) != simdjson::SUCCESS ||
        simdjson::minify(fromDom) != simdjson::minify(fromSpan)) {
      std::abort();
    }
  }

  const auto response = handler().handle({"POST", "/inject", "application/json", body});
  if (response.status != 200 && response.status != 400 && response.status != 413) {
    std::abort();
  }
  if (response.status == 200) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(response.body).get(root) != simdjson::SUCCESS) {
      std::abort();
    }
    std::string_view echoed;
    if (root["response"]["uid"].get_string().get(echoed) != simdjson::SUCCESS || !decoded ||
        echoed != uid) {
      // Invalid UTF-8 cannot occur here: simdjson validated the request's strings.
      std::abort();
    }
  }
  return 0;
}
