#include "controller/drift/text_table.h"

#include <algorithm>

namespace sidecar::drift {

std::string formatTable(const std::vector<TableRow>& rows) {
  std::array<size_t, 4> width{};
  for (const auto& row : rows) {
    for (size_t i = 0; i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < width.size(); ++i) {
      out += row[i];
      out.append(width[i] - row[i].size() + 3, ' ');
    }
    out += row[4];
    out += '\n';
  }
  return out;
}

}  // namespace sidecar::drift
