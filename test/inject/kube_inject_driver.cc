// A minimal kube-inject front end for the conformance checker: reads the three config files
// and the input, prints the injected YAML. Unknown flags are ignored.

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "inject/config.h"
#include "inject/kube_inject.h"

namespace {

bool readFile(const std::string& path, std::string& out) {
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    out = s.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string injectConfigFile, meshConfigFile, valuesFile, inputFile;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    auto eq = arg.find('=');
    bool inlineValue = eq != std::string::npos;
    std::string name = inlineValue ? arg.substr(0, eq) : arg;
    auto next = [&]() -> std::string {
      if (inlineValue) {
        return arg.substr(eq + 1);
      }
      return i + 1 < argc ? std::string(argv[++i]) : std::string();
    };
    if (name == "--injectConfigFile") {
      injectConfigFile = next();
    } else if (name == "--meshConfigFile") {
      meshConfigFile = next();
    } else if (name == "--valuesFile") {
      valuesFile = next();
    } else if (name == "-f" || name == "--filename") {
      inputFile = next();
    }
  }
  std::string injectText, meshText, valuesText, input;
  if (injectConfigFile.empty() || !readFile(injectConfigFile, injectText)) {
    std::cerr << "error: cannot read --injectConfigFile '" << injectConfigFile << "'\n";
    return 1;
  }
  if (!meshConfigFile.empty() && !readFile(meshConfigFile, meshText)) {
    std::cerr << "error: cannot read --meshConfigFile '" << meshConfigFile << "'\n";
    return 1;
  }
  if (!valuesFile.empty() && !readFile(valuesFile, valuesText)) {
    std::cerr << "error: cannot read --valuesFile '" << valuesFile << "'\n";
    return 1;
  }
  if (inputFile.empty() || !readFile(inputFile, input)) {
    std::cerr << "error: cannot read -f '" << inputFile << "'\n";
    return 1;
  }
  auto config = sidecar::inject::compileConfig(injectText, meshText, valuesText);
  if (!config) {
    std::cerr << "error: " << config.error().message << "\n";
    return 1;
  }
  std::string out, warnings;
  auto result = sidecar::inject::kubeInject(**config, input, out, warnings);
  std::cout << out;
  std::cerr << warnings;
  if (!result) {
    std::cerr << "error: " << result.error().message << "\n";
    return 1;
  }
  return 0;
}
