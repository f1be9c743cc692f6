#pragma once

#include "common/base64.h"

// A real HTTPS admission webhook for tests: serves one request per connection on its own
// thread with a certificate from a test CA, and answers AdmissionReviews with a handler.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test/apiserver/tls_cert.h"

namespace sidecar::testapi {

class FakeWebhook {
 public:
  // Gets AdmissionReview.request, returns AdmissionReview.response (uid is filled in).
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

  FakeWebhook(const CertificatePair& serving, Handler handler) : handler_(std::move(handler)) {
    namespace net = boost::asio;
    ctx_.use_certificate_chain(net::buffer(serving.certPem));
    ctx_.use_private_key(net::buffer(serving.keyPem), net::ssl::context::pem);
    net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeWebhook() {
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket s(ioc_);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  int calls() const { return calls_.load(); }
  std::vector<std::string> targets() const {
    std::lock_guard lock(mutex_);
    return targets_;
  }
  std::vector<nlohmann::json> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    namespace beast = boost::beast;
    namespace http = beast::http;
    while (!stopping_) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) {
        continue;
      }
      beast::ssl_stream<boost::asio::ip::tcp::socket> stream(std::move(socket), ctx_);
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (ec) {
        continue;  // e.g. the client rejected our certificate
      }
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) {
        continue;
      }
      nlohmann::json review = nlohmann::json::parse(req.body(), nullptr, false);
      nlohmann::json request = review.is_object() ? review.value("request", nlohmann::json::object())
                                                  : nlohmann::json::object();
      {
        std::lock_guard lock(mutex_);
        targets_.push_back(std::string(req.target()));
        requests_.push_back(request);
      }
      ++calls_;
      nlohmann::json response = handler_(request);
      if (!response.contains("uid")) {
        response["uid"] = request.value("uid", "");
      }
      http::response<http::string_body> res(http::status::ok, 11);
      res.set(http::field::content_type, "application/json");
      res.body() = nlohmann::json{{"apiVersion", review.value("apiVersion", "admission.k8s.io/v1")},
                                  {"kind", "AdmissionReview"},
                                  {"response", response}}
                       .dump();
      res.prepare_payload();
      http::write(stream, res, ec);
      stream.shutdown(ec);
    }
  }

  Handler handler_;
  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_{boost::asio::ssl::context::tls_server};
  boost::asio::ip::tcp::acceptor acceptor_{ioc_};
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> calls_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::vector<nlohmann::json> requests_;
  std::thread thread_;
};

}  // namespace sidecar::testapi
