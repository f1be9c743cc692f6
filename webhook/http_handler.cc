#include "webhook/http_handler.h"

#include <simdjson.h>

#include <chrono>
#include <exception>

#include "webhook/admission_review.h"
#include "webhook/log.h"

namespace sidecar::webhook {

namespace {

std::string_view pathOf(std::string_view target) {
  return target.substr(0, target.find('?'));
}

bool isReadMethod(std::string_view method) {
  return method == "GET" || method == "HEAD";
}

std::string_view outcomeName(MutationResult::Outcome outcome) {
  switch (outcome) {
    case MutationResult::Outcome::Patched:
      return "patched";
    case MutationResult::Outcome::Skipped:
      return "skipped";
    case MutationResult::Outcome::Failed:
      return "failed";
  }
  return "unknown";
}

// The pod as log lines name it. A controller's pods reach admission without a name (the API
// server makes it up from generateName afterwards), so those show the prefix and "*****", as
// Istio's injector logs them. Only called to build a log line, so the parse stays off the
// hot path.
std::string podLogName(const AdmissionRequestView& view) {
  if (!view.name.empty()) {
    return std::string(view.name);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element pod;
  std::string_view generateName;
  if (parser.parse(view.object.data(), view.object.size()).get(pod) == simdjson::SUCCESS &&
      pod["metadata"]["generateName"].get(generateName) == simdjson::SUCCESS &&
      !generateName.empty()) {
    return std::string(generateName) + "*****";
  }
  return "";
}

}  // namespace

// The mutator is another team's code running on an I/O thread: an escaping exception would
// unwind through Asio and take the process down, so it becomes a 500 denial instead.
MutationResult RequestHandler::mutateGuarded(const AdmissionRequestView& view) const {
  try {
    return mutator_->mutate(view);
  } catch (const std::exception& e) {
    return {MutationResult::Outcome::Failed, "", "internal_error",
            std::string("internal error while injecting: ") + e.what(), ErrorCode::Internal};
  } catch (...) {
    return {MutationResult::Outcome::Failed, "", "internal_error",
            "internal error while injecting: unknown exception", ErrorCode::Internal};
  }
}

bool isJsonContentType(std::string_view contentType) {
  std::string_view media = contentType.substr(0, contentType.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) {
    media.remove_suffix(1);
  }
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) {
    media.remove_prefix(1);
  }
  constexpr std::string_view kJson = "application/json";
  if (media.size() != kJson.size()) {
    return false;
  }
  for (size_t i = 0; i < media.size(); ++i) {
    char c = media[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != kJson[i]) {
      return false;
    }
  }
  return true;
}

RequestHandler::RequestHandler(PodMutatorPtr mutator, std::shared_ptr<Metrics> metrics,
                               HandlerOptions options, ReadinessCheck extraReadiness)
    : mutator_(std::move(mutator)),
      metrics_(std::move(metrics)),
      options_(options),
      extraReadiness_(std::move(extraReadiness)) {}

HttpResponse RequestHandler::error(int status, std::string message) const {
  metrics_->httpError(status);
  HttpResponse response;
  response.status = status;
  response.body = std::move(message);
  response.body += '\n';
  return response;
}

bool RequestHandler::ready(std::string* why) const {
  if (!mutator_->ready(why)) {
    return false;
  }
  if (extraReadiness_ && !extraReadiness_(why)) {
    return false;
  }
  return true;
}

HttpResponse RequestHandler::handle(const HttpRequest& request) const {
  const std::string_view path = pathOf(request.target);
  if (path == "/inject" && options_.serveInject) {
    return handleInject(request);
  }
  const bool known = path == "/healthz" || path == "/readyz" || path == "/metrics";
  if (!known) {
    return error(404, "no handler for " + std::string(path));
  }
  if (!isReadMethod(request.method)) {
    HttpResponse response = error(
        405, "method " + std::string(request.method) + " not allowed on " + std::string(path));
    response.allow = "GET, HEAD";
    return response;
  }
  HttpResponse response;
  if (path == "/healthz") {
    response.body = "ok\n";
  } else if (path == "/readyz") {
    std::string why;
    if (ready(&why)) {
      response.body = "ok\n";
    } else {
      response.status = 503;
      response.body = "not ready: " + (why.empty() ? std::string("unknown reason") : why) + "\n";
    }
    if (options_.readinessDetail) {
      response.body += options_.readinessDetail();
    }
  } else {
    response.contentType = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics_->serialize();
  }
  return response;
}

HttpResponse RequestHandler::handleInject(const HttpRequest& request) const {
  if (request.method != "POST") {
    HttpResponse response =
        error(405, "method " + std::string(request.method) + " not allowed on /inject, use POST");
    response.allow = "POST";
    return response;
  }
  metrics_->injectionRequested();
  if (!isJsonContentType(request.contentType)) {
    return error(415, "invalid Content-Type \"" + std::string(request.contentType) +
                          "\", want application/json");
  }
  if (request.body.empty()) {
    return error(400, "empty body, want an AdmissionReview");
  }
  if (request.body.size() > options_.maxBodyBytes) {
    return error(413, "body of " + std::to_string(request.body.size()) + " bytes exceeds the " +
                          std::to_string(options_.maxBodyBytes) + "-byte limit");
  }

  const auto start = std::chrono::steady_clock::now();
  auto review = decodeAdmissionReview(request.body);
  if (!review) {
    metrics_->injectionFailed("bad_request");
    logLazy("webhook", LogLevel::Debug,
            [&] { return "rejecting admission review: " + review.error().message; });
    return error(400, review.error().message);
  }

  HttpResponse response;
  response.contentType = "application/json";
  const AdmissionRequestView& view = review->request;
  if (!review->objectError.empty()) {
    metrics_->injectionFailed("invalid_object");
    response.body = encodeAdmissionDenial(review->apiVersion, view.uid, 400, review->objectError);
    logLazy("webhook", LogLevel::Debug,
            [&] { return "uid=" + std::string(view.uid) + " denied: " + review->objectError; });
  } else {
    MutationResult result = mutateGuarded(view);
    switch (result.outcome) {
      case MutationResult::Outcome::Patched:
        metrics_->injectionSucceeded();
        break;
      case MutationResult::Outcome::Skipped:
        metrics_->injectionSkipped(result.reason);
        break;
      case MutationResult::Outcome::Failed:
        metrics_->injectionFailed(result.reason);
        // A bad request is the caller's business; anything else is ours to look at.
        logger().log("webhook",
                     result.code == ErrorCode::InvalidArgument ? LogLevel::Warn : LogLevel::Error,
                     "injection failed for " + std::string(view.namespace_) + "/" +
                         podLogName(view) + " (uid " + std::string(view.uid) + ", " +
                         std::string(errorCodeName(result.code)) + "): " + result.message);
        break;
    }
    response.body = encodeAdmissionResponse(review->apiVersion, view.uid, result);
    logLazy("webhook", LogLevel::Debug, [&] {
      return "uid=" + std::string(view.uid) + " " + std::string(view.namespace_) + "/" +
             podLogName(view) + " op=" + std::string(view.operation) +
             " outcome=" + std::string(outcomeName(result.outcome)) + " reason=" + result.reason +
             " patch_bytes=" + std::to_string(result.patch.size()) + ": " + result.message;
    });
  }
  metrics_->observeInjectionTime(std::chrono::steady_clock::now() - start);
  return response;
}

}  // namespace sidecar::webhook
