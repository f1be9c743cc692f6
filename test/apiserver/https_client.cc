#include "test/apiserver/https_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <exception>

namespace sidecar::testapi {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

// Which step failed, so the message says "tls handshake" rather than a bare errno text.
struct StepError {
  std::string step;
  beast::error_code ec;
};

std::string describe(const StepError& e, SSL* ssl, std::chrono::milliseconds timeout) {
  if (e.ec == beast::error::timeout) {
    return e.step + ": timeout after " + std::to_string(timeout.count()) + " ms";
  }
  if (e.step == "tls handshake") {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      return "tls: failed to verify certificate: " + std::string(X509_verify_cert_error_string(verify));
    }
  }
  return e.step + ": " + e.ec.message();
}

}  // namespace

Expected<HttpsResponse> httpsRequest(const HttpsRequest& request) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_peer);
  if (!request.caPem.empty()) {
    beast::error_code ec;
    ctx.add_certificate_authority(net::buffer(request.caPem), ec);
    if (ec) {
      return fail("caBundle: not a PEM certificate bundle (" + ec.message() + ")");
    }
  }
  net::io_context ioc;
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  SSL* ssl = stream.native_handle();
  const std::string verifyHost = request.verifyHost.empty() ? request.host : request.verifyHost;
  beast::error_code addrEc;
  net::ip::make_address(verifyHost, addrEc);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!addrEc) {
    X509_VERIFY_PARAM_set1_ip_asc(param, verifyHost.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, verifyHost.c_str(), verifyHost.size());
    SSL_set_tlsext_host_name(ssl, verifyHost.c_str());
  }

  std::optional<StepError> failure;
  HttpsResponse response;
  bool done = false;
  beast::get_lowest_layer(stream).expires_after(request.timeout);
  auto run = [&]() -> net::awaitable<void> {
    std::string step = "resolve " + request.host;
    try {
      tcp::resolver resolver(ioc);
      auto endpoints = co_await resolver.async_resolve(request.host, std::to_string(request.port), net::use_awaitable);
      step = "dial tcp " + request.host + ":" + std::to_string(request.port);
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::use_awaitable);
      step = "tls handshake";
      co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);
      http::request<http::string_body> req(http::string_to_verb(request.method), request.target, 11);
      req.set(http::field::host, verifyHost + ":" + std::to_string(request.port));
      req.set(http::field::user_agent, "sidecar-test-apiserver");
      for (const auto& [k, v] : request.headers) {
        req.set(k, v);
      }
      req.body() = request.body;
      req.prepare_payload();
      step = "write request";
      co_await http::async_write(stream, req, net::use_awaitable);
      step = "read response";
      beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      co_await http::async_read(stream, buffer, parser, net::use_awaitable);
      response.status = static_cast<int>(parser.get().result_int());
      response.body = parser.get().body();
      done = true;
    } catch (const boost::system::system_error& e) {
      failure = StepError{step, e.code()};
    }
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().close(ignored);
  };
  net::co_spawn(ioc, run(), net::detached);
  ioc.run();
  if (failure) {
    return fail(describe(*failure, ssl, request.timeout));
  }
  if (!done) {
    return fail("request did not complete");
  }
  return response;
}

}  // namespace sidecar::testapi
