#pragma once

// Building TLS server contexts from PEM and minting self-signed credentials in memory.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "common/expected.h"

namespace sidecar::webhook {

using SslContextPtr = std::shared_ptr<boost::asio::ssl::context>;

struct CertificateValidity {
  std::chrono::system_clock::time_point notBefore;
  std::chrono::system_clock::time_point notAfter;
};

// A TLS 1.2+ server context for the PEM chain and key; fails when either does not parse or
// the key does not match the leaf certificate.
Expected<SslContextPtr> makeServerContext(const std::string& certChainPem, const std::string& keyPem);

// Validity window of the first certificate in the PEM.
Expected<CertificateValidity> certificateValidity(const std::string& certPem);

struct SelfSignedCredentials {
  std::string caPem;    // the CA to put in the webhook configuration's caBundle
  std::string certPem;  // serving certificate followed by the CA
  std::string keyPem;
};

struct CaCredentials {
  std::string certPem;
  std::string keyPem;
};

// A fresh EC P-256 CA, for replicas to share (see controller/webhook_ca.h).
Expected<CaCredentials> generateCa(std::chrono::hours validity = std::chrono::hours(24 * 365 * 10));

// A serving certificate with the given SANs signed by an existing CA.
Expected<SelfSignedCredentials> issueServingCertificate(
    const CaCredentials& ca, const std::vector<std::string>& subjectAltNames,
    std::chrono::hours validity = std::chrono::hours(24 * 365));

// An EC P-256 CA and a serving certificate signed by it with the given subject alternative
// names (IP literals become IP SANs, everything else DNS SANs).
Expected<SelfSignedCredentials> generateSelfSigned(const std::vector<std::string>& subjectAltNames,
                                                   std::chrono::hours validity = std::chrono::hours(24 * 365));

// localhost, 127.0.0.1 and the in-cluster names of service.namespace.
std::vector<std::string> defaultSubjectAltNames(const std::string& service, const std::string& ns);

}  // namespace sidecar::webhook
