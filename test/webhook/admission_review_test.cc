#include "webhook/admission_review.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "review_samples.h"
#include "test_client.h"
#include "webhook/json_write.h"

namespace sidecar::webhook {
namespace {

using testing::base64Decode;
using testing::podJson;
using testing::reviewJson;

TEST(AdmissionReviewDecode, ExtractsV1Fields) {
  const std::string body = reviewJson();
  auto review = decodeAdmissionReview(body);
  ASSERT_TRUE(review) << review.error().message;
  EXPECT_EQ(review->apiVersion, AdmissionApiVersion::V1);
  EXPECT_EQ(review->request.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(review->request.kind, "Pod");
  EXPECT_EQ(review->request.namespace_, "default");
  EXPECT_EQ(review->request.name, "sleep-1");
  EXPECT_EQ(review->request.operation, "CREATE");
  EXPECT_TRUE(review->objectError.empty());
  EXPECT_EQ(nlohmann::json::parse(review->request.object), nlohmann::json::parse(podJson()));
}

TEST(AdmissionReviewDecode, AcceptsV1beta1) {
  const std::string body = reviewJson("admission.k8s.io/v1beta1", "abc");
  auto review = decodeAdmissionReview(body);
  ASSERT_TRUE(review) << review.error().message;
  EXPECT_EQ(review->apiVersion, AdmissionApiVersion::V1beta1);
  EXPECT_EQ(review->request.uid, "abc");
}

TEST(AdmissionReviewDecode, ObjectIsCompactedButEqual) {
  const std::string pretty = "{\n  \"metadata\" : { \"name\" : \"p\" },\n  \"spec\" : {\"containers\" : [ ] }\n}";
  const std::string body = reviewJson("admission.k8s.io/v1", "u", pretty);
  auto review = decodeAdmissionReview(body);
  ASSERT_TRUE(review) << review.error().message;
  EXPECT_EQ(review->request.object, R"({"metadata":{"name":"p"},"spec":{"containers":[]}})");
}

TEST(AdmissionReviewDecode, EscapedKeysMatchLikeTheDom) {
  const std::string body =
      R"({"apiVersion":"admission.k8s.io/v1","requ\u0065st":{"uid":"u","obj\u0065ct":{ "a" : 1 },"object":{"b":2}}})";
  auto review = decodeAdmissionReview(body);
  ASSERT_TRUE(review) << review.error().message;
  EXPECT_EQ(review->request.object, R"({"a":1})");
}

TEST(AdmissionReviewDecode, FirstDuplicateAndTrickyStrings) {
  const std::string body =
      R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u","s":"}{][\"\\","x":[{"object":0}],)"
      R"("object":{"v":"a\"}b"},"object":{"n":2}}})";
  auto review = decodeAdmissionReview(body);
  ASSERT_TRUE(review) << review.error().message;
  EXPECT_EQ(review->request.object, R"({"v":"a\"}b"})");
}

TEST(AdmissionReviewDecode, UnescapesUid) {
  auto review = decodeAdmissionReview(
      R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"a\"b\u00e9","object":{}}})");
  ASSERT_TRUE(review) << review.error().message;
  EXPECT_EQ(review->request.uid, "a\"b\xC3\xA9");
}

struct BadReview {
  std::string name;
  std::string body;
  std::string messagePart;
};

class AdmissionReviewRejects : public ::testing::TestWithParam<BadReview> {};

TEST_P(AdmissionReviewRejects, WithFieldNamingMessage) {
  auto review = decodeAdmissionReview(GetParam().body);
  ASSERT_FALSE(review);
  EXPECT_NE(review.error().message.find(GetParam().messagePart), std::string::npos)
      << review.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AdmissionReviewRejects,
    ::testing::Values(
        BadReview{"UnclosedObject", "{", "malformed AdmissionReview JSON"},
        BadReview{"TruncatedRequest", R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"x")", "malformed"},
        BadReview{"TopLevelArray", "[1,2]", "must be a JSON object"},
        BadReview{"NoApiVersion", R"({"request":{"uid":"x"}})", "apiVersion is missing"},
        BadReview{"UnknownApiVersion", R"({"apiVersion":"admission.k8s.io/v2","request":{"uid":"x"}})",
                  "unsupported apiVersion \"admission.k8s.io/v2\""},
        BadReview{"ApiVersionNumber", R"({"apiVersion":7,"request":{"uid":"x"}})", "apiVersion must be a string"},
        BadReview{"WrongKind", R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"x"}})",
                  "want AdmissionReview"},
        BadReview{"NoRequest", R"({"apiVersion":"admission.k8s.io/v1"})", "request is missing"},
        BadReview{"NullRequest", R"({"apiVersion":"admission.k8s.io/v1","request":null})", "request is missing"},
        BadReview{"RequestNumber", R"({"apiVersion":"admission.k8s.io/v1","request":5})", "request must be an object"},
        BadReview{"NoUid", R"({"apiVersion":"admission.k8s.io/v1","request":{}})", "request.uid is missing"},
        BadReview{"UidNumber", R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":1}})",
                  "request.uid must be a string"},
        BadReview{"RequestKindString", R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u","kind":"Pod"}})",
                  "request.kind must be an object"},
        BadReview{"NamespaceArray", R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u","namespace":[]}})",
                  "request.namespace must be a string"},
        BadReview{"DeepNesting", std::string(100000, '['), "malformed AdmissionReview JSON"},
        BadReview{"InvalidUtf8", std::string("{\"a\":\"\xff\"}"), "malformed AdmissionReview JSON"}),
    [](const ::testing::TestParamInfo<BadReview>& info) { return info.param.name; });

TEST(AdmissionReviewDecode, UnusableObjectIsReportedNotFatal) {
  auto wrongType = decodeAdmissionReview(
      R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u","object":"x"}})");
  ASSERT_TRUE(wrongType) << wrongType.error().message;
  EXPECT_EQ(wrongType->objectError, "request.object must be a JSON object");
  auto missing =
      decodeAdmissionReview(R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u"}})");
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_EQ(missing->objectError, "request.object is missing");
}

TEST(AdmissionReviewDecode, LargeBodyUsesItsOwnParser) {
  std::string bigLabel(3 << 20, 'a');
  const std::string body = reviewJson("admission.k8s.io/v1", "big",
                                      R"({"metadata":{"labels":{"x":")" + bigLabel + R"("}}})");
  auto review = decodeAdmissionReview(body);
  ASSERT_TRUE(review) << review.error().message;
  // A later small decode on the same thread must not disturb the large review's views.
  auto small = decodeAdmissionReview(reviewJson());
  ASSERT_TRUE(small);
  EXPECT_EQ(review->request.uid, "big");
  EXPECT_EQ(review->request.object.size(), bigLabel.size() + 32);
}

TEST(AdmissionReviewEncode, PatchedV1) {
  MutationResult result{MutationResult::Outcome::Patched, testing::kSmallPatch, "", "ok"};
  const auto out = nlohmann::json::parse(
      encodeAdmissionResponse(AdmissionApiVersion::V1, "uid-\"1\"", result));
  EXPECT_EQ(out["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(out["kind"], "AdmissionReview");
  EXPECT_EQ(out["response"]["uid"], "uid-\"1\"");
  EXPECT_EQ(out["response"]["allowed"], true);
  EXPECT_EQ(out["response"]["patchType"], "JSONPatch");
  EXPECT_EQ(base64Decode(out["response"]["patch"]), testing::kSmallPatch);
}

TEST(AdmissionReviewEncode, SkippedV1beta1HasNoPatch) {
  MutationResult result{MutationResult::Outcome::Skipped, "", "host_network", "hostNetwork pod"};
  const auto out = nlohmann::json::parse(
      encodeAdmissionResponse(AdmissionApiVersion::V1beta1, "u", result));
  EXPECT_EQ(out["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(out["response"]["allowed"], true);
  EXPECT_FALSE(out["response"].contains("patch"));
  EXPECT_FALSE(out["response"].contains("patchType"));
}

TEST(AdmissionReviewEncode, FailureStatusFollowsErrorCode) {
  MutationResult internal{MutationResult::Outcome::Failed, "", "template_error", "boom\n\"x\"",
                          ErrorCode::Internal};
  auto out = nlohmann::json::parse(encodeAdmissionResponse(AdmissionApiVersion::V1, "u", internal));
  EXPECT_EQ(out["response"]["allowed"], false);
  EXPECT_EQ(out["response"]["status"]["code"], 500);
  EXPECT_EQ(out["response"]["status"]["message"], "boom\n\"x\"");
  MutationResult bad{MutationResult::Outcome::Failed, "", "invalid_annotation", "bad annotation",
                     ErrorCode::InvalidArgument};
  out = nlohmann::json::parse(encodeAdmissionResponse(AdmissionApiVersion::V1, "u", bad));
  EXPECT_EQ(out["response"]["status"]["code"], 400);
  EXPECT_EQ(out["response"]["status"]["reason"], "BadRequest");
  // The metric label no longer decides: a reason spelled "invalid..." with a server-side
  // code is the server's fault, and an unclassified failure too.
  MutationResult misleading{MutationResult::Outcome::Failed, "", "invalid_whatever", "m",
                            ErrorCode::Unavailable};
  out = nlohmann::json::parse(encodeAdmissionResponse(AdmissionApiVersion::V1, "u", misleading));
  EXPECT_EQ(out["response"]["status"]["code"], 500);
  MutationResult unclassified{MutationResult::Outcome::Failed, "", "invalid_x", "m"};
  out = nlohmann::json::parse(encodeAdmissionResponse(AdmissionApiVersion::V1, "u", unclassified));
  EXPECT_EQ(out["response"]["status"]["code"], 500);
}

TEST(JsonWrite, EscapesControlAndInvalidUtf8) {
  std::string out;
  appendJsonString(out, std::string("a\x01\tb\xff\xC3\xA9\xE2\x82", 9));
  EXPECT_EQ(out, "\"a\\u0001\\tb\xEF\xBF\xBD\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

TEST(JsonWrite, Base64MatchesRfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [in, want] : vectors) {
    std::string out = "x";
    appendBase64(out, in);
    EXPECT_EQ(out, "x" + want) << in;
  }
  std::string binary;
  for (int i = 0; i < 256; ++i) {
    binary += static_cast<char>(i);
  }
  std::string encoded;
  appendBase64(encoded, binary);
  EXPECT_EQ(base64Decode(encoded), binary);
}

}  // namespace
}  // namespace sidecar::webhook

namespace sidecar::webhook {
namespace {

// Found by admission_fuzz: a short object fits a std::string's inline buffer, so moving the
// DecodedReview used to leave request.object pointing at the moved-from buffer.
TEST(AdmissionReviewDecode, ShortObjectViewSurvivesMoveAndCopy) {
  auto review = decodeAdmissionReview(
      R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u","object":{"a":"b"}}})");
  ASSERT_TRUE(review);
  DecodedReview moved = std::move(*review);
  DecodedReview copied = moved;
  moved = DecodedReview{};
  EXPECT_EQ(copied.request.object, R"({"a":"b"})");
}

}  // namespace
}  // namespace sidecar::webhook
