#include "common/error.h"

#include <gtest/gtest.h>

#include <set>

#include "common/expected.h"

namespace sidecar {
namespace {

Expected<int> parsePort(int port) {
  if (port <= 0) {
    return fail(ErrorCode::InvalidArgument, "port " + std::to_string(port) + " is not positive");
  }
  if (port > 65535) {
    return fail("port out of range");
  }
  return port;
}

TEST(ErrorTest, CodeTravelsBesideTheMessage) {
  auto bad = parsePort(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(bad.error().message, "port -1 is not positive");
  EXPECT_TRUE(bad.error().isCallerFault());
}

TEST(ErrorTest, PlainFailIsUnclassified) {
  auto big = parsePort(70000);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::Unknown);
  EXPECT_FALSE(big.error().isCallerFault());
}

TEST(ErrorTest, ContextKeepsTheCode) {
  const Error e(ErrorCode::NotFound, "configmap istio not found");
  const Error wrapped = e.withContext("loading the mesh config");
  EXPECT_EQ(wrapped.code, ErrorCode::NotFound);
  EXPECT_EQ(wrapped.message, "loading the mesh config: configmap istio not found");
}

TEST(ErrorTest, ExpectedVoidCarriesTheCode) {
  Expected<void> failed = fail(ErrorCode::Conflict, "resourceVersion changed");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::Conflict);
}

TEST(ErrorTest, EveryCodeHasADistinctName) {
  const ErrorCode all[] = {ErrorCode::Unknown,
                           ErrorCode::InvalidArgument,
                           ErrorCode::NotFound,
                           ErrorCode::AlreadyExists,
                           ErrorCode::Conflict,
                           ErrorCode::Unavailable,
                           ErrorCode::FailedPrecondition,
                           ErrorCode::DeadlineExceeded,
                           ErrorCode::PermissionDenied,
                           ErrorCode::Internal};
  std::set<std::string_view> names;
  for (ErrorCode code : all) {
    names.insert(errorCodeName(code));
  }
  EXPECT_EQ(names.size(), std::size(all));
  EXPECT_EQ(errorCodeName(ErrorCode::InvalidArgument), "InvalidArgument");
}

}  // namespace
}  // namespace sidecar
