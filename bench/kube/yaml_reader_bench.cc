// Does the fast YAML reader pay? Runs, in one process and on the same documents, the
// production path (parseYaml: the fast reader, falling back to the full one when it
// declines) against the full yaml-cpp based reader alone, and reports the ratio.
//
// Corpora:
//  * rendered: injection templates rendered for a pod, the text parseYaml reads on every
//    admission (decodeSidecarSpec). The built-in config (cmd/defaults) and, when the shared
//    conformance corpus is present, every Istio 1.4 / 1.1 kube-inject case's config,
//    rendered for the sleep pod of bench/testdata.
//  * manifests: what users feed kube-inject and what the project installs: samples/,
//    manifests/, crds/, test/cmd/testdata and the corpus' inputs and goldens, split into
//    documents.
//  * configs: the ConfigMap payloads (inject config, values, mesh) read at each reload.
//
// Every document is checked first: where the fast reader answers, it must agree with the
// full one (the run aborts otherwise). Documents neither reader accepts (test fixtures of
// malformed input) are left out.
//
// Usage: yaml_reader_bench [rounds]   (default 15; the median round is reported)
// The corpus is SIDECAR_CONFORMANCE_DIR from the environment, else the build's default.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/file.h"
#include "inject/config.h"
#include "inject/template_data.h"
#include "kube/documents.h"
#include "kube/yaml.h"
#include "kube/yaml_fast.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Corpus {
  std::string name;
  std::vector<std::string> documents;
};

std::string source(const std::string& relative) {
  return std::string(SIDECAR_SOURCE_DIR) + "/" + relative;
}

std::string mustRead(const std::string& path) {
  auto text = sidecar::readFile(path);
  if (!text) {
    std::fprintf(stderr, "%s\n", text.error().message.c_str());
    std::exit(2);
  }
  return std::move(*text);
}

std::string readOr(const fs::path& path, const std::string& fallback) {
  auto text = sidecar::readFile(path.string());
  return text ? std::move(*text) : fallback;
}

void addDocuments(Corpus& corpus, const std::string& text) {
  for (const auto& doc : sidecar::kube::splitDocuments(text)) {
    if (doc.text.find_first_not_of(" \t\r\n") != std::string::npos) {
      corpus.documents.emplace_back(doc.text);
    }
  }
}

void addYamlFiles(Corpus& corpus, const fs::path& dir) {
  if (!fs::is_directory(dir)) {
    return;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    addDocuments(corpus, mustRead(file.string()));
  }
}

// The sleep pod the admission benchmarks use, as the template sees it.
sidecar::inject::TemplateDataInput sleepPod() {
  json pod = json::parse(mustRead(source("bench/testdata/sleep-pod.json")));
  auto meta = std::make_shared<const json>(pod["metadata"]);
  sidecar::inject::TemplateDataInput input;
  input.objectMeta = meta;
  input.podSpec = std::make_shared<const json>(pod["spec"]);
  input.deploymentMeta = meta;
  input.apiVersion = "v1";
  input.kind = "Pod";
  return input;
}

bool render(Corpus& corpus, const std::string& injectConfig, const std::string& mesh,
            const std::string& values) {
  auto config = sidecar::inject::compileConfig(injectConfig, mesh, values);
  if (!config || !(*config)->sidecarTemplate) {
    return false;
  }
  auto rendered = (*config)->sidecarTemplate->execute(makeTemplateData(sleepPod(), (*config)->env));
  if (!rendered) {
    return false;
  }
  corpus.documents.push_back(std::move(*rendered));
  return true;
}

std::vector<Corpus> loadCorpora() {
  Corpus rendered{"rendered", {}};
  Corpus manifests{"manifests", {}};
  Corpus configs{"configs", {}};
  const std::string defaults = source("cmd/defaults/");
  const std::string injectConfig = mustRead(defaults + "inject-config.yaml");
  const std::string mesh = mustRead(defaults + "mesh.yaml");
  const std::string values = mustRead(defaults + "values.yaml");
  if (!render(rendered, injectConfig, mesh, values)) {
    std::fprintf(stderr, "the built-in config does not render\n");
    std::exit(2);
  }
  configs.documents = {injectConfig, mesh, values};
  for (const char* dir : {"samples", "manifests", "crds", "test/cmd/testdata"}) {
    addYamlFiles(manifests, source(dir));
  }
  const char* fromEnv = std::getenv("SIDECAR_CONFORMANCE_DIR");
  const fs::path corpus =
      fromEnv != nullptr ? fs::path(fromEnv) : fs::path(SIDECAR_CONFORMANCE_DIR);
  if (!fs::is_directory(corpus)) {
    std::printf("conformance corpus not found at %s: Istio's templates and cases left out\n",
                corpus.c_str());
  }
  for (const char* era : {"istio-1.4", "istio-1.1"}) {
    const fs::path cases = corpus / era / "kube-inject";
    if (!fs::is_directory(cases)) {
      continue;
    }
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(cases)) {
      dirs.push_back(entry.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const auto& dir : dirs) {
      const std::string caseConfig = readOr(dir / "inject-config.yaml", "");
      const std::string caseMesh = readOr(dir / "mesh.yaml", "");
      const std::string caseValues = readOr(dir / "values.yaml", "");
      if (!caseConfig.empty()) {
        render(rendered, caseConfig, caseMesh, caseValues);
        configs.documents.push_back(caseConfig);
      }
      for (const char* name : {"input.yaml", "expected.yaml"}) {
        addDocuments(manifests, readOr(dir / name, ""));
      }
    }
  }
  std::vector<Corpus> all{rendered, manifests, configs};
  for (auto& c : all) {
    std::erase_if(c.documents,
                  [](const std::string& d) { return !sidecar::kube::detail::parseYamlFull(d); });
  }
  return all;
}

size_t totalBytes(const Corpus& c) {
  size_t n = 0;
  for (const auto& d : c.documents) {
    n += d.size();
  }
  return n;
}

// The fast reader's answers must be the full reader's.
size_t checkAgreement(const Corpus& corpus) {
  size_t accepted = 0;
  for (const auto& doc : corpus.documents) {
    auto fast = sidecar::kube::detail::parseYamlFast(doc);
    if (!fast) {
      continue;
    }
    ++accepted;
    auto full = sidecar::kube::detail::parseYamlFull(doc);
    if (!full || *full != *fast) {
      std::fprintf(stderr, "%s: the fast and full readers disagree on:\n%s\n", corpus.name.c_str(),
                   doc.c_str());
      std::exit(1);
    }
  }
  return accepted;
}

template <class Parse>
double passMicros(const Corpus& corpus, Parse&& parse) {
  const auto start = Clock::now();
  for (const auto& doc : corpus.documents) {
    auto parsed = parse(doc);
    if (!parsed) {
      std::fprintf(stderr, "%s: a document does not parse: %s\n", corpus.name.c_str(),
                   parsed.error().message.c_str());
      std::exit(1);
    }
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
  const auto corpora = loadCorpora();
  std::printf("%-10s %5s %9s %9s %12s %12s %7s\n", "corpus", "docs", "KiB", "fast-ok",
              "parseYaml us", "full-only us", "ratio");
  for (const auto& corpus : corpora) {
    const size_t accepted = checkAgreement(corpus);
    std::vector<double> production;
    std::vector<double> fullOnly;
    // Interleaved, so both see the same machine state (caches, frequency, neighbours).
    for (int r = 0; r < rounds; ++r) {
      production.push_back(
          passMicros(corpus, [](const std::string& d) { return sidecar::kube::parseYaml(d); }));
      fullOnly.push_back(passMicros(
          corpus, [](const std::string& d) { return sidecar::kube::detail::parseYamlFull(d); }));
    }
    const double p = median(production);
    const double f = median(fullOnly);
    std::printf("%-10s %5zu %9.1f %8.0f%% %12.1f %12.1f %6.2fx\n", corpus.name.c_str(),
                corpus.documents.size(), static_cast<double>(totalBytes(corpus)) / 1024.0,
                corpus.documents.empty() ? 0.0
                                         : 100.0 * static_cast<double>(accepted) /
                                               static_cast<double>(corpus.documents.size()),
                p, f, p > 0 ? f / p : 0.0);
  }
  return 0;
}
