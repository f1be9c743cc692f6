// sidecar-injector: one binary, several front ends over the same injection core.

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/commands.h"

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  std::function<int(const sidecar::cmd::Args&)> run;
};

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"kube-inject", "inject the sidecar into Kubernetes YAML (istioctl kube-inject compatible)",
       sidecar::cmd::runKubeInject},
      {"check-inject", "explain why a pod is or is not injected", sidecar::cmd::runCheckInject},
      {"serve", "run the HTTPS mutating admission webhook", sidecar::cmd::runServe},
      {"drift", "report pods that drifted from their expected injection state",
       sidecar::cmd::runDrift},
      {"version", "print the version", sidecar::cmd::runVersion},
  };
  return all;
}

void printUsage(FILE* out) {
  std::fprintf(out, "Usage: sidecar-injector <command> [flags]\n\nCommands:\n");
  for (const auto& c : commands()) {
    std::fprintf(out, "  %-14.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  std::fprintf(out, "\nRun 'sidecar-injector <command> --help' for a command's flags.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    printUsage(stderr);
    return 2;
  }
  std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    printUsage(stdout);
    return 0;
  }
  sidecar::cmd::Args args(argv + 2, argv + argc);
  for (const auto& c : commands()) {
    if (c.name == name) {
      return c.run(args);
    }
  }
  std::fprintf(stderr, "sidecar-injector: unknown command '%s'\n\n", argv[1]);
  printUsage(stderr);
  return 2;
}
