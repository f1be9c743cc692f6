// Prints the table cases of template_table_test.cc as JSON for main.go. Built by hand,
// not by CMake (see README.md).
#include <cstdio>

#include "test/template/template_table_test.cc"

namespace {

void printJson(std::string_view s) {
  std::putchar('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      std::putchar('\\');
      std::putchar(c);
    } else if (c < 0x20) {
      std::printf("\\u%04x", c);
    } else {
      std::putchar(c);
    }
  }
  std::putchar('"');
}

}  // namespace

int main() {
  using namespace sidecar::tmpl::testing;
  std::printf("[\n");
  bool first = true;
  auto emit = [&](const char* kind, const auto& table) {
    for (const auto& c : table) {
      std::printf(first ? "" : ",\n");
      first = false;
      std::printf("{\"kind\":\"%s\",\"name\":", kind);
      printJson(c.name);
      std::printf(",\"text\":");
      printJson(c.text);
      std::printf(",\"want\":");
      printJson(c.want);
      std::printf("}");
    }
  };
  emit("output", kOutput);
  emit("exec", kExecErrors);
  emit("parse", kParseErrors);
  std::printf("\n]\n");
  return 0;
}
