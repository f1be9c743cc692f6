#include "common/base64.h"

#include <gtest/gtest.h>

namespace sidecar {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64Encode(plain), encoded);
    auto decoded = base64Decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Test, EveryByteRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  std::string out = "prefix:";
  appendBase64(out, all);
  ASSERT_EQ(out.rfind("prefix:", 0), 0u);
  auto decoded = base64Decode(std::string_view(out).substr(7));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, all);
}

TEST(Base64Test, LineBreaksAreSkippedLikeGo) {
  auto decoded = base64Decode("Zm9v\nYmFy\r\n");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, "foobar");
}

TEST(Base64Test, MalformedInputNamesWhere) {
  auto length = base64Decode("Zm9");
  ASSERT_FALSE(length);
  EXPECT_NE(length.error().message.find("not a multiple of 4"), std::string::npos);
  auto character = base64Decode("Zm9v!m9v");
  ASSERT_FALSE(character);
  EXPECT_NE(character.error().message.find("offset 4"), std::string::npos);
  EXPECT_FALSE(base64Decode("Zg==Zm9v"));  // padding only at the very end
  EXPECT_FALSE(base64Decode("Z==="));
  EXPECT_FALSE(base64Decode("Zg=v"));
}

}  // namespace
}  // namespace sidecar
