#include "test/apiserver/tls_cert.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace sidecar::testapi {

namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Free>;

std::string bioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

KeyPtr newKey() { return KeyPtr(EVP_EC_gen("P-256")); }

std::string keyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bioText(bio.get());
}

std::string certPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return bioText(bio.get());
}

bool addExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

CertPtr newCert(EVP_PKEY* key, const std::string& cn) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                             0);
  return cert;
}

}  // namespace

Expected<CertificateAuthority> CertificateAuthority::create(const std::string& commonName) {
  KeyPtr key = newKey();
  if (!key) {
    return fail("CA: key generation failed");
  }
  CertPtr cert = newCert(key.get(), commonName);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  if (!addExt(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !addExt(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !addExt(cert.get(), cert.get(), NID_subject_key_identifier, "hash")) {
    return fail("CA: cannot add extensions");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return fail("CA: signing failed");
  }
  CertificateAuthority ca;
  ca.ca_ = {certPem(cert.get()), keyPem(key.get())};
  return ca;
}

Expected<CertificatePair> CertificateAuthority::issue(const std::string& commonName,
                                                      const std::vector<std::string>& dnsNames,
                                                      const std::vector<std::string>& ips, bool client) const {
  BioPtr caCertBio(BIO_new_mem_buf(ca_.certPem.data(), static_cast<int>(ca_.certPem.size())));
  CertPtr caCert(PEM_read_bio_X509(caCertBio.get(), nullptr, nullptr, nullptr));
  BioPtr caKeyBio(BIO_new_mem_buf(ca_.keyPem.data(), static_cast<int>(ca_.keyPem.size())));
  KeyPtr caKey(PEM_read_bio_PrivateKey(caKeyBio.get(), nullptr, nullptr, nullptr));
  if (!caCert || !caKey) {
    return fail("CA: cannot read CA material");
  }
  KeyPtr key = newKey();
  CertPtr cert = newCert(key.get(), commonName);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(caCert.get()));
  std::string san;
  for (const auto& d : dnsNames) {
    san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  }
  for (const auto& ip : ips) {
    san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  }
  bool ok = addExt(cert.get(), caCert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
            addExt(cert.get(), caCert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
            addExt(cert.get(), caCert.get(), NID_ext_key_usage, client ? "clientAuth" : "serverAuth") &&
            addExt(cert.get(), caCert.get(), NID_authority_key_identifier, "keyid:always");
  if (ok && !san.empty()) {
    ok = addExt(cert.get(), caCert.get(), NID_subject_alt_name, san);
  }
  if (!ok) {
    return fail("certificate for " + commonName + ": cannot add extensions");
  }
  if (X509_sign(cert.get(), caKey.get(), EVP_sha256()) == 0) {
    return fail("certificate for " + commonName + ": signing failed");
  }
  return CertificatePair{certPem(cert.get()), keyPem(key.get())};
}

}  // namespace sidecar::testapi
