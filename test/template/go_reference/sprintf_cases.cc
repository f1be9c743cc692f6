// Reads JSON [type, value, format] lines and prints the engine's Sprintf of each, as JSON,
// for comparison with go/printf's output. Built by hand (see README.md).
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <span>
#include <string>

#include "template/format.h"

int main() {
  using sidecar::tmpl::Value;
  std::string line;
  while (std::getline(std::cin, line)) {
    auto j = nlohmann::json::parse(line);
    std::string type = j[0];
    std::string text = j[1];
    std::string format = j[2];
    Value v;
    if (type == "i") {
      v = Value(static_cast<int64_t>(std::stoll(text)));
    } else if (type == "f") {
      double d = text == "nan" ? NAN
                 : text == "inf" ? INFINITY
                 : text == "-inf" ? -INFINITY
                                  : std::strtod(text.c_str(), nullptr);
      v = Value(d);
    } else if (type == "s") {
      v = Value(nlohmann::json::parse(text).get<std::string>());
    } else {
      v = Value(text == "true");
    }
    std::string out;
    sidecar::tmpl::fmt::appendSprintf(out, format, std::span<const Value>(&v, 1));
    std::cout << nlohmann::json(out).dump() << "\n";
  }
  return 0;
}
