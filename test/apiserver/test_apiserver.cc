#include "test/apiserver/test_apiserver.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "test/apiserver/deployment_controller.h"

namespace sidecar::testapi {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

std::string urlDecode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

ApiRequest toApiRequest(const http::request<http::string_body>& req) {
  ApiRequest r;
  r.method = std::string(req.method_string());
  const std::string target(req.target());
  const auto q = target.find('?');
  r.path = urlDecode(target.substr(0, q));
  if (q != std::string::npos) {
    std::string_view rest(target);
    rest.remove_prefix(q + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      std::string_view kv = rest.substr(0, amp);
      const auto eq = kv.find('=');
      r.query[urlDecode(kv.substr(0, eq))] =
          eq == std::string_view::npos ? "" : urlDecode(kv.substr(eq + 1));
      if (amp == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(amp + 1);
    }
  }
  r.body = req.body();
  r.contentType = std::string(req[http::field::content_type]);
  r.accept = std::string(req[http::field::accept]);
  r.userAgent = std::string(req[http::field::user_agent]);
  return r;
}

// The namespace of a JSON pod create (POST .../namespaces/<ns>/pods), which must pass
// mutating admission; nullopt for every other request.
std::optional<std::string> podCreateNamespace(const ApiRequest& r) {
  if (r.method != "POST" || r.contentType.find("protobuf") != std::string::npos) {
    return std::nullopt;
  }
  std::vector<std::string> seg;
  std::string cur;
  for (char c : r.path + "/") {
    if (c == '/') {
      if (!cur.empty()) {
        seg.push_back(std::move(cur));
      }
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (seg.size() == 5 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "namespaces" &&
      seg[4] == "pods") {
    return seg[3];
  }
  return std::nullopt;
}

class Session;

}  // namespace

struct TestApiServer::Impl {
  TestApiServerOptions options;
  ObjectStore store;
  std::optional<CertificateAuthority> ca;
  std::string caFile;
  std::string certDir;
  ssl::context sslContext{ssl::context::tls_server};
  uint16_t port = 0;
  bool stopped = false;

  mutable std::mutex mutex;  // guards the fields below
  std::set<std::string> tokens;
  int failCount = 0;
  int failStatus = 500;
  int failRetryAfter = -1;
  std::string failFilter;
  // "verb resource" pairs SelfSubjectAccessReviews answer "not allowed" (everything else is
  // allowed: the test API server does not authorize requests themselves).
  std::set<std::string> denied;
  std::chrono::milliseconds latency{0};
  std::vector<std::string> log;

  std::unique_ptr<MutatingAdmission> admission;
  std::unique_ptr<DeploymentController> controller;

  // I/O thread only.
  std::map<Session*, std::weak_ptr<Session>> watches;
  std::atomic<int> activeWatches{0};
  std::atomic<int> connections{0};

  // Declared last so it is destroyed first: pending handlers own Sessions, whose
  // destructors still use everything above.
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  // Webhook calls block and the webhook may call back into this server, so they run here
  // rather than on the single I/O thread.
  net::thread_pool admissionPool{4};

  void accept();
  void dropWatchesOnIoThread();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, TestApiServer::Impl& server)
      : server_(server),
        stream_(std::move(socket), server.sslContext),
        timer_(server.ioc),
        deadline_(server.ioc) {}

  ~Session() { unregisterWatch(); }

  void run() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec) {
                                self->doRead();
                              }
                            });
  }

  void enqueue(std::string line) {
    if (closed_) {
      return;
    }
    queue_.push_back(std::move(line));
    if (!writing_) {
      writeNext();
    }
  }

  void drop() {
    // Abrupt: no last chunk, no close_notify, so the client sees a broken stream.
    closed_ = true;
    unregisterWatch();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
    timer_.cancel();
    deadline_.cancel();
  }

 private:
  void doRead() {
    parser_.emplace();
    parser_->body_limit(16 * 1024 * 1024);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(120));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (ec) {
      return;
    }
    req_ = parser_->release();
    std::chrono::milliseconds latency{0};
    {
      std::lock_guard lock(server_.mutex);
      server_.log.push_back(std::string(req_.method_string()) + " " + std::string(req_.target()));
      latency = server_.latency;
    }
    if (latency.count() > 0) {
      timer_.expires_after(latency);
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->handle(); });
      return;
    }
    handle();
  }

  bool authenticated() {
    const std::string auth(req_[http::field::authorization]);
    if (auth.rfind("Bearer ", 0) == 0) {
      std::lock_guard lock(server_.mutex);
      if (server_.tokens.count(auth.substr(7))) {
        return true;
      }
    }
    SSL* ssl = stream_.native_handle();
    return SSL_get0_peer_certificate(ssl) != nullptr && SSL_get_verify_result(ssl) == X509_V_OK;
  }

  void handle() {
    if (!authenticated()) {
      respond(statusResponse(401, "Unauthorized", "Unauthorized"));
      return;
    }
    const std::string target(req_.target());
    if (target.rfind("/testcontrol/", 0) != 0) {
      std::lock_guard lock(server_.mutex);
      if (server_.failCount > 0 && target.find(server_.failFilter) != std::string::npos) {
        --server_.failCount;
        ApiResponse r = statusResponse(
            server_.failStatus, server_.failStatus == 429 ? "TooManyRequests" : "InternalError",
            "injected failure");
        if (server_.failRetryAfter >= 0) {
          r.headers.emplace_back("Retry-After", std::to_string(server_.failRetryAfter));
        }
        respond(r);
        return;
      }
    }
    ApiRequest request = toApiRequest(req_);
    if (request.path.rfind("/testcontrol/", 0) == 0) {
      respond(control(request));
      return;
    }
    if (request.method == "POST" &&
        request.path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") {
      respond(accessReview(request));
      return;
    }
    if (auto ns = podCreateNamespace(request)) {
      auto self = shared_from_this();
      net::post(server_.admissionPool, [self, request = std::move(request), ns = std::move(*ns)] {
        ApiResponse response = self->server_.admission->createPod(request, ns);
        net::post(self->server_.ioc,
                  [self, response = std::move(response)] { self->respond(response); });
      });
      return;
    }
    Routed routed = server_.store.route(request);
    if (routed.response) {
      respond(*routed.response);
      return;
    }
    startWatch(*routed.watch);
  }

  ApiResponse accessReview(const ApiRequest& r) {
    auto review = nlohmann::json::parse(r.body, nullptr, false);
    if (review.is_discarded() || !review.is_object()) {
      return statusResponse(400, "BadRequest", "the body is not a SelfSubjectAccessReview");
    }
    const auto attributes =
        review.value("/spec/resourceAttributes"_json_pointer, nlohmann::json::object());
    const std::string key = attributes.value("verb", "") + " " + attributes.value("resource", "");
    bool allowed = false;
    {
      std::lock_guard lock(server_.mutex);
      allowed = server_.denied.count(key) == 0;
    }
    review["status"] = {{"allowed", allowed}};
    ApiResponse response;
    response.status = 201;
    response.body = review.dump();
    return response;
  }

  ApiResponse control(const ApiRequest& r) {
    auto q = [&](const char* key, int dflt) {
      auto it = r.query.find(key);
      return it == r.query.end() ? dflt : std::atoi(it->second.c_str());
    };
    ApiResponse ok;
    ok.body = R"({"ok":true})";
    if (r.path == "/testcontrol/drop-watches") {
      server_.dropWatchesOnIoThread();
    } else if (r.path == "/testcontrol/compact") {
      server_.store.compact();
    } else if (r.path == "/testcontrol/fail") {
      std::lock_guard lock(server_.mutex);
      server_.failCount = q("count", 1);
      server_.failStatus = q("status", 500);
      server_.failRetryAfter = q("retryAfter", -1);
      auto f = r.query.find("path");
      server_.failFilter = f == r.query.end() ? "" : f->second;
    } else if (r.path == "/testcontrol/admission-log") {
      nlohmann::json log = nlohmann::json::array();
      for (const auto& a : server_.admission->log()) {
        log.push_back({{"configuration", a.configuration},
                       {"webhook", a.webhook},
                       {"namespace", a.namespaceName},
                       {"pod", a.podName},
                       {"called", a.called},
                       {"allowed", a.allowed},
                       {"patched", a.patched},
                       {"error", a.error},
                       {"latencyMs", a.latency.count()}});
      }
      ok.body = log.dump();
    } else if (r.path == "/testcontrol/deny") {
      // SelfSubjectAccessReviews for ?verb=&resource= answer "not allowed" from now on.
      std::lock_guard lock(server_.mutex);
      auto verb = r.query.find("verb");
      auto resource = r.query.find("resource");
      if (verb == r.query.end() || resource == r.query.end()) {
        return statusResponse(400, "BadRequest", "deny needs verb and resource");
      }
      server_.denied.insert(verb->second + " " + resource->second);
    } else if (r.path == "/testcontrol/request-log") {
      // "GET /api/v1/pods?watch=true&..." per request, oldest first: what a client really did.
      std::lock_guard lock(server_.mutex);
      ok.body = nlohmann::json(server_.log).dump();
    } else if (r.path == "/testcontrol/latency") {
      std::lock_guard lock(server_.mutex);
      server_.latency = std::chrono::milliseconds(q("ms", 0));
    } else {
      return statusResponse(404, "NotFound", "unknown test control " + r.path);
    }
    return ok;
  }

  void respond(const ApiResponse& r) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "sidecar-test-apiserver");
    res->set(http::field::content_type, r.contentType);
    for (const auto& [k, v] : r.headers) {
      res->set(k, v);
    }
    res->keep_alive(req_.keep_alive());
    res->body() = r.body;
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec) {
                          return;
                        }
                        if (res->keep_alive()) {
                          self->doRead();
                        } else {
                          beast::error_code ignored;
                          beast::get_lowest_layer(self->stream_)
                              .socket()
                              .shutdown(tcp::socket::shutdown_send, ignored);
                        }
                      });
  }

  void startWatch(const WatchSpec& spec) {
    std::weak_ptr<Session> weak = weak_from_this();
    net::io_context& ioc = server_.ioc;
    auto start = server_.store.startWatch(spec, [weak, &ioc](std::string line) {
      net::post(ioc, [weak, line = std::move(line)]() mutable {
        if (auto s = weak.lock()) {
          s->enqueue(std::move(line));
        }
      });
    });
    if (start.goneStatus) {
      respond(statusResponse(410, "Expired", "too old resource version: " + spec.resourceVersion));
      return;
    }
    watchId_ = start.id;
    if (!start.finished) {
      server_.watches[this] = weak;
      ++server_.activeWatches;
      registered_ = true;
    }
    beast::get_lowest_layer(stream_).expires_never();
    header_ = std::make_unique<http::response<http::empty_body>>(http::status::ok, 11);
    header_->set(http::field::content_type, "application/json");
    header_->set(http::field::server, "sidecar-test-apiserver");
    header_->chunked(true);
    serializer_ = std::make_unique<http::response_serializer<http::empty_body>>(*header_);
    for (auto& line : start.initialLines) {
      queue_.push_back(std::move(line));
    }
    finishing_ = start.finished;
    writing_ = true;
    http::async_write_header(stream_, *serializer_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               self->writing_ = false;
                               if (ec) {
                                 self->drop();
                                 return;
                               }
                               self->writeNext();
                             });
    if (finishing_) {
      return;
    }
    if (spec.bookmarks) {
      scheduleBookmark();
    }
    if (spec.timeoutSeconds > 0) {
      deadline_.expires_after(std::chrono::seconds(spec.timeoutSeconds));
      deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) {
          self->finish();
        }
      });
    }
  }

  void scheduleBookmark() {
    timer_.expires_after(server_.options.bookmarkInterval);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_ || self->finishing_) {
        return;
      }
      self->server_.store.bookmark(self->watchId_);
      self->scheduleBookmark();
    });
  }

  // Ends the stream cleanly (server-side timeout): the last chunk, then close.
  void finish() {
    unregisterWatch();
    finishing_ = true;
    timer_.cancel();
    if (!writing_) {
      writeNext();
    }
  }

  void writeNext() {
    if (closed_) {
      return;
    }
    if (queue_.empty()) {
      if (finishing_) {
        writing_ = true;
        closed_ = true;
        net::async_write(stream_, http::make_chunk_last(),
                         [self = shared_from_this()](beast::error_code, std::size_t) {
                           self->unregisterWatch();
                           beast::error_code ignored;
                           beast::get_lowest_layer(self->stream_)
                               .socket()
                               .shutdown(tcp::socket::shutdown_both, ignored);
                           beast::get_lowest_layer(self->stream_).socket().close(ignored);
                         });
      }
      return;
    }
    writing_ = true;
    auto data = std::make_shared<std::string>(std::move(queue_.front()));
    queue_.pop_front();
    net::async_write(stream_, http::make_chunk(net::buffer(*data)),
                     [self = shared_from_this(), data](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec) {
                         self->drop();
                         return;
                       }
                       self->writeNext();
                     });
  }

  void unregisterWatch() {
    if (watchId_ != 0) {
      server_.store.stopWatch(watchId_);
    }
    if (registered_) {
      registered_ = false;
      server_.watches.erase(this);
      --server_.activeWatches;
    }
  }

  TestApiServer::Impl& server_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> req_;
  net::steady_timer timer_;
  net::steady_timer deadline_;

  uint64_t watchId_ = 0;
  bool registered_ = false;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool finishing_ = false;
  bool closed_ = false;
  std::unique_ptr<http::response<http::empty_body>> header_;
  std::unique_ptr<http::response_serializer<http::empty_body>> serializer_;
};

}  // namespace

void TestApiServer::Impl::accept() {
  acceptor.async_accept(ioc, [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      return;
    }
    ++connections;
    std::make_shared<Session>(std::move(socket), *this)->run();
    accept();
  });
}

void TestApiServer::Impl::dropWatchesOnIoThread() {
  auto copy = watches;
  for (auto& [ptr, weak] : copy) {
    if (auto s = weak.lock()) {
      s->drop();
    }
  }
}

TestApiServer::TestApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TestApiServer::~TestApiServer() {
  stop();
}

Expected<std::unique_ptr<TestApiServer>> TestApiServer::start(TestApiServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->tokens.insert(options.tokens.begin(), options.tokens.end());
  auto ca = CertificateAuthority::create("sidecar-test-apiserver-ca");
  if (!ca) {
    return fail(ca.error().message);
  }
  impl->ca = std::move(*ca);
  auto serverCert = impl->ca->issue("kube-apiserver", {"localhost", "kubernetes.default.svc"},
                                    {"127.0.0.1"}, false);
  if (!serverCert) {
    return fail(serverCert.error().message);
  }
  beast::error_code ec;
  impl->sslContext.use_certificate_chain(net::buffer(serverCert->certPem), ec);
  if (!ec) {
    impl->sslContext.use_private_key(net::buffer(serverCert->keyPem), ssl::context::pem, ec);
  }
  if (!ec) {
    impl->sslContext.add_certificate_authority(net::buffer(impl->ca->ca().certPem), ec);
  }
  if (ec) {
    return fail("test apiserver TLS setup: " + ec.message());
  }
  // Client certificates are optional: requested and verified when presented.
  impl->sslContext.set_verify_mode(ssl::verify_peer);
  impl->certDir = options.certDir;
  if (impl->certDir.empty()) {
    std::string templ = (std::filesystem::temp_directory_path() / "test-apiserver-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) {
      return fail("test apiserver: cannot create a temp directory");
    }
    impl->certDir = templ;
  }
  std::filesystem::create_directories(impl->certDir);
  impl->caFile = impl->certDir + "/ca.crt";
  std::ofstream(impl->caFile) << impl->ca->ca().certPem;

  tcp::endpoint endpoint(net::ip::make_address(options.address, ec), options.port);
  if (ec) {
    return fail("test apiserver: bad address " + options.address);
  }
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    impl->acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return fail("test apiserver: cannot listen on " + options.address + ":" +
                std::to_string(options.port) + ": " + ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  impl->admission = std::make_unique<MutatingAdmission>(impl->store, options.serviceEndpoints);
  if (options.controllers) {
    impl->controller = std::make_unique<DeploymentController>(impl->store, *impl->admission);
    impl->controller->start();
  }
  impl->accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->ioc.run(); });
  return std::unique_ptr<TestApiServer>(new TestApiServer(std::move(impl)));
}

void TestApiServer::stop() {
  if (!impl_ || impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  if (impl_->controller) {
    impl_->controller->stop();
  }
  impl_->store.stopAllWatches();
  net::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->dropWatchesOnIoThread();
    impl->ioc.stop();
  });
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
  // Pending admissions finish within their webhook timeouts; their replies go nowhere.
  impl_->admissionPool.join();
}

uint16_t TestApiServer::port() const {
  return impl_->port;
}
std::string TestApiServer::url() const {
  return "https://127.0.0.1:" + std::to_string(impl_->port);
}
const std::string& TestApiServer::caFile() const {
  return impl_->caFile;
}
const std::string& TestApiServer::caPem() const {
  return impl_->ca->ca().certPem;
}
const std::string& TestApiServer::certDir() const {
  return impl_->certDir;
}
ObjectStore& TestApiServer::store() {
  return impl_->store;
}

Expected<CertificatePair> TestApiServer::issueClientCertificate(
    const std::string& commonName) const {
  return impl_->ca->issue(commonName, {}, {}, true);
}

std::string TestApiServer::kubeconfig(const std::string& token) const {
  return "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: test\n  "
         "cluster:\n    server: " +
         url() + "\n    certificate-authority: " + caFile() +
         "\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: test\nusers:\n- "
         "name: test\n  user:\n"
         "    token: " +
         token + "\n";
}

void TestApiServer::dropWatches() {
  std::promise<void> done;
  net::post(impl_->ioc, [&] {
    impl_->dropWatchesOnIoThread();
    done.set_value();
  });
  done.get_future().wait();
}

void TestApiServer::failNext(int count, int status, int retryAfterSeconds,
                             const std::string& pathFilter) {
  std::lock_guard lock(impl_->mutex);
  impl_->failCount = count;
  impl_->failStatus = status;
  impl_->failRetryAfter = retryAfterSeconds;
  impl_->failFilter = pathFilter;
}

void TestApiServer::setLatency(std::chrono::milliseconds latency) {
  std::lock_guard lock(impl_->mutex);
  impl_->latency = latency;
}

void TestApiServer::setTokens(std::vector<std::string> tokens) {
  std::lock_guard lock(impl_->mutex);
  impl_->tokens = std::set<std::string>(tokens.begin(), tokens.end());
}

std::vector<std::string> TestApiServer::requestLog() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

void TestApiServer::clearRequestLog() {
  std::lock_guard lock(impl_->mutex);
  impl_->log.clear();
}

std::vector<AdmissionRecord> TestApiServer::admissionLog() const {
  return impl_->admission->log();
}

int TestApiServer::activeWatches() const {
  return impl_->activeWatches.load();
}
int TestApiServer::connectionsAccepted() const {
  return impl_->connections.load();
}

}  // namespace sidecar::testapi
