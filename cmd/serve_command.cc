// `sidecar-injector serve`: the admission webhook with its config source. Config comes from
// files (--injectConfig/--meshConfig/--valuesFile, watched and reloaded, as Istio 1.1 did with
// mounted ConfigMaps), from the ConfigMaps through the Kubernetes API (--kubeconfig or
// in-cluster), or — for a local try-out — from the built-in defaults.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cmd/commands.h"
#include "cmd/config_files.h"
#include "cmd/defaults.h"
#include "cmd/flags.h"
#include "cmd/injector_namespace.h"
#include "webhook/file_watcher.h"
#include "webhook/flags.h"
#include "webhook/injector_mutator.h"
#include "webhook/log.h"
#include "webhook/server.h"
#include "webhook/tls_credentials.h"

#ifdef SIDECAR_HAVE_CONTROLLER
#include "controller/access_review.h"
#include "controller/ca_bundle_keeper.h"
#include "controller/compile_journal.h"
#include "controller/config_reloader.h"
#include "controller/event_recorder.h"
#include "controller/informer.h"
#include "controller/kube_config.h"
#include "controller/leader_election.h"
#include "controller/rest_client.h"
#include "controller/webhook_ca.h"
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
      .value("injectorNamespace",
             "namespace of the injector ConfigMaps, Lease and CA Secret (default: "
             "$POD_NAMESPACE, else the namespace of the injector webhook's Service "
             "in the cluster, else istio-system)")
      .value("injectorConfigMap", "name of the injector ConfigMap", "istio-sidecar-injector")
      .value("meshConfigMap", "name of the mesh ConfigMap", "istio")
      .value("webhookConfigName",
             "MutatingWebhookConfiguration whose caBundle --self-signed keeps "
             "pointing at our CA (cluster mode)")
      .value("caSecretName", "Secret holding the CA shared by --self-signed replicas",
             "sidecar-injector-ca")
      .value("leaseName",
             "coordination.k8s.io Lease electing the replica that writes drift "
             "reports",
             "sidecar-injector-leader")
      .value("driftInterval", "seconds between drift reconciliations by the leader (0: off)", "60")
      .value("injectionCacheMiB",
             "memory for remembered injections: replicas of one workload "
             "cost one render (0: compute every admission)",
             "64")
      .value("stateDir",
             "directory that outlives the container (an emptyDir): remembers which "
             "config crashed a compile, so a restarted replica quarantines it and "
             "serves the last good config instead of crashing again (empty: off)")
      .toggle("fallbackToBuiltinConfig",
              "while the ConfigMaps' config is quarantined and no "
              "config has compiled in this pod yet, serve the built-in "
              "default config instead of nothing")
      .toggle("autoRestart",
              "let the drift leader restart drifted workloads that opted in "
              "(sidecar.injector.dev/auto-restart); needs manifests/auto-restart/'s RBAC")
      .toggle("help", "show this help", {"h"});
  return f;
}

// Test-only: a compile of inputs that contain this marker aborts the process, so the e2e
// test can crash a replica exactly where a compiler bug would. Unset in production.
constexpr const char* kCrashMarkerEnv = "SIDECAR_INJECTOR_TEST_ABORT_ON_COMPILE";

void crashIfMarked(const std::string& config, const std::string& values, const std::string& mesh) {
  static const char* marker = std::getenv(kCrashMarkerEnv);
  if (marker == nullptr || *marker == '\0') {
    return;
  }
  for (const auto* text : {&config, &values, &mesh}) {
    if (text->find(marker) != std::string::npos) {
      std::fprintf(stderr, "serve: %s matched: aborting during compile (test hook)\n",
                   kCrashMarkerEnv);
      std::abort();
    }
  }
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

#ifdef SIDECAR_HAVE_CONTROLLER
// /readyz's line for a quarantine: ready (the last good config serves) but not what the
// ConfigMap says, which an operator must see.
std::string quarantineDetail(const controller::ConfigReloadStatus& status) {
  if (!status.quarantine) {
    return "";
  }
  const auto& q = *status.quarantine;
  return "config quarantined: " + controller::describe(q.record.versions) + " (sha256 " +
         q.record.hash.substr(0, 12) + ") crashed a compile in this pod; serving " + q.serving +
         " until the ConfigMap changes\n";
}
#endif

// Lines for /readyz that components add while the server already answers.
class ReadinessNotes {
 public:
  void add(const std::string& line) {
    std::lock_guard lock(mutex_);
    text_ += line;
  }
  std::string get() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

void logInfo(const std::string& m) {
  logger().log("default", LogLevel::Info, m);
}
void logError(const std::string& m) {
  logger().log("default", LogLevel::Error, m);
}

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
  // Typed numbers, checked before anything starts: a typo is an error, not "off".
  auto cacheMiBFlag = flags.integer("injectionCacheMiB", 0, int64_t{1} << 20);
  auto driftIntervalFlag = flags.integer("driftInterval", 0, 7 * 24 * 3600);
  for (const auto* parsed : {&cacheMiBFlag, &driftIntervalFlag}) {
    if (!*parsed) {
      std::fprintf(stderr, "serve: %s\n", parsed->error().message.c_str());
      return 2;
    }
  }
  const int64_t cacheMiB = *cacheMiBFlag;
  const int64_t driftInterval = *driftIntervalFlag;
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

  // Where the injector's ConfigMaps (and Lease and CA Secret) live: the one rule every
  // subcommand follows; the cluster is asked once the client exists.
  InjectorNamespaceInputs namespaceInputs;
  namespaceInputs.flagName = "injectorNamespace";
  namespaceInputs.flagValue = flags.get("injectorNamespace");
  if (const char* podNs = std::getenv("POD_NAMESPACE")) {
    namespaceInputs.podNamespace = podNs;
  }
  namespaceInputs.webhooks = injectorWebhookNames(flags.get("webhookConfigName"));
  std::string injectorNamespace;
  auto resolveNamespace = [&] {
    std::string warning;
    const InjectorNamespace ns = resolveInjectorNamespace(namespaceInputs, &warning);
    injectorNamespace = ns.name;
    logInfo(describe(ns));
    if (!warning.empty()) {
      logError(warning);
    }
    if (options.serviceNamespace.empty()) {
      options.serviceNamespace = injectorNamespace;
    }
  };

  ConfigSlot slot;
  ConfigPaths paths{flags.get("injectConfig"), flags.get("meshConfig"), flags.get("valuesFile")};
  bool fileMode = !paths.injectConfig.empty() || !paths.meshConfig.empty() || !paths.values.empty();
  bool clusterMode = !fileMode && (!flags.get("kubeconfig").empty() ||
                                   std::getenv("KUBERNETES_SERVICE_HOST") != nullptr);
  webhook::InjectorMutator::ConfigSource source = [&slot] { return slot.get(); };

#ifdef SIDECAR_HAVE_CONTROLLER
  std::unique_ptr<controller::RestClient> client;
  std::unique_ptr<controller::EventRecorder> events;
  // One list+watch per kind for the whole process: reload, caBundle and drift subscribe
  // here, and it starts once all of them have.
  std::unique_ptr<controller::InformerFactory> informers;
  std::unique_ptr<controller::CompileJournal> journal;
  std::unique_ptr<controller::TypedConfigReloader<inject::InjectionConfig>> reloader;
  if (clusterMode) {
    auto connection = controller::resolveConnection({flags.get("kubeconfig"), flags.get("context")},
                                                    controller::processEnv());
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
    namespaceInputs.lookup = [&client](const std::string& webhook) {
      return webhookServiceNamespace(*client, webhook);
    };
    events = std::make_unique<controller::EventRecorder>(*client, "sidecar-injector");
    resolveNamespace();
    controller::ConfigReloaderOptions reloadOptions;
    reloadOptions.ns = injectorNamespace;
    reloadOptions.injectorConfigMap = flags.get("injectorConfigMap");
    reloadOptions.meshConfigMap = flags.get("meshConfigMap");
    if (!flags.get("stateDir").empty()) {
      std::string warning;
      journal = controller::CompileJournal::open(flags.get("stateDir"), &warning);
      if (!warning.empty()) {
        logError(warning);
      }
      if (const auto& crashed = journal->crashedLastRun()) {
        logError("the previous process died compiling " + controller::describe(crashed->versions) +
                 "; that config is quarantined in this pod");
      }
    } else {
      journal = controller::CompileJournal::inMemory();
    }
    reloadOptions.journal = journal.get();
    informers = std::make_unique<controller::InformerFactory>(*client);
    reloadOptions.informers = informers.get();
    if (flags.on("fallbackToBuiltinConfig")) {
      controller::ConfigSources builtin;
      builtin.injectConfig = std::string(defaultInjectConfig());
      builtin.values = std::string(defaultValues());
      builtin.mesh = std::string(defaultMeshConfig());
      builtin.hasValues = builtin.hasMesh = true;
      reloadOptions.fallback = std::move(builtin);
    }
    reloader = std::make_unique<controller::TypedConfigReloader<inject::InjectionConfig>>(
        *client, reloadOptions,
        [](const controller::ConfigSources& s) {
          crashIfMarked(s.injectConfig, s.values, s.mesh);
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

  if (injectorNamespace.empty()) {
    resolveNamespace();  // file mode: no cluster to ask
  }
  auto sharedMetrics = std::make_shared<webhook::Metrics>();
  inject::AdmissionCacheOptions cacheOptions;
  if (cacheMiB == 0) {
    cacheOptions.maxPodBytes = 0;  // every pod bypasses the cache
  } else {
    cacheOptions.maxBytes = static_cast<size_t>(cacheMiB) << 20;
  }
  auto mutator = std::make_shared<webhook::InjectorMutator>(source, sharedMetrics, cacheOptions);
#ifdef SIDECAR_HAVE_CONTROLLER
  // Degraded states /readyz reports beside "ok" (written while the server already runs).
  auto startupNotes = std::make_shared<ReadinessNotes>();
  if (reloader) {
    options.readinessDetail = [r = &reloader->reloader(), startupNotes] {
      return quarantineDetail(r->status()) + startupNotes->get();
    };
  }
#endif
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
#ifdef SIDECAR_HAVE_CONTROLLER
  if (reloader) {
    auto quarantinedGauge = metrics.addGauge("sidecar_injector_config_quarantined",
                                             "1 while the injector ConfigMaps' config is "
                                             "quarantined (it crashed a compile) and the last good "
                                             "config is served instead");
    auto quarantineInfo = metrics.addGauge(
        "sidecar_injector_config_quarantine_info",
        "The quarantined config while a quarantine holds: ConfigMap, resourceVersion and sha256");
    if (!quarantinedGauge || !quarantineInfo) {
      std::fprintf(stderr, "serve: cannot register quarantine metrics\n");
      return 1;
    }
    const std::string revision = "default";
    auto& quarantined = quarantinedGauge->get().Add({{"revision", revision}});
    auto* infoFamily = &quarantineInfo->get();
    // The reloader calls copies of the callback: the current series lives outside it.
    auto info = std::make_shared<prometheus::Gauge*>(nullptr);
    reloader->reloader().setOnQuarantine([&quarantined, infoFamily, revision, info](
                                             const std::optional<controller::QuarantineStatus>& q) {
      if (*info != nullptr) {
        infoFamily->Remove(*info);
        *info = nullptr;
      }
      quarantined.Set(q ? 1 : 0);
      if (q) {
        const auto& v = q->record.versions;
        *info = &infoFamily->Add({{"revision", revision},
                                  {"configmap", v.empty() ? "" : v.front().name},
                                  {"resource_version", v.empty() ? "" : v.front().resourceVersion},
                                  {"sha256", q->record.hash.substr(0, 12)}});
        (*info)->Set(1);
      }
    });
  }
#endif

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
      watcher = std::make_unique<webhook::FileWatcher>(webhook::FileWatcher::Options{watched},
                                                       [&] { loadFiles(false); });
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
    controller::CaBundleKeeperOptions keeperOptions{webhookConfigName,
                                                    (*server)->selfSignedCaPem()};
    keeperOptions.informers = informers.get();
    caKeeper = std::make_unique<controller::CaBundleKeeper>(
        *client, keeperOptions,
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
  if (client && reloader && driftInterval > 0) {
    controller::LeaderElectionOptions election;
    election.ns = injectorNamespace;
    election.name = flags.get("leaseName");
    const char* podName = std::getenv("POD_NAME");
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    election.identity =
        (podName != nullptr && *podName != '\0' ? std::string(podName) : std::string(host)) + "_" +
        std::to_string(::getpid());
    if (auto valid = controller::validateLeaderElectionOptions(election); !valid) {
      std::fprintf(stderr, "serve: leader election: %s\n", valid.error().message.c_str());
      return 2;
    }
    elector = std::make_unique<controller::LeaderElector>(
        *client, election,
        controller::LeaderCallbacks{[] { logInfo("leading: this replica writes drift reports"); },
                                    [] { logInfo("no longer leading"); }, nullptr});
    elector->start();
    auto podsGauge = metrics.addGauge(
        "sidecar_drift_pods", "Pods whose injection state drifted, by namespace and reason");
    auto restartGauge = metrics.addGauge("sidecar_drift_workloads_needing_restart",
                                         "Workloads with drifted pods that a restart would fix");
    if (!podsGauge || !restartGauge) {
      std::fprintf(stderr, "serve: cannot register drift metrics\n");
      return 1;
    }
    driftGauges =
        std::make_unique<drift::DriftGauges>(podsGauge->get(), restartGauge->get().Add({}));
    drift::DriftServiceOptions driftOptions;
    driftOptions.interval = std::chrono::seconds(driftInterval);
    driftOptions.reconciler.injectorNamespace = injectorNamespace;
    driftOptions.informers = informers.get();
    // Automatic restarts only with the verbs they need, checked before the first one: a
    // restart that fails half-way (one pod of a StatefulSet deleted, say) is worse than none.
    driftOptions.reconciler.autoRestart = flags.on("autoRestart");
    if (driftOptions.reconciler.autoRestart) {
      auto denied = controller::deniedAccess(*client, {{"", "pods", "delete"},
                                                       {"apps", "deployments", "patch"},
                                                       {"apps", "statefulsets", "patch"},
                                                       {"apps", "daemonsets", "patch"}});
      std::string why;
      if (!denied) {
        why = "cannot check RBAC (" + denied.error().message + ")";
      } else if (!denied->empty()) {
        why = "missing RBAC:";
        for (const auto& d : *denied) {
          why += " " + d;
        }
        why += " (apply manifests/auto-restart/)";
      }
      if (!why.empty()) {
        driftOptions.reconciler.autoRestart = false;
        startupNotes->add("automatic restarts disabled: " + why + "\n");
        logError("--autoRestart: automatic restarts disabled: " + why);
      }
    }
    drift::DriftServiceCallbacks callbacks;
    callbacks.onSync = [](const drift::SyncResult& result) {
      for (const auto& err : result.errors) {
        logError("drift: " + err);
      }
      logger().log("default", LogLevel::Debug,
                   "drift: leader sync: " + std::to_string(result.reportWrites) +
                       " report writes, " + std::to_string(result.events) + " events, " +
                       std::to_string(result.restarts.size()) + " restarts");
    };
    callbacks.onMetrics = [g = driftGauges.get()](const drift::DriftMetrics& m) { g->publish(m); };
    callbacks.onWarning = [](const std::string& w) { logError(w); };
    auto* e = elector.get();
    drifter = std::make_unique<drift::DriftService>(
        *client, driftOptions, [e] { return e->isLeader(); }, std::move(callbacks));
    drifter->start();
    // The sink first, then the current config: a reload in between is delivered twice at
    // worst (the service ignores a repeat), never lost.
    driftConfigSink.store(drifter.get());
    if (auto current = reloader->current()) {
      drifter->setConfig(current, reloader->reloader().status().configHash);
    }
  }
#endif
#ifdef SIDECAR_HAVE_CONTROLLER
  if (informers) {
    informers->start();
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
#ifdef SIDECAR_HAVE_CONTROLLER
  // The watches first: nothing is delivered to a component while it stops.
  if (informers) {
    informers->stop();
  }
#endif
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
