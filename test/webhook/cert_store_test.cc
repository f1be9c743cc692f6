#include "webhook/cert_store.h"

#include <gtest/gtest.h>

#include "secret_dir.h"
#include "test_client.h"

namespace sidecar::webhook {
namespace {

using testing::makeCredentials;
using testing::SecretDir;

TEST(TlsCredentials, SelfSignedChainVerifiesAndHasSans) {
  auto creds = generateSelfSigned({"svc.ns.svc", "10.0.0.1"});
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_NE(creds->caPem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(creds->keyPem.find("PRIVATE KEY"), std::string::npos);
  EXPECT_TRUE(makeServerContext(creds->certPem, creds->keyPem));
  auto validity = certificateValidity(creds->certPem);
  ASSERT_TRUE(validity);
  EXPECT_LT(validity->notBefore, std::chrono::system_clock::now());
  EXPECT_GT(validity->notAfter, std::chrono::system_clock::now() + std::chrono::hours(24 * 300));
  EXPECT_NE(testing::pemFingerprint(creds->certPem), testing::pemFingerprint(creds->caPem));
}

TEST(TlsCredentials, RejectsMismatchedKeyAndGarbage) {
  auto a = makeCredentials();
  auto b = makeCredentials();
  auto mismatched = makeServerContext(a.certPem, b.keyPem);
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().message.find("does not match"), std::string::npos)
      << mismatched.error().message;
  EXPECT_FALSE(makeServerContext("garbage", a.keyPem));
  EXPECT_FALSE(makeServerContext(a.certPem, ""));
  EXPECT_FALSE(certificateValidity("not a pem"));
  EXPECT_FALSE(generateSelfSigned({}));
  EXPECT_FALSE(generateSelfSigned({"a,b"}));
}

TEST(TlsCredentials, DefaultSansCoverServiceNames) {
  const auto sans = defaultSubjectAltNames("istio-sidecar-injector", "istio-system");
  EXPECT_EQ(sans.front(), "localhost");
  EXPECT_NE(std::find(sans.begin(), sans.end(), "istio-sidecar-injector.istio-system.svc"), sans.end());
  EXPECT_NE(std::find(sans.begin(), sans.end(), "127.0.0.1"), sans.end());
}

TEST(CertStore, ReloadsWhenSecretSymlinkSwaps) {
  SecretDir dir;
  auto first = makeCredentials();
  dir.publish(first.certPem, first.keyPem);
  auto metrics = std::make_shared<Metrics>();
  auto store = CertStore::fromFiles(dir.certFile(), dir.keyFile(), metrics);
  ASSERT_TRUE(store) << store.error().message;
  auto gen1 = (*store)->current();
  EXPECT_EQ(gen1->number, 1u);
  EXPECT_FALSE((*store)->checkNow());  // nothing changed

  auto second = makeCredentials();
  dir.publish(second.certPem, second.keyPem);
  EXPECT_TRUE((*store)->checkNow());
  auto gen2 = (*store)->current();
  EXPECT_EQ(gen2->number, 2u);
  EXPECT_NE(gen1->context, gen2->context);
  EXPECT_EQ(metrics->certReloads(), 2);  // initial load + reload
}

TEST(CertStore, BadNewPairKeepsOldAndCountsOnce) {
  SecretDir dir;
  auto good = makeCredentials();
  dir.publish(good.certPem, good.keyPem);
  auto metrics = std::make_shared<Metrics>();
  auto store = CertStore::fromFiles(dir.certFile(), dir.keyFile(), metrics);
  ASSERT_TRUE(store);
  auto other = makeCredentials();
  dir.publish(other.certPem, good.keyPem);  // key does not match the certificate
  EXPECT_FALSE((*store)->checkNow());
  EXPECT_FALSE((*store)->checkNow());
  EXPECT_EQ((*store)->current()->number, 1u);
  EXPECT_EQ(metrics->certReloadFailures(), 1);
  dir.publish(other.certPem, other.keyPem);
  EXPECT_TRUE((*store)->checkNow());
  EXPECT_EQ((*store)->current()->number, 2u);
}

TEST(CertStore, MissingOrBadInitialFilesFailWithPath) {
  SecretDir dir;
  auto missing = CertStore::fromFiles(dir.certFile(), dir.keyFile(), std::make_shared<Metrics>());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("--tlsCertFile"), std::string::npos);
  dir.publish("junk", "junk");
  auto junk = CertStore::fromFiles(dir.certFile(), dir.keyFile(), std::make_shared<Metrics>());
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message.find("tls.crt"), std::string::npos) << junk.error().message;
}

TEST(CertStore, ValidityUsesInjectedClock) {
  auto creds = makeCredentials();
  auto now = std::chrono::system_clock::now();
  auto store = CertStore::fromPem(creds.certPem, creds.keyPem, std::make_shared<Metrics>(),
                                  [&now] { return now; });
  ASSERT_TRUE(store);
  std::string why;
  EXPECT_TRUE((*store)->valid(&why));
  now += std::chrono::hours(24 * 400);
  EXPECT_FALSE((*store)->valid(&why));
  EXPECT_EQ(why, "TLS certificate has expired");
  now -= std::chrono::hours(24 * 800);
  EXPECT_FALSE((*store)->valid(&why));
  EXPECT_EQ(why, "TLS certificate is not valid yet");
}

// A probe whose identity changes only when the test says so, to drive the poller.
class ManualProbe : public FileProbe {
 public:
  std::optional<FileIdentity> identify(const std::string&) const override {
    return FileIdentity{1, 1, 1, tick_.load()};
  }
  Expected<std::string> read(const std::string& path) const override {
    return RealFileProbe().read(path);
  }
  std::atomic<int64_t> tick_{0};
};

TEST(CertStore, WatcherThreadPicksUpChanges) {
  SecretDir dir;
  auto first = makeCredentials();
  dir.publish(first.certPem, first.keyPem);
  auto probe = std::make_shared<ManualProbe>();
  auto store = CertStore::fromFiles(dir.certFile(), dir.keyFile(), std::make_shared<Metrics>(), probe);
  ASSERT_TRUE(store);
  (*store)->startWatching(std::chrono::milliseconds(10));
  auto second = makeCredentials();
  dir.publish(second.certPem, second.keyPem);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ((*store)->current()->number, 1u);  // identity unchanged: no reload
  probe->tick_ = 1;
  for (int i = 0; i < 200 && (*store)->current()->number == 1u; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ((*store)->current()->number, 2u);
  (*store)->stopWatching();
}

}  // namespace
}  // namespace sidecar::webhook
