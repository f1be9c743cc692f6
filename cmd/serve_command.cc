// `sidecar-injector serve`: the admission webhook with its config source. Config comes from
// files (--injectConfig/--meshConfig/--valuesFile, watched and reloaded, as Istio 1.1 did with
// mounted ConfigMaps), from the ConfigMaps through the Kubernetes API (--kubeconfig or
// in-cluster), or — for a local try-out — from the built-in defaults.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <thread>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

#include "cmd/commands.h"
#include "cmd/config_files.h"
#include "cmd/flags.h"
#include "webhook/file_watcher.h"
#include "webhook/flags.h"
#include "webhook/injector_mutator.h"
#include "webhook/log.h"
#include "webhook/server.h"
#include "webhook/tls_credentials.h"

#ifdef SIDECAR_HAVE_CONTROLLER
#include "controller/config_reloader.h"
#include "controller/event_recorder.h"
#include "controller/kube_config.h"
#include "controller/rest_client.h"
#include "controller/ca_bundle_keeper.h"
#include "controller/webhook_ca.h"
#include "controller/leader_election.h"
#ifdef SIDECAR_HAVE_DRIFT
#include "controller/drift/drift_gauges.h"
#include "controller/drift/drift_service.h"
#define SIDECAR_SERVE_DRIFT 1
#endif
#endif

namespace sidecar::cmd {

namespace {

using webhook::logger;
using webhook::LogLevel;

// The config-source flags; the server's own (port, TLS, timeouts, health, logging) are
// parsed by webhook::parseServerFlags.
Flags configSourceFlags() {
  Flags f;
  f.value("caCertFile", "accepted for Istio compatibility; not used")
      .value("injectConfig", "injection config file (the 'config' key of istio-sidecar-injector)")
      .value("meshConfig", "mesh config file (the 'mesh' key of the istio ConfigMap)")
      .value("valuesFile", "values file (the 'values' key of istio-sidecar-injector)")
      .value("kubeconfig", "kubeconfig: read the config from the cluster's ConfigMaps")
      .value("context", "kubeconfig context")
      .value("injectorNamespace", "namespace of the injector ConfigMaps (default $POD_NAMESPACE, "
                                  "else istio-system)")
      .value("injectorConfigMap", "name of the injector ConfigMap", "istio-sidecar-injector")
      .value("meshConfigMap", "name of the mesh ConfigMap", "istio")
      .value("webhookConfigName", "MutatingWebhookConfiguration whose caBundle --self-signed keeps "
                                  "pointing at our CA (cluster mode)")
      .value("caSecretName", "Secret holding the CA shared by --self-signed replicas",
             "sidecar-injector-ca")
      .value("leaseName", "coordination.k8s.io Lease electing the replica that writes drift "
                          "reports", "sidecar-injector-leader")
      .value("driftInterval", "seconds between drift reconciliations by the leader (0: off)",
             "60")
      .value("injectionCacheMiB", "memory for remembered injections: replicas of one workload "
                                  "cost one render (0: compute every admission)", "64")
      .toggle("help", "show this help", {"h"});
  return f;
}

// The config the mutator reads. Files and the built-in default publish here; the cluster
// reloader has its own atomic slot.
class ConfigSlot {
 public:
  inject::InjectionConfigPtr get() const { return std::atomic_load(&config_); }
  void set(inject::InjectionConfigPtr c) { std::atomic_store(&config_, std::move(c)); }

 private:
  inject::InjectionConfigPtr config_;
};

void logInfo(const std::string& m) { logger().log("default", LogLevel::Info, m); }
void logError(const std::string& m) { logger().log("default", LogLevel::Error, m); }

}  // namespace

int runServe(const Args& args) {
  webhook::ServerOptions options;
  std::vector<std::string> rest;
  if (auto parsed = webhook::parseServerFlags(args, options, &rest); !parsed) {
    std::fprintf(stderr, "serve: %s\n", parsed.error().message.c_str());
    return 2;
  }
  Flags flags = configSourceFlags();
  if (auto parsed = flags.parse(rest); !parsed) {
    std::fprintf(stderr, "serve: %s\n", parsed.error().message.c_str());
    return 2;
  }
  if (flags.on("help")) {
    std::printf("Usage: sidecar-injector serve [flags]\n\nServer flags:\n%s\nConfig flags:\n%s",
                webhook::serverFlagsHelp().c_str(), flags.usage().c_str());
    return 0;
  }
  std::string injectorNamespace = flags.get("injectorNamespace");
  if (injectorNamespace.empty()) {
    const char* podNs = std::getenv("POD_NAMESPACE");
    injectorNamespace = podNs != nullptr && *podNs != '\0' ? podNs : "istio-system";
  }
  if (options.serviceNamespace == "istio-system") {
    options.serviceNamespace = injectorNamespace;
  }
  if (!options.selfSigned && (options.tlsCertFile.empty() || options.tlsKeyFile.empty())) {
    std::fprintf(stderr, "serve: give --tlsCertFile and --tlsKeyFile, or --self-signed\n");
    return 2;
  }

  // Signals are taken synchronously by this thread; block them before any thread starts so
  // every worker inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ConfigSlot slot;
  ConfigPaths paths{flags.get("injectConfig"), flags.get("meshConfig"), flags.get("valuesFile")};
  bool fileMode = !paths.injectConfig.empty() || !paths.meshConfig.empty() || !paths.values.empty();
  bool clusterMode = !fileMode && (!flags.get("kubeconfig").empty() ||
                                   std::getenv("KUBERNETES_SERVICE_HOST") != nullptr);
  webhook::InjectorMutator::ConfigSource source = [&slot] { return slot.get(); };

#ifdef SIDECAR_HAVE_CONTROLLER
  std::unique_ptr<controller::RestClient> client;
  std::unique_ptr<controller::EventRecorder> events;
  std::unique_ptr<controller::TypedConfigReloader<inject::InjectionConfig>> reloader;
  if (clusterMode) {
    auto connection = controller::resolveConnection(
        {flags.get("kubeconfig"), flags.get("context")}, controller::processEnv());
    if (!connection) {
      std::fprintf(stderr, "serve: %s\n", connection.error().message.c_str());
      return 1;
    }
    auto created = controller::RestClient::create(*connection);
    if (!created) {
      std::fprintf(stderr, "serve: %s\n", created.error().message.c_str());
      return 1;
    }
    client = std::move(*created);
    events = std::make_unique<controller::EventRecorder>(*client, "sidecar-injector");
    controller::ConfigReloaderOptions reloadOptions;
    reloadOptions.ns = injectorNamespace;
    reloadOptions.injectorConfigMap = flags.get("injectorConfigMap");
    reloadOptions.meshConfigMap = flags.get("meshConfigMap");
    reloader = std::make_unique<controller::TypedConfigReloader<inject::InjectionConfig>>(
        *client, reloadOptions,
        [](const controller::ConfigSources& s) {
          return inject::compileConfig(s.injectConfig, s.hasMesh ? s.mesh : "",
                                       s.hasValues ? s.values : "");
        },
        events.get());
    auto* r = reloader.get();
    source = [r] { return r->current(); };
    if (options.selfSigned) {
      // Every replica must serve from the same CA, since the webhook has one caBundle.
      auto ca = controller::loadOrCreateSharedCa(
          *client, injectorNamespace, flags.get("caSecretName"),
          []() -> Expected<controller::CaMaterial> {
            auto fresh = webhook::generateCa();
            if (!fresh) {
              return Unexpected(fresh.error());
            }
            return controller::CaMaterial{fresh->certPem, fresh->keyPem};
          });
      if (!ca) {
        std::fprintf(stderr, "serve: shared CA: %s\n", ca.error().message.c_str());
        return 1;
      }
      options.selfSignedCaCertPem = ca->certPem;
      options.selfSignedCaKeyPem = ca->keyPem;
      options.printCaPem = false;
    }
  }
#else
  if (clusterMode) {
    std::fprintf(stderr, "serve: this build has no Kubernetes client; give config files\n");
    return 2;
  }
#endif

  auto sharedMetrics = std::make_shared<webhook::Metrics>();
  inject::AdmissionCacheOptions cacheOptions;
  char* cacheEnd = nullptr;
  const std::string& cacheFlag = flags.get("injectionCacheMiB");
  const long cacheMiB = std::strtol(cacheFlag.c_str(), &cacheEnd, 10);
  if (cacheFlag.empty() || *cacheEnd != '\0' || cacheMiB < 0 || cacheMiB > (1L << 20)) {
    std::fprintf(stderr, "serve: --injectionCacheMiB: '%s' is not a size in MiB (0 to 1048576)\n",
                 cacheFlag.c_str());
    return 2;
  }
  if (cacheMiB == 0) {
    cacheOptions.maxPodBytes = 0;  // every pod bypasses the cache
  } else {
    cacheOptions.maxBytes = static_cast<size_t>(cacheMiB) << 20;
  }
  auto mutator = std::make_shared<webhook::InjectorMutator>(source, sharedMetrics, cacheOptions);
  auto server = webhook::Server::create(options, mutator, sharedMetrics);
  if (!server) {
    std::fprintf(stderr, "serve: %s\n", server.error().message.c_str());
    return 1;
  }
  webhook::Metrics& metrics = (*server)->metrics();
  auto generationGauge = metrics.addGauge("sidecar_injector_config_generation",
                                          "Generation of the active injection config");
  auto reloadCounter = metrics.addCounter("sidecar_injector_config_reloads_total",
                                          "Successful injection config loads");
  auto failureCounter = metrics.addCounter("sidecar_injector_config_reload_failures_total",
                                           "Injection config loads that failed and were ignored");
  if (!generationGauge || !reloadCounter || !failureCounter) {
    std::fprintf(stderr, "serve: cannot register config metrics\n");
    return 1;
  }
  auto& generation = generationGauge->get().Add({});
  auto& reloads = reloadCounter->get().Add({});
  auto& failures = failureCounter->get().Add({});

  std::unique_ptr<webhook::FileWatcher> watcher;
  std::mutex reloadMutex;
  auto loadFiles = [&](bool initial) {
    std::lock_guard lock(reloadMutex);
    std::vector<std::string> notes;
    auto config = loadConfig(paths, notes);
    for (const auto& n : notes) {
      logInfo("config: " + n);
    }
    if (!config) {
      failures.Increment();
      logError(std::string(initial ? "cannot load" : "keeping the previous config; cannot reload") +
               " the injection config: " + config.error().message);
      return false;
    }
    slot.set(*config);
    reloads.Increment();
    generation.Increment();
    logInfo("injection config loaded (template " + (*config)->version.substr(0, 12) + ", " +
            ((*config)->legacy ? "[[ ]]" : "{{ }}") + " delimiters)");
    return true;
  };

  if (!clusterMode) {
    if (!fileMode) {
      logInfo("no config files and no cluster: serving the built-in default config");
    }
    if (!loadFiles(true)) {
      return 1;
    }
    if (fileMode) {
      std::vector<std::string> watched;
      for (const auto* p : {&paths.injectConfig, &paths.meshConfig, &paths.values}) {
        if (!p->empty()) {
          watched.push_back(*p);
        }
      }
      watcher = std::make_unique<webhook::FileWatcher>(
          webhook::FileWatcher::Options{watched}, [&] { loadFiles(false); });
      if (auto started = watcher->start(); !started) {
        logError("config files will not be reloaded: " + started.error().message);
        watcher.reset();
      }
    }
  }
#ifdef SIDECAR_SERVE_DRIFT
  // Set once drift runs; reloads hand it each new config at once (it no longer polls).
  std::atomic<drift::DriftService*> driftConfigSink{nullptr};
#endif
#ifdef SIDECAR_HAVE_CONTROLLER
  if (reloader) {
    reloader->reloader().setOnReload([&, r = reloader.get()](uint64_t g) {
      reloads.Increment();
      generation.Set(static_cast<double>(g));
#ifdef SIDECAR_SERVE_DRIFT
      if (auto* d = driftConfigSink.load()) {
        d->setConfig(r->current(), r->reloader().status().configHash);
      }
#endif
    });
    reloader->reloader().start();
  }
#endif

  if (auto started = (*server)->start(); !started) {
    std::fprintf(stderr, "serve: %s\n", started.error().message.c_str());
    return 1;
  }
#ifdef SIDECAR_HAVE_CONTROLLER
  // Keep the webhook's caBundle on our CA: at start, and again within moments whenever a
  // re-apply of the manifests or a hand edit resets it.
  std::unique_ptr<controller::CaBundleKeeper> caKeeper;
  const std::string webhookConfigName = flags.get("webhookConfigName");
  if (client && options.selfSigned && !webhookConfigName.empty()) {
    caKeeper = std::make_unique<controller::CaBundleKeeper>(
        *client, controller::CaBundleKeeperOptions{webhookConfigName, (*server)->selfSignedCaPem()},
        [](bool ok, const std::string& message) { ok ? logInfo(message) : logError(message); });
    caKeeper->start();
  }
#endif
#ifdef SIDECAR_SERVE_DRIFT
  // Drift: every replica serves the webhook and keeps drift's watches warm; the one holding
  // the Lease writes the SidecarDriftReports, Events and restarts, and exports the gauges.
  std::unique_ptr<controller::LeaderElector> elector;
  std::unique_ptr<drift::DriftService> drifter;
  std::unique_ptr<drift::DriftGauges> driftGauges;
  const long driftInterval = std::strtol(flags.get("driftInterval").c_str(), nullptr, 10);
  if (client && reloader && driftInterval > 0) {
    controller::LeaderElectionOptions election;
    election.ns = injectorNamespace;
    election.name = flags.get("leaseName");
    const char* podName = std::getenv("POD_NAME");
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    election.identity = (podName != nullptr && *podName != '\0' ? std::string(podName) : std::string(host)) +
                        "_" + std::to_string(::getpid());
    if (auto valid = controller::validateLeaderElectionOptions(election); !valid) {
      std::fprintf(stderr, "serve: leader election: %s\n", valid.error().message.c_str());
      return 2;
    }
    elector = std::make_unique<controller::LeaderElector>(
        *client, election,
        controller::LeaderCallbacks{[] { logInfo("leading: this replica writes drift reports"); },
                                    [] { logInfo("no longer leading"); }, nullptr});
    elector->start();
    auto podsGauge = metrics.addGauge("sidecar_drift_pods",
                                      "Pods whose injection state drifted, by namespace and reason");
    auto restartGauge = metrics.addGauge("sidecar_drift_workloads_needing_restart",
                                         "Workloads with drifted pods that a restart would fix");
    if (!podsGauge || !restartGauge) {
      std::fprintf(stderr, "serve: cannot register drift metrics\n");
      return 1;
    }
    driftGauges = std::make_unique<drift::DriftGauges>(podsGauge->get(), restartGauge->get().Add({}));
    drift::DriftServiceOptions driftOptions;
    driftOptions.interval = std::chrono::seconds(driftInterval);
    driftOptions.reconciler.injectorNamespace = injectorNamespace;
    drift::DriftServiceCallbacks callbacks;
    callbacks.onSync = [](const drift::SyncResult& result) {
      for (const auto& err : result.errors) {
        logError("drift: " + err);
      }
      logger().log("default", LogLevel::Debug,
                   "drift: leader sync: " + std::to_string(result.reportWrites) + " report writes, " +
                       std::to_string(result.events) + " events, " + std::to_string(result.restarts.size()) +
                       " restarts");
    };
    callbacks.onMetrics = [g = driftGauges.get()](const drift::DriftMetrics& m) { g->publish(m); };
    callbacks.onWarning = [](const std::string& w) { logError(w); };
    auto* e = elector.get();
    drifter = std::make_unique<drift::DriftService>(*client, driftOptions, [e] { return e->isLeader(); },
                                                    std::move(callbacks));
    drifter->start();
    // The sink first, then the current config: a reload in between is delivered twice at
    // worst (the service ignores a repeat), never lost.
    driftConfigSink.store(drifter.get());
    if (auto current = reloader->current()) {
      drifter->setConfig(current, reloader->reloader().status().configHash);
    }
  }
#endif
  logInfo("serving the admission webhook on port " + std::to_string((*server)->port()) +
          ((*server)->monitoringPort() != 0
               ? ", monitoring on port " + std::to_string((*server)->monitoringPort())
               : std::string()));

  int received = 0;
  sigwait(&signals, &received);
  logInfo(std::string("received ") + (received == SIGTERM ? "SIGTERM" : "SIGINT") +
          ": draining in-flight requests");
  (*server)->stop();
#ifdef SIDECAR_SERVE_DRIFT
  // Before the elector: the service asks it who leads.
  driftConfigSink.store(nullptr);
  if (drifter) {
    drifter->stop();
  }
  if (elector) {
    elector->stop();
  }
#endif
#ifdef SIDECAR_HAVE_CONTROLLER
  if (caKeeper) {
    caKeeper->stop();
  }
#endif
  if (watcher) {
    watcher->stop();
  }
#ifdef SIDECAR_HAVE_CONTROLLER
  if (reloader) {
    reloader->reloader().stop();
  }
#endif
  return 0;
}

}  // namespace sidecar::cmd
