#pragma once

// A blocking HTTPS (or plain HTTP) client for the tests, built on Beast with a deadline on
// every operation so a misbehaving server fails the test instead of hanging it.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace sidecar::webhook::testing {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::string contentType;
  std::string allow;
  bool keepAlive = false;
};

class TestClient {
 public:
  // caPems empty: no verification. Otherwise the server must present a chain to one of
  // them, valid for 127.0.0.1.
  static std::unique_ptr<TestClient> connectTls(uint16_t port, std::vector<std::string> caPems = {},
                                                std::string* error = nullptr);
  static std::unique_ptr<TestClient> connectPlain(uint16_t port, std::string* error = nullptr);
  TestClient();
  ~TestClient();

  std::optional<ClientResponse> request(const std::string& method, const std::string& target,
                                        const std::string& body = "",
                                        const std::string& contentType = "application/json",
                                        bool keepAlive = true, std::string* error = nullptr);
  // Writes raw bytes on the (TLS) stream.
  bool writeRaw(const std::string& bytes, std::string* error = nullptr);
  // Reads one response after writeRaw.
  std::optional<ClientResponse> readResponse(std::string* error = nullptr, bool head = false);
  // True when the server has closed the connection (a read hits EOF or an error within
  // the wait).
  bool closedByPeer(std::chrono::milliseconds wait);
  // SHA-256 of the certificate the server presented (TLS only).
  std::string peerFingerprint() const;

  void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  template <class Op>
  boost::beast::error_code run(Op&& op);

  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_{boost::asio::ssl::context::tls_client};
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  std::unique_ptr<boost::beast::tcp_stream> plain_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_{5000};
};

// SHA-256 fingerprint of the first certificate in a PEM.
std::string pemFingerprint(const std::string& pem);

std::string base64Decode(const std::string& in);

// Resident set size of this process in bytes.
size_t residentBytes();

}  // namespace sidecar::webhook::testing
