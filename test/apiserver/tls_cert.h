#pragma once

// Throwaway PKI for the test API server: a CA generated at start, a server certificate
// for localhost/127.0.0.1, and client certificates for certificate-auth tests.

#include <string>
#include <vector>

#include "common/expected.h"

namespace sidecar::testapi {

struct CertificatePair {
  std::string certPem;
  std::string keyPem;
};

class CertificateAuthority {
 public:
  static Expected<CertificateAuthority> create(const std::string& commonName);

  // dnsNames/ips go into subjectAltName; `client` selects the clientAuth key usage.
  Expected<CertificatePair> issue(const std::string& commonName, const std::vector<std::string>& dnsNames,
                                  const std::vector<std::string>& ips, bool client) const;
  const CertificatePair& ca() const { return ca_; }

 private:
  CertificatePair ca_;
};

}  // namespace sidecar::testapi
