// test-apiserver: the in-memory Kubernetes API server as a process, for end-to-end tests
// with real kubectl. Writes <dir>/ca.crt and <dir>/kubeconfig, prints "ready <url>" and
// serves until SIGINT/SIGTERM. Pod creates go through the MutatingWebhookConfigurations
// stored in it (--service-endpoint routes their services); --controllers runs the
// Deployment controller.

#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>

#include "test/apiserver/test_apiserver.h"

int main(int argc, char** argv) {
  sidecar::testapi::TestApiServerOptions options;
  options.tokens.clear();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "test-apiserver: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--port") {
      options.port = static_cast<uint16_t>(std::stoi(value()));
    } else if (arg == "--token") {
      options.tokens.push_back(value());
    } else if (arg == "--dir") {
      options.certDir = value();
    } else if (arg == "--service-endpoint") {
      auto endpoint = sidecar::testapi::parseServiceEndpoint(value());
      if (!endpoint) {
        std::cerr << "test-apiserver: " << endpoint.error().message << "\n";
        return 2;
      }
      options.serviceEndpoints[endpoint->first] = endpoint->second;
    } else if (arg == "--controllers") {
      options.controllers = true;
    } else if (arg == "--bookmark-interval-ms") {
      options.bookmarkInterval = std::chrono::milliseconds(std::stoi(value()));
    } else {
      std::cerr << "usage: test-apiserver [--port N] [--token T]... [--dir DIR] [--bookmark-interval-ms N]\n"
                   "                      [--service-endpoint NAMESPACE/NAME=HOST:PORT]... [--controllers]\n";
      return 2;
    }
  }
  if (options.tokens.empty()) {
    options.tokens.push_back("test-token");
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // Blocked before any thread starts, so only sigwait below sees them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto server = sidecar::testapi::TestApiServer::start(options);
  if (!server) {
    std::cerr << "test-apiserver: " << server.error().message << "\n";
    return 1;
  }
  const std::string kubeconfigPath = (*server)->certDir() + "/kubeconfig";
  std::ofstream(kubeconfigPath) << (*server)->kubeconfig(options.tokens.front());
  std::cout << "ready " << (*server)->url() << " kubeconfig=" << kubeconfigPath << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  (*server)->stop();
  return 0;
}
