#include "webhook/server.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "webhook/file_watcher.h"
#include "webhook/http_handler.h"
#include "webhook/log.h"

namespace sidecar::webhook {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// What stop() needs from a live connection.
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  virtual void requestClose() = 0;
};

bool isTimeout(const beast::error_code& ec) {
  return ec == beast::error::timeout;
}

bool isPeerGone(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::operation_aborted ||
         ec == net::ssl::error::stream_truncated;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, PodMutatorPtr mutator, std::shared_ptr<Metrics> metrics)
      : options_(std::move(options)), mutator_(std::move(mutator)), metrics_(std::move(metrics)) {}

  ~Impl() { stop(); }

  Expected<void> init(std::shared_ptr<const FileProbe> probe);
  Expected<void> start();
  void stop();

  // Session bookkeeping; every session registers on creation and unregisters on destruction.
  bool admitConnection();
  void registerSession(SessionControl* key, std::weak_ptr<SessionControl> session,
                       const net::any_io_executor& executor);
  void unregisterSession(SessionControl* key);

  const ServerOptions& options() const { return options_; }
  Metrics& metrics() { return *metrics_; }
  const RequestHandler& tlsHandler() const { return *tlsHandler_; }
  const RequestHandler& plainHandler() const { return *plainHandler_; }
  CertStore& certStore() { return *certs_; }
  const std::string& caPem() const { return caPem_; }
  bool stopping() const { return stopping_.load(); }
  net::io_context& ioc() { return ioc_; }
  uint16_t port() const { return port_; }
  uint16_t monitoringPort() const { return monitoringPort_; }

 private:
  template <bool Tls>
  void doAccept(tcp::acceptor& acceptor);
  Expected<void> bind(tcp::acceptor& acceptor, const std::string& address, uint16_t port,
                      const char* what);
  void healthFileLoop();

  ServerOptions options_;
  PodMutatorPtr mutator_;
  std::shared_ptr<Metrics> metrics_;
  std::unique_ptr<CertStore> certs_;
  // inotify on the certificate files so a rotated Secret is served within moments; the
  // CertStore's own polling stays as the fallback (and is all that test probes drive).
  std::unique_ptr<FileWatcher> certWatcher_;
  bool realCertFiles_ = false;
  std::optional<RequestHandler> tlsHandler_;
  std::optional<RequestHandler> plainHandler_;
  std::string caPem_;
  uint16_t port_ = 0;
  uint16_t monitoringPort_ = 0;

  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::mutex stopMu_;  // serializes stop()
  bool stopped_ = false;

  std::mutex sessionsMu_;
  std::condition_variable sessionsCv_;
  struct SessionEntry {
    std::weak_ptr<SessionControl> session;
    net::any_io_executor executor;
  };
  std::unordered_map<SessionControl*, SessionEntry> sessions_;
  size_t connections_ = 0;  // admitted and not yet unregistered, under sessionsMu_

  std::mutex healthMu_;
  std::condition_variable healthCv_;
  std::thread healthThread_;

  std::vector<std::thread> workers_;
  // Declared last: destroying the io_context destroys pending handlers and the sessions
  // they own, which unregister themselves from the members above.
  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::optional<tcp::acceptor> tlsAcceptor_;
  std::optional<tcp::acceptor> plainAcceptor_;
};

namespace {

// One HTTP/1.1 connection: a state machine of paired do/on steps (Beast's example shape),
// each async step preceded by a deadline. Tls selects an ssl_stream over the tcp_stream.
template <bool Tls>
class Session : public SessionControl, public std::enable_shared_from_this<Session<Tls>> {
 public:
  using Stream = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  Session(tcp::socket&& socket, Server::Impl& server,
          std::shared_ptr<const TlsGeneration> generation)
      : server_(server),
        generation_(std::move(generation)),
        stream_(makeStream(std::move(socket))) {}

  ~Session() override {
    server_.metrics().connectionClosed();
    server_.unregisterSession(this);
  }

  void run() {
    server_.registerSession(this, this->shared_from_this(), stream_.get_executor());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->start(); });
  }

  // Runs on the session's strand (posted by Server::Impl::stop).
  void requestClose() override {
    closeRequested_ = true;
    if (state_ == State::Idle || state_ == State::Handshake) {
      // Nothing in flight: abandon the pending read; its handler ends the session.
      beast::get_lowest_layer(stream_).cancel();
    }
  }

 private:
  enum class State { Handshake, Idle, ReadingBody, Writing, Closing };

  Stream makeStream(tcp::socket&& socket) {
    if constexpr (Tls) {
      return Stream(std::move(socket), *generation_->context);
    } else {
      return Stream(std::move(socket));
    }
  }

  const RequestHandler& handler() const {
    return Tls ? server_.tlsHandler() : server_.plainHandler();
  }

  void start() {
    if constexpr (Tls) {
      state_ = State::Handshake;
      beast::get_lowest_layer(stream_).expires_after(server_.options().handshakeTimeout);
      stream_.async_handshake(
          net::ssl::stream_base::server,
          beast::bind_front_handler(&Session::onHandshake, this->shared_from_this()));
    } else {
      doRead();
    }
  }

  void onHandshake(beast::error_code ec) {
    if (ec) {
      if (isTimeout(ec)) {
        server_.metrics().connectionTimedOut();
      } else {
        server_.metrics().tlsHandshakeFailed();
      }
      logLazy("webhook", LogLevel::Debug, [&] { return "TLS handshake failed: " + ec.message(); });
      return closeNow();
    }
    doRead();
  }

  void doRead() {
    if (closeRequested_) {
      return doClose();
    }
    state_ = State::Idle;
    parser_.emplace();
    parser_->body_limit(server_.options().maxBodyBytes);
    parser_->header_limit(static_cast<uint32_t>(server_.options().maxHeaderBytes));
    beast::get_lowest_layer(stream_).expires_after(requests_ == 0 ? server_.options().headerTimeout
                                                                  : server_.options().idleTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::onHeader, this->shared_from_this()));
  }

  void onHeader(beast::error_code ec, std::size_t) {
    if (ec) {
      return onReadError(ec);
    }
    state_ = State::ReadingBody;
    beast::get_lowest_layer(stream_).expires_after(server_.options().bodyTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::onRead, this->shared_from_this()));
  }

  void onReadError(beast::error_code ec) {
    if (isTimeout(ec)) {
      server_.metrics().connectionTimedOut();
      return closeNow();
    }
    if (ec == http::error::body_limit) {
      return writeError(413, "request body exceeds the " +
                                 std::to_string(server_.options().maxBodyBytes) + "-byte limit");
    }
    if (ec == http::error::header_limit) {
      return writeError(431, "request headers exceed the " +
                                 std::to_string(server_.options().maxHeaderBytes) + "-byte limit");
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return writeError(400, "malformed HTTP request: " + ec.message());
    }
    if (!isPeerGone(ec) && ec != http::error::partial_message) {
      logLazy("webhook", LogLevel::Debug, [&] { return "read failed: " + ec.message(); });
    }
    if (ec == http::error::end_of_stream) {
      return doClose();
    }
    closeNow();
  }

  void onRead(beast::error_code ec, std::size_t) {
    if (ec) {
      return onReadError(ec);
    }
    ++requests_;
    const auto& req = parser_->get();
    HttpRequest request{std::string_view(req.method_string()), std::string_view(req.target()),
                        std::string_view(req[http::field::content_type]), req.body()};
    HttpResponse response = handler().handle(request);
    const bool keepAlive = req.keep_alive() && !closeRequested_ && !server_.stopping();
    write(std::move(response), keepAlive, req.method() == http::verb::head, req.version());
  }

  void writeError(int status, std::string message) {
    server_.metrics().httpError(status);
    HttpResponse response;
    response.status = status;
    response.body = std::move(message) + "\n";
    lingerAfterWrite_ = true;
    write(std::move(response), false, false, 11);
  }

  void write(HttpResponse response, bool keepAlive, bool head, unsigned version) {
    state_ = State::Writing;
    response_.emplace(static_cast<http::status>(response.status), version);
    response_->set(http::field::server, "sidecar-injector");
    response_->set(http::field::content_type, response.contentType);
    if (!response.allow.empty()) {
      response_->set(http::field::allow, response.allow);
    }
    response_->keep_alive(keepAlive);
    if (head) {
      response_->content_length(response.body.size());
    } else {
      response_->body() = std::move(response.body);
      response_->prepare_payload();
    }
    beast::get_lowest_layer(stream_).expires_after(server_.options().writeTimeout);
    http::async_write(
        stream_, *response_,
        beast::bind_front_handler(&Session::onWrite, this->shared_from_this(), keepAlive));
  }

  void onWrite(bool keepAlive, beast::error_code ec, std::size_t) {
    response_.reset();
    if (ec) {
      if (isTimeout(ec)) {
        server_.metrics().connectionTimedOut();
      }
      return closeNow();
    }
    if (lingerAfterWrite_) {
      return lingeringClose();
    }
    if (!keepAlive) {
      // While draining, do not spend up to a second per connection waiting for the
      // client's close_notify: the answer is complete and announced Connection: close.
      return server_.stopping() ? closeNow() : doClose();
    }
    doRead();
  }

  // After an error answer the client may still be sending: closing with unread input
  // would reset the connection and could destroy our answer before the client reads it.
  // Half-close and discard input for a bounded time and volume instead.
  void lingeringClose() {
    state_ = State::Closing;
    auto& tcpStream = beast::get_lowest_layer(stream_);
    beast::error_code ignored;
    tcpStream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcpStream.expires_after(std::chrono::seconds(1));
    discard_.resize(16 << 10);
    tcpStream.async_read_some(
        net::buffer(discard_),
        beast::bind_front_handler(&Session::onLinger, this->shared_from_this()));
  }

  void onLinger(beast::error_code ec, std::size_t n) {
    lingered_ += n;
    if (ec || lingered_ > (1u << 20)) {
      return closeNow();
    }
    beast::get_lowest_layer(stream_).async_read_some(
        net::buffer(discard_),
        beast::bind_front_handler(&Session::onLinger, this->shared_from_this()));
  }

  void doClose() {
    state_ = State::Closing;
    if constexpr (Tls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(1));
      stream_.async_shutdown(
          beast::bind_front_handler(&Session::onShutdown, this->shared_from_this()));
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      closeNow();
    }
  }

  void onShutdown(beast::error_code) { closeNow(); }

  void closeNow() {
    state_ = State::Closing;
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  Server::Impl& server_;
  // Declared before the stream: the ssl_stream refers to this generation's context.
  std::shared_ptr<const TlsGeneration> generation_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::vector<char> discard_;
  size_t lingered_ = 0;
  uint64_t requests_ = 0;
  State state_ = State::Handshake;
  bool closeRequested_ = false;
  bool lingerAfterWrite_ = false;
};

}  // namespace

Expected<void> Server::Impl::init(std::shared_ptr<const FileProbe> probe) {
  if (options_.threads < 1) {
    return fail("threads must be at least 1, got " + std::to_string(options_.threads));
  }
  if (options_.maxConnections < 1) {
    return fail("maxConnections must be at least 1");
  }
  if (options_.monitoringPort < -1 || options_.monitoringPort > 65535) {
    return fail("monitoringPort " + std::to_string(options_.monitoringPort) + " is out of range");
  }
  if (!metrics_) {
    metrics_ = std::make_shared<Metrics>();
  }
  if (options_.selfSigned) {
    auto sans = options_.selfSignedSans.empty()
                    ? defaultSubjectAltNames(options_.serviceName, options_.serviceNamespace.empty()
                                                                       ? std::string("istio-system")
                                                                       : options_.serviceNamespace)
                    : options_.selfSignedSans;
    auto creds = options_.selfSignedCaCertPem.empty()
                     ? generateSelfSigned(sans)
                     : issueServingCertificate(
                           {options_.selfSignedCaCertPem, options_.selfSignedCaKeyPem}, sans);
    if (!creds) {
      return Unexpected(creds.error().withContext("--self-signed"));
    }
    auto store = CertStore::fromPem(creds->certPem, creds->keyPem, metrics_);
    if (!store) {
      return Unexpected(store.error().withContext("--self-signed"));
    }
    certs_ = std::move(*store);
    caPem_ = creds->caPem;
  } else {
    if (options_.tlsCertFile.empty() || options_.tlsKeyFile.empty()) {
      return fail("--tlsCertFile and --tlsKeyFile are required unless --self-signed is set");
    }
    realCertFiles_ = probe == nullptr;
    auto store =
        CertStore::fromFiles(options_.tlsCertFile, options_.tlsKeyFile, metrics_, std::move(probe));
    if (!store) {
      return Unexpected(store.error());
    }
    certs_ = std::move(*store);
  }
  HandlerOptions handlerOptions;
  handlerOptions.maxBodyBytes = options_.maxBodyBytes;
  handlerOptions.readinessDetail = options_.readinessDetail;
  CertStore* certs = certs_.get();
  auto certReady = [certs](std::string* why) { return certs->valid(why); };
  tlsHandler_.emplace(mutator_, metrics_, handlerOptions, certReady);
  handlerOptions.serveInject = false;
  plainHandler_.emplace(mutator_, metrics_, handlerOptions, certReady);
  return {};
}

Expected<void> Server::Impl::bind(tcp::acceptor& acceptor, const std::string& address,
                                  uint16_t port, const char* what) {
  beast::error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec) {
    return fail(std::string(what) + " address \"" + address + "\": " + ec.message());
  }
  const tcp::endpoint endpoint(ip, port);
  const std::string where = std::string(what) + " " + address + ":" + std::to_string(port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return fail("cannot listen on " + where + ": " + ec.message());
  }
  return {};
}

Expected<void> Server::Impl::start() {
  if (started_.exchange(true)) {
    return fail("server already started");
  }
  tlsAcceptor_.emplace(net::make_strand(ioc_));
  if (auto ok = bind(*tlsAcceptor_, options_.address, options_.port, "webhook"); !ok) {
    return ok;
  }
  port_ = tlsAcceptor_->local_endpoint().port();
  if (options_.monitoringPort >= 0) {
    plainAcceptor_.emplace(net::make_strand(ioc_));
    if (auto ok = bind(*plainAcceptor_, options_.monitoringAddress,
                       static_cast<uint16_t>(options_.monitoringPort), "monitoring");
        !ok) {
      return ok;
    }
    monitoringPort_ = plainAcceptor_->local_endpoint().port();
  }
  if (options_.selfSigned && options_.printCaPem) {
    std::fputs(caPem_.c_str(), stdout);
    std::fflush(stdout);
  }
  work_.emplace(ioc_.get_executor());
  doAccept<true>(*tlsAcceptor_);
  if (plainAcceptor_) {
    doAccept<false>(*plainAcceptor_);
  }
  if (!options_.selfSigned) {
    certs_->startWatching(options_.certPollInterval);
    if (realCertFiles_) {
      FileWatcher::Options watch;
      watch.paths = {options_.tlsCertFile, options_.tlsKeyFile};
      watch.debounce = std::chrono::milliseconds(100);
      watch.statInterval = std::chrono::hours(1);  // the CertStore polls already
      CertStore* certs = certs_.get();
      certWatcher_ = std::make_unique<FileWatcher>(watch, [certs] { certs->checkNow(); });
      if (auto watching = certWatcher_->start(); !watching) {
        logWarn("certificate files are not watched (" + watching.error().message +
                "); polling every " + std::to_string(options_.certPollInterval.count()) + " ms");
        certWatcher_.reset();
      }
    }
  }
  for (int i = 0; i < options_.threads; ++i) {
    workers_.emplace_back([this] { ioc_.run(); });
  }
  if (!options_.healthCheckFile.empty() && options_.healthCheckInterval.count() > 0) {
    healthThread_ = std::thread([this] { healthFileLoop(); });
  }
  logInfo("webhook listening on " + options_.address + ":" + std::to_string(port_) +
          (plainAcceptor_ ? ", monitoring on " + options_.monitoringAddress + ":" +
                                std::to_string(monitoringPort_)
                          : std::string()));
  return {};
}

template <bool Tls>
void Server::Impl::doAccept(tcp::acceptor& acceptor) {
  acceptor.async_accept(
      net::make_strand(ioc_), [this, &acceptor](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || stopping_) {
          return;
        }
        if (ec) {
          // Typically EMFILE: back off briefly instead of spinning on the error.
          logWarn(std::string("accept failed: ") + ec.message());
          auto timer = std::make_shared<net::steady_timer>(acceptor.get_executor(),
                                                           std::chrono::milliseconds(50));
          timer->async_wait([this, &acceptor, timer](beast::error_code) {
            if (!stopping_) {
              doAccept<Tls>(acceptor);
            }
          });
          return;
        }
        if (!admitConnection()) {
          metrics_->connectionRejected();
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          metrics_->connectionAccepted();
          std::shared_ptr<const TlsGeneration> generation;
          if constexpr (Tls) {
            generation = certs_->current();
          }
          std::make_shared<Session<Tls>>(std::move(socket), *this, std::move(generation))->run();
        }
        doAccept<Tls>(acceptor);
      });
}

bool Server::Impl::admitConnection() {
  std::lock_guard lock(sessionsMu_);
  if (connections_ >= options_.maxConnections) {
    return false;
  }
  ++connections_;
  return true;
}

void Server::Impl::registerSession(SessionControl* key, std::weak_ptr<SessionControl> session,
                                   const net::any_io_executor& executor) {
  std::lock_guard lock(sessionsMu_);
  sessions_.emplace(key, SessionEntry{session, executor});
  if (stopping_) {
    net::post(executor, [session] {
      if (auto s = session.lock()) {
        s->requestClose();
      }
    });
  }
}

void Server::Impl::unregisterSession(SessionControl* key) {
  std::lock_guard lock(sessionsMu_);
  sessions_.erase(key);
  --connections_;
  sessionsCv_.notify_all();
}

void Server::Impl::healthFileLoop() {
  std::unique_lock lock(healthMu_);
  do {
    lock.unlock();
    std::string why;
    if (tlsHandler_->ready(&why)) {
      std::ofstream out(options_.healthCheckFile, std::ios::trunc);
      out << std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count()
          << "\n";
      if (!out) {
        logWarn("cannot write health check file " + options_.healthCheckFile);
      }
    } else {
      std::remove(options_.healthCheckFile.c_str());
    }
    lock.lock();
  } while (
      !healthCv_.wait_for(lock, options_.healthCheckInterval, [this] { return stopping_.load(); }));
}

void Server::Impl::stop() {
  std::lock_guard stopLock(stopMu_);
  if (stopped_) {
    return;
  }
  stopped_ = true;
  {
    std::lock_guard lock(healthMu_);
    stopping_ = true;
  }
  healthCv_.notify_all();
  if (healthThread_.joinable()) {
    healthThread_.join();
  }
  if (!started_) {
    return;
  }
  for (auto* acceptor :
       {tlsAcceptor_ ? &*tlsAcceptor_ : nullptr, plainAcceptor_ ? &*plainAcceptor_ : nullptr}) {
    if (acceptor != nullptr) {
      net::post(acceptor->get_executor(), [acceptor] {
        beast::error_code ignored;
        acceptor->close(ignored);
      });
    }
  }
  {
    std::unique_lock lock(sessionsMu_);
    for (auto& [key, entry] : sessions_) {
      net::post(entry.executor, [session = entry.session] {
        if (auto s = session.lock()) {
          s->requestClose();
        }
      });
    }
    const bool drained =
        sessionsCv_.wait_for(lock, options_.drainTimeout, [this] { return sessions_.empty(); });
    if (!drained) {
      logWarn("shutdown drain timeout: closing " + std::to_string(sessions_.size()) +
              " connection(s) with requests still in flight");
    }
  }
  if (certWatcher_) {
    certWatcher_->stop();
  }
  certs_->stopWatching();
  work_.reset();
  ioc_.stop();
  for (auto& worker : workers_) {
    worker.join();
  }
  workers_.clear();
  logInfo("webhook stopped");
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() = default;

Expected<std::unique_ptr<Server>> Server::create(ServerOptions options, PodMutatorPtr mutator,
                                                 std::shared_ptr<Metrics> metrics,
                                                 std::shared_ptr<const FileProbe> probe) {
  if (!mutator) {
    return fail("a PodMutator is required");
  }
  auto impl = std::make_unique<Impl>(std::move(options), std::move(mutator), std::move(metrics));
  if (auto ok = impl->init(std::move(probe)); !ok) {
    return Unexpected(ok.error());
  }
  return std::make_unique<Server>(std::move(impl));
}

Expected<void> Server::start() {
  return impl_->start();
}
uint16_t Server::port() const {
  return impl_->port();
}
uint16_t Server::monitoringPort() const {
  return impl_->monitoringPort();
}
void Server::stop() {
  impl_->stop();
}
Metrics& Server::metrics() {
  return impl_->metrics();
}
CertStore& Server::certStore() {
  return impl_->certStore();
}
const std::string& Server::selfSignedCaPem() const {
  return impl_->caPem();
}

}  // namespace sidecar::webhook
