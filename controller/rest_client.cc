#include "controller/rest_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cctype>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <vector>

#include "common/file.h"

namespace sidecar::controller {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

std::string urlEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

namespace {

struct ServerAddress {
  std::string host;  // without IPv6 brackets
  std::string port;
  std::string basePath;
};

Expected<ServerAddress> parseServer(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (url.rfind(kScheme, 0) != 0) {
    return fail("server " + url + ": only https:// is supported");
  }
  std::string rest = url.substr(kScheme.size());
  ServerAddress out;
  const auto slash = rest.find('/');
  if (slash != std::string::npos) {
    out.basePath = rest.substr(slash);
    while (!out.basePath.empty() && out.basePath.back() == '/') {
      out.basePath.pop_back();
    }
    rest = rest.substr(0, slash);
  }
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string::npos) {
      return fail("server " + url + ": unterminated IPv6 address");
    }
    out.host = rest.substr(1, close - 1);
    out.port = close + 2 <= rest.size() && rest[close + 1] == ':' ? rest.substr(close + 2) : "443";
  } else {
    const auto colon = rest.rfind(':');
    out.host = colon == std::string::npos ? rest : rest.substr(0, colon);
    out.port = colon == std::string::npos ? "443" : rest.substr(colon + 1);
  }
  if (out.host.empty()) {
    return fail("server " + url + ": missing host");
  }
  return out;
}

// One TLS connection with its own io_context, so a blocking-style call can run async
// operations (which honour tcp_stream deadlines) and another thread can cancel by posting.
struct Connection {
  net::io_context ioc;
  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  explicit Connection(ssl::context& ctx) : stream(ioc, ctx) {}
};

// Runs one async operation to completion under a deadline.
template <class Start>
beast::error_code runOp(Connection& c, Millis timeout, Start&& start) {
  beast::error_code result = net::error::would_block;
  beast::get_lowest_layer(c.stream).expires_after(timeout);
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  c.ioc.restart();
  c.ioc.run();
  return result;
}

struct RequestSpec {
  http::verb method;
  std::string target;  // path + query, without the server base path
  std::string body;
  std::string contentType;
  // For error messages: "list configmaps in namespace istio-system".
  std::string verb;
  std::string resource;
  std::string ns;
  std::string name;
};

struct Response {
  int status = 0;
  std::string body;
  std::string contentType;
  std::string retryAfter;
};

std::string scopeText(const RequestSpec& spec) {
  return spec.ns.empty() ? "at cluster scope" : "in namespace " + spec.ns;
}

// Kubernetes puts a human message in a Status body; fall back to the raw text.
std::pair<std::string, std::string> statusReasonAndMessage(const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    return {parsed.value("reason", ""), parsed.value("message", "")};
  }
  return {"", body.substr(0, 200)};
}

ApiError errorFor(const RequestSpec& spec, const Response& r) {
  auto [reason, message] = statusReasonAndMessage(r.body);
  if (r.status == 403) {
    return ApiError(403, reason.empty() ? "Forbidden" : reason,
                    "forbidden: cannot " + spec.verb + " " + spec.resource + " " + scopeText(spec) +
                        ": grant verb " + spec.verb + " on " + spec.resource);
  }
  if (r.status == 401) {
    return ApiError(401, reason.empty() ? "Unauthorized" : reason,
                    "unauthorized: cannot " + spec.verb + " " + spec.resource + " " + scopeText(spec) +
                        ": the API server rejected the credentials (check the token or client certificate)");
  }
  std::string what = spec.verb + " " + spec.resource;
  if (!spec.name.empty()) {
    what += " " + (spec.ns.empty() ? spec.name : spec.ns + "/" + spec.name);
  } else {
    what += " " + scopeText(spec);
  }
  return ApiError(r.status, reason,
                  what + ": HTTP " + std::to_string(r.status) + (message.empty() ? "" : ": " + message));
}

class WatchStreamImpl;

class BeastRestClient final : public RestClient {
 public:
  BeastRestClient(ClusterConnection c, ServerAddress address, RestOptions options, Clock& clock, Random& random)
      : RestClient(std::move(c)),
        address_(std::move(address)),
        options_(options),
        clock_(clock),
        random_(random),
        sslContext_(ssl::context::tls_client) {}

  Expected<void> init() {
    sslContext_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
    beast::error_code ec;
    if (connection_.insecureSkipTlsVerify) {
      sslContext_.set_verify_mode(ssl::verify_none);
    } else {
      sslContext_.set_verify_mode(ssl::verify_peer);
      if (!connection_.caPem.empty()) {
        sslContext_.add_certificate_authority(net::buffer(connection_.caPem), ec);
        if (ec) {
          return fail("certificate-authority: not a valid PEM certificate: " + ec.message());
        }
      } else {
        sslContext_.set_default_verify_paths(ec);
      }
    }
    if (!connection_.clientCertPem.empty()) {
      sslContext_.use_certificate_chain(net::buffer(connection_.clientCertPem), ec);
      if (ec) {
        return fail("client-certificate: not a valid PEM certificate: " + ec.message());
      }
      sslContext_.use_private_key(net::buffer(connection_.clientKeyPem), ssl::context::pem, ec);
      if (ec) {
        return fail("client-key: not a valid PEM private key matching the certificate: " + ec.message());
      }
    }
    if (!connection_.tokenFile.empty()) {
      if (auto t = reloadToken(); !t) {
        return t;
      }
    }
    return {};
  }

  ApiResult<nlohmann::json> get(const ResourceDescriptor& rd, const std::string& ns, const std::string& name) override {
    return json(spec(http::verb::get, "get", rd, ns, name, rd.objectPath(ns, name)));
  }

  ApiResult<nlohmann::json> list(const ResourceDescriptor& rd, const std::string& ns,
                                 const ListOptions& o) override {
    std::string query;
    addParam(query, "labelSelector", o.labelSelector);
    addParam(query, "fieldSelector", o.fieldSelector);
    addParam(query, "limit", o.limit > 0 ? std::to_string(o.limit) : "");
    addParam(query, "continue", o.continueToken);
    addParam(query, "resourceVersion", o.resourceVersion);
    return json(spec(http::verb::get, "list", rd, ns, "", rd.collectionPath(ns) + query));
  }

  ApiResult<nlohmann::json> create(const ResourceDescriptor& rd, const std::string& ns,
                                   const nlohmann::json& object) override {
    auto s = spec(http::verb::post, "create", rd, ns, "", rd.collectionPath(ns));
    s.body = object.dump();
    s.contentType = "application/json";
    return json(s);
  }

  ApiResult<nlohmann::json> update(const ResourceDescriptor& rd, const std::string& ns, const std::string& name,
                                   const nlohmann::json& object) override {
    auto s = spec(http::verb::put, "update", rd, ns, name, rd.objectPath(ns, name));
    s.body = object.dump();
    s.contentType = "application/json";
    return json(s);
  }

  ApiResult<nlohmann::json> patch(const ResourceDescriptor& rd, const std::string& ns, const std::string& name,
                                  PatchType type, const std::string& body) override {
    auto s = spec(http::verb::patch, "patch", rd, ns, name, rd.objectPath(ns, name));
    s.body = body;
    switch (type) {
      case PatchType::Merge:
        s.contentType = "application/merge-patch+json";
        break;
      case PatchType::JsonPatch:
        s.contentType = "application/json-patch+json";
        break;
      case PatchType::StrategicMerge:
        s.contentType = "application/strategic-merge-patch+json";
        break;
    }
    return json(s);
  }

  ApiResult<void> remove(const ResourceDescriptor& rd, const std::string& ns, const std::string& name) override {
    auto s = spec(http::verb::delete_, "delete", rd, ns, name, rd.objectPath(ns, name));
    auto r = perform(s);
    if (!r) {
      return apiFail(std::move(r).error());
    }
    if (r->status < 200 || r->status >= 300) {
      return apiFail(errorFor(s, *r));
    }
    return {};
  }

  ApiResult<std::unique_ptr<WatchStream>> watch(const ResourceDescriptor& rd, const std::string& ns,
                                                const WatchOptions& o) override;

  ApiResult<RawResponse> raw(const std::string& method, const std::string& target, const std::string& body,
                             const std::string& contentType) override {
    RequestSpec s;
    s.method = http::string_to_verb(method);
    if (s.method == http::verb::unknown) {
      return apiFail(ApiError(0, "", "unknown HTTP method " + method));
    }
    s.target = target;
    s.body = body;
    s.contentType = contentType;
    s.verb = method;
    s.resource = target;
    auto r = perform(s);
    if (!r) {
      return apiFail(std::move(r).error());
    }
    if (r->status == 401 || r->status == 403) {
      return apiFail(errorFor(s, *r));
    }
    return RawResponse{r->status, std::move(r->body), std::move(r->contentType)};
  }

  // Shared with WatchStreamImpl.
  ApiResult<std::unique_ptr<Connection>> connect();
  std::string currentToken();
  http::request<http::string_body> buildRequest(const RequestSpec& s);
  const RestOptions& options() const { return options_; }

 private:
  static void addParam(std::string& query, const char* key, const std::string& value) {
    if (value.empty()) {
      return;
    }
    query += query.empty() ? "?" : "&";
    query += key;
    query += "=";
    query += urlEncode(value);
  }

  static RequestSpec spec(http::verb method, const char* verb, const ResourceDescriptor& rd, const std::string& ns,
                          const std::string& name, std::string target) {
    RequestSpec s;
    s.method = method;
    s.verb = verb;
    s.resource = rd.resource;
    s.ns = rd.namespaced ? ns : "";
    s.name = name;
    s.target = std::move(target);
    return s;
  }

  ApiResult<nlohmann::json> json(const RequestSpec& s) {
    auto r = perform(s);
    if (!r) {
      return apiFail(std::move(r).error());
    }
    if (r->status < 200 || r->status >= 300) {
      return apiFail(errorFor(s, *r));
    }
    auto parsed = nlohmann::json::parse(r->body, nullptr, false);
    if (parsed.is_discarded()) {
      return apiFail(ApiError(r->status, "", s.verb + " " + s.resource + ": response is not valid JSON"));
    }
    return parsed;
  }

  Expected<void> reloadToken() {
    auto token = readFile(connection_.tokenFile);
    if (!token) {
      return fail("tokenFile: " + token.error().message);
    }
    std::string t = std::move(*token);
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) {
      t.pop_back();
    }
    std::lock_guard lock(tokenMutex_);
    token_ = std::move(t);
    tokenReadAt_ = clock_.now();
    return {};
  }

  std::unique_ptr<Connection> takeIdle() {
    std::lock_guard lock(poolMutex_);
    if (idle_.empty()) {
      return nullptr;
    }
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }

  void giveBack(std::unique_ptr<Connection> c) {
    std::lock_guard lock(poolMutex_);
    if (idle_.size() < options_.maxIdleConnections) {
      idle_.push_back(std::move(c));
    }
  }

  // One exchange on one connection. `reused` tells a stale kept-alive connection apart.
  ApiResult<Response> exchange(Connection& c, const RequestSpec& s, bool& keepAlive, bool& nothingReceived) {
    auto req = buildRequest(s);
    keepAlive = false;
    nothingReceived = true;
    auto ec = runOp(c, options_.requestTimeout,
                    [&](auto handler) { http::async_write(c.stream, req, std::move(handler)); });
    if (ec) {
      return apiFail(ApiError(0, "", ec.message()));
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    ec = runOp(c, options_.requestTimeout,
               [&](auto handler) { http::async_read(c.stream, c.buffer, parser, std::move(handler)); });
    if (ec) {
      nothingReceived = !parser.got_some();
      return apiFail(ApiError(0, "", ec.message()));
    }
    nothingReceived = false;
    auto& res = parser.get();
    keepAlive = res.keep_alive();
    Response out;
    out.status = static_cast<int>(res.result_int());
    out.contentType = std::string(res[http::field::content_type]);
    out.retryAfter = std::string(res[http::field::retry_after]);
    out.body = std::move(res.body());
    return out;
  }

  ApiResult<Response> performOnce(const RequestSpec& s) {
    // A pooled connection may have been closed by the server while idle; that is not a
    // failed attempt, so it gets one silent retry on a fresh connection.
    for (int round = 0; round < 2; ++round) {
      std::unique_ptr<Connection> c = round == 0 ? takeIdle() : nullptr;
      const bool reused = c != nullptr;
      if (!c) {
        auto fresh = connect();
        if (!fresh) {
          return apiFail(std::move(fresh).error());
        }
        c = std::move(*fresh);
      }
      bool keepAlive = false;
      bool nothingReceived = true;
      auto r = exchange(*c, s, keepAlive, nothingReceived);
      if (r) {
        if (keepAlive) {
          giveBack(std::move(c));
        }
        return r;
      }
      if (!(reused && nothingReceived)) {
        return r;
      }
    }
    return apiFail(ApiError(0, "", "connection closed"));
  }

  ApiResult<Response> perform(const RequestSpec& s) {
    Backoff backoff(options_.backoff, random_);
    bool tokenRetried = false;
    for (int attempt = 0;; ++attempt) {
      auto r = performOnce(s);
      const bool canRetry = attempt < options_.maxRetries;
      if (!r) {
        if (!canRetry) {
          return apiFail(ApiError(0, "", s.verb + " " + s.resource + ": cannot reach " + connection_.server + ": " +
                                             r.error().message + " (after " + std::to_string(attempt + 1) +
                                             " attempts)"));
        }
        clock_.sleepFor(backoff.next(), neverStop_);
        continue;
      }
      if (r->status == 401 && !connection_.tokenFile.empty() && !tokenRetried) {
        // A rotated token: read the file again and retry once without waiting.
        tokenRetried = true;
        if (reloadToken()) {
          continue;
        }
      }
      if ((r->status == 429 || r->status >= 500) && canRetry) {
        Millis delay = backoff.next();
        if (!r->retryAfter.empty()) {
          char* end = nullptr;
          const long seconds = std::strtol(r->retryAfter.c_str(), &end, 10);
          if (end != r->retryAfter.c_str() && seconds >= 0) {
            delay = std::min(Millis(seconds * 1000), options_.backoff.cap);
          }
        }
        clock_.sleepFor(delay, neverStop_);
        continue;
      }
      return r;
    }
  }

  ServerAddress address_;
  RestOptions options_;
  Clock& clock_;
  Random& random_;
  ssl::context sslContext_;
  StopSignal neverStop_;

  std::mutex poolMutex_;
  std::vector<std::unique_ptr<Connection>> idle_;

  std::mutex tokenMutex_;
  std::string token_;
  std::chrono::steady_clock::time_point tokenReadAt_{};
};

ApiResult<std::unique_ptr<Connection>> BeastRestClient::connect() {
  auto c = std::make_unique<Connection>(sslContext_);
  tcp::resolver resolver(c->ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(address_.host, address_.port, ec);
  if (ec) {
    return apiFail(ApiError(0, "", "resolve " + address_.host + ": " + ec.message()));
  }
  ec = runOp(*c, options_.requestTimeout, [&](auto handler) {
    beast::get_lowest_layer(c->stream).async_connect(endpoints, std::move(handler));
  });
  if (ec) {
    return apiFail(ApiError(0, "", "connect " + address_.host + ":" + address_.port + ": " + ec.message()));
  }
  SSL* ssl = c->stream.native_handle();
  const std::string& name = connection_.tlsServerName.empty() ? address_.host : connection_.tlsServerName;
  beast::error_code addrEc;
  (void)net::ip::make_address(name, addrEc);
  const bool isIp = !addrEc;
  if (!isIp) {
    SSL_set_tlsext_host_name(ssl, name.c_str());
  }
  if (!connection_.insecureSkipTlsVerify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (isIp) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    }
  }
  ec = runOp(*c, options_.requestTimeout,
             [&](auto handler) { c->stream.async_handshake(ssl::stream_base::client, std::move(handler)); });
  if (ec) {
    return apiFail(ApiError(0, "", "TLS handshake with " + address_.host + ":" + address_.port + ": " + ec.message()));
  }
  return c;
}

std::string BeastRestClient::currentToken() {
  if (!connection_.tokenFile.empty()) {
    bool stale = false;
    {
      std::lock_guard lock(tokenMutex_);
      stale = clock_.now() - tokenReadAt_ >= options_.tokenRefresh;
    }
    if (stale) {
      // On a read error keep the previous token; a 401 will force another attempt.
      (void)reloadToken();
    }
    std::lock_guard lock(tokenMutex_);
    return token_;
  }
  return connection_.bearerToken;
}

http::request<http::string_body> BeastRestClient::buildRequest(const RequestSpec& s) {
  http::request<http::string_body> req{s.method, address_.basePath + s.target, 11};
  const bool ipv6 = address_.host.find(':') != std::string::npos;
  req.set(http::field::host, (ipv6 ? "[" + address_.host + "]" : address_.host) + ":" + address_.port);
  req.set(http::field::user_agent, options_.userAgent);
  req.set(http::field::accept, "application/json");
  const std::string token = currentToken();
  if (!token.empty()) {
    req.set(http::field::authorization, "Bearer " + token);
  }
  if (!s.body.empty() || s.method == http::verb::post || s.method == http::verb::put ||
      s.method == http::verb::patch) {
    req.set(http::field::content_type, s.contentType.empty() ? "application/json" : s.contentType);
    req.body() = s.body;
  }
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

class WatchStreamImpl final : public WatchStream {
 public:
  WatchStreamImpl(std::unique_ptr<Connection> c, Millis readTimeout)
      : conn_(std::move(c)), readTimeout_(readTimeout) {
    parser_.body_limit(boost::none);
  }

  ApiResult<void> start(http::request<http::string_body>& req, const RequestSpec& s) {
    auto ec = runOp(*conn_, readTimeout_, [&](auto handler) { http::async_write(conn_->stream, req, std::move(handler)); });
    if (ec) {
      return apiFail(ApiError(0, "", "watch " + s.resource + ": " + ec.message()));
    }
    ec = runOp(*conn_, readTimeout_,
               [&](auto handler) { http::async_read_header(conn_->stream, conn_->buffer, parser_, std::move(handler)); });
    if (ec) {
      return apiFail(ApiError(0, "", "watch " + s.resource + ": " + ec.message()));
    }
    const int status = static_cast<int>(parser_.get().result_int());
    if (status != 200) {
      Response r;
      r.status = status;
      ec = runOp(*conn_, readTimeout_,
                 [&](auto handler) { http::async_read(conn_->stream, conn_->buffer, parser_, std::move(handler)); });
      r.body = parser_.get().body();
      return apiFail(errorFor(s, r));
    }
    return {};
  }

  ApiResult<std::optional<std::string>> nextLine() override {
    for (;;) {
      const auto nl = pending_.find('\n');
      if (nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        if (line.empty()) {
          continue;
        }
        return std::optional<std::string>(std::move(line));
      }
      if (parser_.is_done()) {
        if (!pending_.empty()) {
          return std::optional<std::string>(std::exchange(pending_, {}));
        }
        return std::optional<std::string>();
      }
      if (cancelled_) {
        return apiFail(ApiError(0, "", "watch cancelled"));
      }
      auto ec = runOp(*conn_, readTimeout_, [&](auto handler) {
        http::async_read_some(conn_->stream, conn_->buffer, parser_, std::move(handler));
      });
      pending_ += parser_.get().body();
      parser_.get().body().clear();
      if (ec) {
        return apiFail(ApiError(0, "", cancelled_ ? "watch cancelled" : "watch stream broken: " + ec.message()));
      }
    }
  }

  void cancel() override {
    cancelled_ = true;
    Connection* c = conn_.get();
    net::post(c->ioc, [c] { beast::get_lowest_layer(c->stream).cancel(); });
  }

 private:
  std::unique_ptr<Connection> conn_;
  Millis readTimeout_;
  http::response_parser<http::string_body> parser_;
  std::string pending_;
  std::atomic<bool> cancelled_{false};
};

ApiResult<std::unique_ptr<WatchStream>> BeastRestClient::watch(const ResourceDescriptor& rd, const std::string& ns,
                                                               const WatchOptions& o) {
  std::string query = "?watch=true";
  addParam(query, "labelSelector", o.labelSelector);
  addParam(query, "fieldSelector", o.fieldSelector);
  addParam(query, "resourceVersion", o.resourceVersion);
  addParam(query, "timeoutSeconds", o.timeoutSeconds > 0 ? std::to_string(o.timeoutSeconds) : "");
  if (o.allowBookmarks) {
    query += "&allowWatchBookmarks=true";
  }
  auto s = spec(http::verb::get, "watch", rd, ns, "", rd.collectionPath(ns) + query);
  auto c = connect();
  if (!c) {
    return apiFail(ApiError(0, "", "watch " + rd.resource + ": " + c.error().message));
  }
  auto req = buildRequest(s);
  // The server ends the stream at timeoutSeconds; allow slack before calling it dead.
  const Millis readTimeout = Millis((o.timeoutSeconds > 0 ? o.timeoutSeconds : 1800) * 1000LL + 30000);
  auto stream = std::make_unique<WatchStreamImpl>(std::move(*c), readTimeout);
  auto started = stream->start(req, s);
  if (!started) {
    ApiError e = started.error();
    if (e.status == 401 && !connection_.tokenFile.empty()) {
      (void)reloadToken();
    }
    return apiFail(std::move(e));
  }
  return std::unique_ptr<WatchStream>(std::move(stream));
}

}  // namespace

Expected<std::unique_ptr<RestClient>> RestClient::create(ClusterConnection connection, RestOptions options,
                                                         Clock& clock, Random& random) {
  auto address = parseServer(connection.server);
  if (!address) {
    return fail(address.error().message);
  }
  auto client = std::make_unique<BeastRestClient>(std::move(connection), std::move(*address), options, clock, random);
  if (auto ok = client->init(); !ok) {
    return fail(ok.error().message);
  }
  return std::unique_ptr<RestClient>(std::move(client));
}

}  // namespace sidecar::controller
