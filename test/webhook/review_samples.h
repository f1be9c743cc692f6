#pragma once

// AdmissionReview bodies used across the tests.

#include <string>

namespace sidecar::webhook::testing {

inline std::string podJson(const std::string& name = "sleep-1") {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"(","namespace":"default","labels":{"app":"sleep"}},"spec":{"containers":[{"name":"sleep","image":"curlimages/curl","command":["/bin/sleep","3650d"]}]}})";
}

inline std::string reviewJson(const std::string& apiVersion = "admission.k8s.io/v1",
                              const std::string& uid = "705ab4f5-6393-11e8-b7cc-42010a800002",
                              const std::string& object = podJson()) {
  return R"({"apiVersion":")" + apiVersion + R"(","kind":"AdmissionReview","request":{"uid":")" +
         uid +
         R"(","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"default","name":"sleep-1","operation":"CREATE","userInfo":{"username":"admin"},"object":)" +
         object + R"(,"oldObject":null,"dryRun":false}})";
}

inline const std::string kSmallPatch =
    R"([{"op":"add","path":"/metadata/annotations","value":{"sidecar.istio.io/status":"{}"}}])";

}  // namespace sidecar::webhook::testing
