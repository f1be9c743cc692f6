// A stdin/stdout admission front end for the conformance checker's --webhook-cmd mode: reads
// an AdmissionReview, answers with the AdmissionReview response. Config comes from the
// CONFORMANCE_* environment variables the checker exports (or --injectConfig/--meshConfig/
// --valuesFile flags).

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "inject/admission.h"
#include "inject/config.h"

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}


std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

}  // namespace

int main(int argc, char** argv) {
  std::string injectPath = env("CONFORMANCE_INJECT_CONFIG");
  std::string meshPath = env("CONFORMANCE_MESH");
  std::string valuesPath = env("CONFORMANCE_VALUES");
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--injectConfig") {
      injectPath = argv[++i];
    } else if (a == "--meshConfig") {
      meshPath = argv[++i];
    } else if (a == "--valuesFile") {
      valuesPath = argv[++i];
    }
  }
  auto config = sidecar::inject::compileConfig(readFile(injectPath), meshPath.empty() ? "" : readFile(meshPath),
                                               valuesPath.empty() ? "" : readFile(valuesPath));
  if (!config) {
    std::cerr << "error: " << config.error().message << "\n";
    return 1;
  }
  std::ostringstream s;
  s << std::cin.rdbuf();
  nlohmann::json review = nlohmann::json::parse(s.str(), nullptr, false);
  if (review.is_discarded() || !review.contains("request")) {
    std::cerr << "error: stdin is not an AdmissionReview\n";
    return 1;
  }
  const auto& request = review["request"];
  auto outcome = sidecar::inject::admitPod(**config, request.value("object", nlohmann::json::object()).dump(),
                                           request.value("namespace", std::string()));
  nlohmann::json response{{"uid", request.value("uid", std::string())}};
  if (outcome.kind == sidecar::inject::AdmissionOutcome::Kind::Failed) {
    response["allowed"] = false;
    response["status"] = {{"message", outcome.message}};
  } else {
    response["allowed"] = true;
    if (outcome.kind == sidecar::inject::AdmissionOutcome::Kind::Patched) {
      response["patchType"] = "JSONPatch";
      response["patch"] = sidecar::base64Encode(outcome.patch);
    }
  }
  nlohmann::json out{{"apiVersion", review.value("apiVersion", std::string("admission.k8s.io/v1"))},
                     {"kind", "AdmissionReview"},
                     {"response", response}};
  std::cout << out.dump() << "\n";
  return 0;
}
