#include "common/sha256.h"

#include <gtest/gtest.h>

namespace sidecar {
namespace {

TEST(Sha256Test, Fips180Vectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, PartsHashLikeTheWhole) {
  Sha256 hash;
  hash.update("ab");
  hash.update("");
  hash.update("c");
  EXPECT_EQ(hash.hexDigest(), sha256Hex("abc"));
}

}  // namespace
}  // namespace sidecar
