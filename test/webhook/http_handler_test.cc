#include "webhook/http_handler.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_mutator.h"
#include "review_samples.h"
#include "test_client.h"

namespace sidecar::webhook {
namespace {

using testing::FakeMutator;
using testing::reviewJson;

class HandlerTest : public ::testing::Test {
 protected:
  HttpResponse post(const std::string& body, std::string_view contentType = "application/json",
                    std::string_view target = "/inject") {
    return handler_.handle({"POST", target, contentType, body});
  }

  std::shared_ptr<FakeMutator> mutator_ = std::make_shared<FakeMutator>();
  std::shared_ptr<Metrics> metrics_ = std::make_shared<Metrics>();
  bool certOk_ = true;
  RequestHandler handler_{mutator_, metrics_, HandlerOptions{1024, true, {}},
                          [this](std::string* why) {
                            if (!certOk_ && why != nullptr) {
                              *why = "TLS certificate has expired";
                            }
                            return certOk_;
                          }};
};

TEST_F(HandlerTest, PatchedReviewRoundTrip) {
  mutator_->patchWith(testing::kSmallPatch);
  const auto response = post(reviewJson());
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.contentType, "application/json");
  const auto out = nlohmann::json::parse(response.body);
  EXPECT_EQ(out["response"]["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(testing::base64Decode(out["response"]["patch"]), testing::kSmallPatch);
  EXPECT_EQ(mutator_->last().name, "sleep-1");
  EXPECT_EQ(mutator_->last().kind, "Pod");
  EXPECT_EQ(metrics_->requestsTotal(), 1);
  EXPECT_EQ(metrics_->successTotal(), 1);
}

TEST_F(HandlerTest, SkipAndFailureAreCountedByReason) {
  mutator_->skipWith("host_network");
  EXPECT_EQ(post(reviewJson()).status, 200);
  mutator_->failWith("template_error", "template line 3: boom");
  const auto failed = post(reviewJson("admission.k8s.io/v1beta1"));
  ASSERT_EQ(failed.status, 200);
  const auto out = nlohmann::json::parse(failed.body);
  EXPECT_EQ(out["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(out["response"]["allowed"], false);
  EXPECT_EQ(out["response"]["status"]["message"], "template line 3: boom");
  EXPECT_EQ(metrics_->skipTotal("host_network"), 1);
  EXPECT_EQ(metrics_->failureTotal("template_error"), 1);
  EXPECT_EQ(metrics_->successTotal(), 0);
}

TEST_F(HandlerTest, WrongMethodIs405WithAllow) {
  const auto response = handler_.handle({"GET", "/inject", "application/json", ""});
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.allow, "POST");
  EXPECT_EQ(handler_.handle({"DELETE", "/healthz", "", ""}).status, 405);
}

TEST_F(HandlerTest, ContentTypeChecks) {
  EXPECT_EQ(post(reviewJson(), "text/plain").status, 415);
  EXPECT_EQ(post(reviewJson(), "").status, 415);
  EXPECT_EQ(post(reviewJson(), "application/jsonx").status, 415);
  EXPECT_EQ(post(reviewJson(), "Application/JSON; charset=utf-8").status, 200);
  EXPECT_EQ(post(reviewJson(), " application/json ;charset=UTF-8").status, 200);
  EXPECT_EQ(metrics_->httpErrors(415), 3);
}

TEST_F(HandlerTest, BodyChecks) {
  EXPECT_EQ(post("").status, 400);
  EXPECT_EQ(post(std::string(1025, ' ')).status, 413);
  const auto malformed = post("{\"apiVersion\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("malformed AdmissionReview JSON"), std::string::npos);
  const auto noRequest = post(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})");
  EXPECT_EQ(noRequest.status, 400);
  EXPECT_NE(noRequest.body.find("request is missing"), std::string::npos);
  const auto noUid = post(R"({"apiVersion":"admission.k8s.io/v1","request":{"object":{}}})");
  EXPECT_EQ(noUid.status, 400);
  EXPECT_NE(noUid.body.find("request.uid is missing"), std::string::npos);
  EXPECT_EQ(mutator_->calls(), 0);
}

TEST_F(HandlerTest, WrongObjectTypeDeniesWith400Status) {
  const auto response =
      post(R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u1","object":"x"}})");
  ASSERT_EQ(response.status, 200);
  const auto out = nlohmann::json::parse(response.body);
  EXPECT_EQ(out["response"]["uid"], "u1");
  EXPECT_EQ(out["response"]["allowed"], false);
  EXPECT_EQ(out["response"]["status"]["code"], 400);
  EXPECT_EQ(out["response"]["status"]["message"], "request.object must be a JSON object");
  EXPECT_EQ(mutator_->calls(), 0);
  EXPECT_EQ(metrics_->failureTotal("invalid_object"), 1);
}

TEST_F(HandlerTest, QueryStringIsIgnoredAndUnknownPathIs404) {
  EXPECT_EQ(post(reviewJson(), "application/json", "/inject?timeout=10s").status, 200);
  EXPECT_EQ(post(reviewJson(), "application/json", "/mutate").status, 404);
}

TEST_F(HandlerTest, HealthAndReadiness) {
  EXPECT_EQ(handler_.handle({"GET", "/healthz", "", ""}).status, 200);
  EXPECT_EQ(handler_.handle({"GET", "/readyz", "", ""}).status, 200);
  mutator_->setReady(false);
  auto notReady = handler_.handle({"GET", "/readyz", "", ""});
  EXPECT_EQ(notReady.status, 503);
  EXPECT_NE(notReady.body.find("injection config not loaded"), std::string::npos);
  EXPECT_EQ(handler_.handle({"GET", "/healthz", "", ""}).status, 200);
  mutator_->setReady(true);
  certOk_ = false;
  notReady = handler_.handle({"GET", "/readyz", "", ""});
  EXPECT_EQ(notReady.status, 503);
  EXPECT_NE(notReady.body.find("expired"), std::string::npos);
}

TEST_F(HandlerTest, MetricsEndpointServesTextFormat) {
  mutator_->skipWith("policy_disabled");
  post(reviewJson());
  const auto response = handler_.handle({"GET", "/metrics", "", ""});
  ASSERT_EQ(response.status, 200);
  EXPECT_NE(response.contentType.find("version=0.0.4"), std::string::npos);
  EXPECT_NE(response.body.find("sidecar_injection_requests_total 1"), std::string::npos);
  EXPECT_NE(response.body.find("sidecar_injection_skip_total{reason=\"policy_disabled\"} 1"),
            std::string::npos);
  EXPECT_NE(response.body.find("sidecar_injection_time_seconds_bucket{le=\"5e-05\"}"),
            std::string::npos)
      << response.body;
}

class ThrowingMutator : public PodMutator {
 public:
  MutationResult mutate(const AdmissionRequestView&) const override {
    throw std::runtime_error("map::at");
  }
  bool ready(std::string*) const override { return true; }
};

TEST(HandlerGuard, MutatorExceptionBecomes500Denial) {
  auto metrics = std::make_shared<Metrics>();
  RequestHandler handler(std::make_shared<ThrowingMutator>(), metrics, HandlerOptions{});
  const auto response = handler.handle({"POST", "/inject", "application/json", reviewJson()});
  ASSERT_EQ(response.status, 200);
  const auto out = nlohmann::json::parse(response.body);
  EXPECT_EQ(out["response"]["allowed"], false);
  EXPECT_EQ(out["response"]["status"]["code"], 500);
  EXPECT_EQ(out["response"]["status"]["message"], "internal error while injecting: map::at");
  EXPECT_EQ(metrics->failureTotal("internal_error"), 1);
}

TEST(HandlerMonitoring, PlainPortDoesNotServeInject) {
  auto mutator = std::make_shared<FakeMutator>();
  RequestHandler handler(mutator, std::make_shared<Metrics>(), HandlerOptions{1024, false, {}});
  EXPECT_EQ(handler.handle({"POST", "/inject", "application/json", reviewJson()}).status, 404);
  EXPECT_EQ(handler.handle({"GET", "/metrics", "", ""}).status, 200);
}

TEST(ContentType, Parsing) {
  EXPECT_TRUE(isJsonContentType("application/json"));
  EXPECT_TRUE(isJsonContentType("application/json;charset=utf-8"));
  EXPECT_FALSE(isJsonContentType("application/json-patch+json"));
  EXPECT_FALSE(isJsonContentType("json"));
}

}  // namespace
}  // namespace sidecar::webhook
