#include "test_client.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <unistd.h>

#include "common/base64.h"

namespace sidecar::webhook::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

std::string hexDigest(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

}  // namespace

TestClient::TestClient() = default;
TestClient::~TestClient() = default;

template <class Op>
beast::error_code TestClient::run(Op&& op) {
  beast::error_code result = net::error::timed_out;
  bool done = false;
  op([&](beast::error_code ec) {
    result = ec;
    done = true;
  });
  ioc_.restart();
  ioc_.run_for(timeout_ + std::chrono::seconds(1));
  if (!done) {
    return net::error::timed_out;
  }
  return result;
}

std::unique_ptr<TestClient> TestClient::connectTls(uint16_t port, std::vector<std::string> caPems,
                                                   std::string* error) {
  auto client = std::make_unique<TestClient>();
  if (caPems.empty()) {
    client->ctx_.set_verify_mode(net::ssl::verify_none);
  } else {
    for (const auto& pem : caPems) {
      client->ctx_.add_certificate_authority(net::buffer(pem));
    }
    client->ctx_.set_verify_mode(net::ssl::verify_peer);
    client->ctx_.set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
  }
  client->tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(client->ioc_, client->ctx_);
  auto& tcpStream = beast::get_lowest_layer(*client->tls_);
  tcpStream.expires_after(client->timeout_);
  auto ec = client->run([&](auto done) {
    tcpStream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                            [done](beast::error_code e) { done(e); });
  });
  if (!ec) {
    tcpStream.expires_after(client->timeout_);
    ec = client->run([&](auto done) {
      client->tls_->async_handshake(net::ssl::stream_base::client,
                                    [done](beast::error_code e) { done(e); });
    });
  }
  if (ec) {
    if (error != nullptr) {
      *error = ec.message();
    }
    return nullptr;
  }
  return client;
}

std::unique_ptr<TestClient> TestClient::connectPlain(uint16_t port, std::string* error) {
  auto client = std::make_unique<TestClient>();
  client->plain_ = std::make_unique<beast::tcp_stream>(client->ioc_);
  client->plain_->expires_after(client->timeout_);
  auto ec = client->run([&](auto done) {
    client->plain_->async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                  [done](beast::error_code e) { done(e); });
  });
  if (ec) {
    if (error != nullptr) {
      *error = ec.message();
    }
    return nullptr;
  }
  return client;
}

std::optional<ClientResponse> TestClient::request(const std::string& method,
                                                  const std::string& target,
                                                  const std::string& body,
                                                  const std::string& contentType, bool keepAlive,
                                                  std::string* error) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!contentType.empty()) {
    req.set(http::field::content_type, contentType);
  }
  req.keep_alive(keepAlive);
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  if (tls_) {
    beast::get_lowest_layer(*tls_).expires_after(timeout_);
    ec = run([&](auto done) {
      http::async_write(*tls_, req, [done](beast::error_code e, size_t) { done(e); });
    });
  } else {
    plain_->expires_after(timeout_);
    ec = run([&](auto done) {
      http::async_write(*plain_, req, [done](beast::error_code e, size_t) { done(e); });
    });
  }
  if (ec) {
    if (error != nullptr) {
      *error = "write: " + ec.message();
    }
    return std::nullopt;
  }
  return readResponse(error, method == "HEAD");
}

bool TestClient::writeRaw(const std::string& bytes, std::string* error) {
  beast::error_code ec;
  if (tls_) {
    beast::get_lowest_layer(*tls_).expires_after(timeout_);
    ec = run([&](auto done) {
      net::async_write(*tls_, net::buffer(bytes), [done](beast::error_code e, size_t) { done(e); });
    });
  } else {
    plain_->expires_after(timeout_);
    ec = run([&](auto done) {
      net::async_write(*plain_, net::buffer(bytes), [done](beast::error_code e, size_t) { done(e); });
    });
  }
  if (ec && error != nullptr) {
    *error = ec.message();
  }
  return !ec;
}

std::optional<ClientResponse> TestClient::readResponse(std::string* error, bool head) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  // A HEAD answer announces a length but carries no body.
  parser.skip(head);
  beast::error_code ec;
  if (tls_) {
    beast::get_lowest_layer(*tls_).expires_after(timeout_);
    ec = run([&](auto done) {
      http::async_read(*tls_, buffer_, parser, [done](beast::error_code e, size_t) { done(e); });
    });
  } else {
    plain_->expires_after(timeout_);
    ec = run([&](auto done) {
      http::async_read(*plain_, buffer_, parser, [done](beast::error_code e, size_t) { done(e); });
    });
  }
  if (ec) {
    if (error != nullptr) {
      *error = "read: " + ec.message();
    }
    return std::nullopt;
  }
  const auto& res = parser.get();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  out.contentType = std::string(res[http::field::content_type]);
  out.allow = std::string(res[http::field::allow]);
  out.keepAlive = res.keep_alive();
  return out;
}

bool TestClient::closedByPeer(std::chrono::milliseconds wait) {
  char byte;
  const auto saved = timeout_;
  beast::error_code ec;
  if (tls_) {
    beast::get_lowest_layer(*tls_).expires_after(wait);
    ec = run([&](auto done) {
      tls_->async_read_some(net::buffer(&byte, 1), [done](beast::error_code e, size_t) { done(e); });
    });
  } else {
    plain_->expires_after(wait);
    ec = run([&](auto done) {
      plain_->async_read_some(net::buffer(&byte, 1), [done](beast::error_code e, size_t) { done(e); });
    });
  }
  timeout_ = saved;
  // Our own deadline firing means the server kept the connection open.
  return ec && ec != beast::error::timeout && ec != net::error::timed_out;
}

std::string TestClient::peerFingerprint() const {
  if (!tls_) {
    return {};
  }
  X509* cert = SSL_get1_peer_certificate(tls_->native_handle());
  if (cert == nullptr) {
    return {};
  }
  std::string out = hexDigest(cert);
  X509_free(cert);
  return out;
}

std::string pemFingerprint(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) {
    return {};
  }
  std::string out = hexDigest(cert);
  X509_free(cert);
  return out;
}

std::string base64Decode(const std::string& in) {
  auto decoded = ::sidecar::base64Decode(in);
  return decoded ? *decoded : std::string();
}

size_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace sidecar::webhook::testing
