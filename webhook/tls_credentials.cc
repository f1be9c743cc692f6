#include "webhook/tls_credentials.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

namespace sidecar::webhook {

namespace {

namespace ssl = boost::asio::ssl;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string opensslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "unknown OpenSSL error";
  }
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

X509Ptr readCertificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return nullptr;
  }
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::chrono::system_clock::time_point toTimePoint(const ASN1_TIME* t) {
  std::tm tm{};
  ASN1_TIME_to_tm(t, &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string toPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string toPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) {
    return false;
  }
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

Expected<X509Ptr> makeCertificate(EVP_PKEY* subjectKey, const std::string& commonName,
                                  X509* issuer, EVP_PKEY* issuerKey, std::chrono::hours validity,
                                  const std::vector<std::pair<int, std::string>>& extensions) {
  X509Ptr cert(X509_new());
  if (!cert) {
    return fail("X509_new: " + opensslError());
  }
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7F;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  // Backdate a little so clocks that lag do not reject a fresh certificate.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  static_cast<long>(std::chrono::seconds(validity).count()));
  X509_set_pubkey(cert.get(), subjectKey);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sidecar-injector"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  for (const auto& [nid, value] : extensions) {
    if (!addExtension(cert.get(), signer, nid, value)) {
      return fail("certificate extension \"" + value + "\": " + opensslError());
    }
  }
  if (X509_sign(cert.get(), issuerKey, EVP_sha256()) == 0) {
    return fail("signing certificate: " + opensslError());
  }
  return cert;
}

}  // namespace

Expected<SslContextPtr> makeServerContext(const std::string& certChainPem, const std::string& keyPem) {
  if (certChainPem.empty()) {
    return fail("TLS certificate is empty");
  }
  if (keyPem.empty()) {
    return fail("TLS private key is empty");
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->use_certificate_chain(boost::asio::buffer(certChainPem), ec);
  if (ec) {
    return fail("TLS certificate: " + ec.message());
  }
  {
    BioPtr bio(BIO_new_mem_buf(keyPem.data(), static_cast<int>(keyPem.size())));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) {
      return fail("TLS private key: no PEM private key found (" + opensslError() + ")");
    }
  }
  ctx->use_private_key(boost::asio::buffer(keyPem), ssl::context::pem, ec);
  if (ec) {
    // OpenSSL checks the pair when the key is installed; the key itself parsed above.
    ERR_clear_error();
    return fail("TLS private key does not match the certificate (" + ec.message() + ")");
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ERR_clear_error();
    return fail("TLS private key does not match the certificate");
  }
  return ctx;
}

Expected<CertificateValidity> certificateValidity(const std::string& certPem) {
  X509Ptr cert = readCertificate(certPem);
  if (!cert) {
    ERR_clear_error();
    return fail("TLS certificate: no PEM certificate found");
  }
  return CertificateValidity{toTimePoint(X509_get0_notBefore(cert.get())),
                             toTimePoint(X509_get0_notAfter(cert.get()))};
}

std::vector<std::string> defaultSubjectAltNames(const std::string& service, const std::string& ns) {
  return {"localhost",
          "127.0.0.1",
          service,
          service + "." + ns,
          service + "." + ns + ".svc",
          service + "." + ns + ".svc.cluster.local"};
}

Expected<CaCredentials> generateCa(std::chrono::hours validity) {
  PkeyPtr caKey(EVP_EC_gen("P-256"));
  if (!caKey) {
    return fail("generating EC key: " + opensslError());
  }
  auto ca = makeCertificate(caKey.get(), "sidecar-injector self-signed CA", nullptr, caKey.get(),
                            validity,
                            {{NID_basic_constraints, "critical,CA:TRUE"},
                             {NID_key_usage, "critical,keyCertSign,cRLSign"},
                             {NID_subject_key_identifier, "hash"}});
  if (!ca) {
    return Unexpected(ca.error());
  }
  return CaCredentials{toPem(ca->get()), toPem(caKey.get())};
}

Expected<SelfSignedCredentials> issueServingCertificate(const CaCredentials& ca,
                                                        const std::vector<std::string>& subjectAltNames,
                                                        std::chrono::hours validity) {
  if (subjectAltNames.empty()) {
    return fail("self-signed certificate needs at least one subject alternative name");
  }
  X509Ptr caCert = readCertificate(ca.certPem);
  if (!caCert) {
    return fail("the CA certificate does not parse: " + opensslError());
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> keyBio(
      BIO_new_mem_buf(ca.keyPem.data(), static_cast<int>(ca.keyPem.size())), BIO_free);
  PkeyPtr caKey(keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!caKey) {
    return fail("the CA key does not parse: " + opensslError());
  }
  if (X509_check_private_key(caCert.get(), caKey.get()) != 1) {
    return fail("the CA key does not match the CA certificate");
  }
  PkeyPtr leafKey(EVP_EC_gen("P-256"));
  if (!leafKey) {
    return fail("generating EC key: " + opensslError());
  }
  std::string sans;
  for (const auto& san : subjectAltNames) {
    if (san.empty() || san.find(',') != std::string::npos) {
      return fail("invalid subject alternative name \"" + san + "\"");
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address(san, ec);
    sans += sans.empty() ? "" : ",";
    sans += (ec ? "DNS:" : "IP:") + san;
  }
  auto leaf = makeCertificate(leafKey.get(), subjectAltNames.front(), caCert.get(), caKey.get(),
                              validity,
                              {{NID_basic_constraints, "critical,CA:FALSE"},
                               {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                               {NID_ext_key_usage, "serverAuth"},
                               {NID_subject_alt_name, sans},
                               {NID_authority_key_identifier, "keyid:always"}});
  if (!leaf) {
    return Unexpected(leaf.error());
  }
  SelfSignedCredentials creds;
  creds.caPem = toPem(caCert.get());
  creds.certPem = toPem(leaf->get()) + creds.caPem;
  creds.keyPem = toPem(leafKey.get());
  return creds;
}

Expected<SelfSignedCredentials> generateSelfSigned(const std::vector<std::string>& subjectAltNames,
                                                   std::chrono::hours validity) {
  if (subjectAltNames.empty()) {
    return fail("self-signed certificate needs at least one subject alternative name");
  }
  auto ca = generateCa(validity);
  if (!ca) {
    return Unexpected(ca.error());
  }
  return issueServingCertificate(*ca, subjectAltNames, validity);
}

}  // namespace sidecar::webhook
