#include "kube/documents.h"

namespace sidecar::kube {
namespace {

bool isSeparator(std::string_view line) {
  if (line.substr(0, 3) != "---") {
    return false;
  }
  for (char c : line.substr(3)) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<Document> splitDocuments(std::string_view text) {
  std::vector<Document> docs;
  size_t docStart = 0;
  int docLine = 1;
  int line = 1;
  size_t pos = 0;
  auto flush = [&](size_t end) {
    if (end > docStart) {
      docs.push_back(Document{text.substr(docStart, end - docStart), docLine});
    }
  };
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    const size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    if (isSeparator(text.substr(pos, next - pos))) {
      flush(pos);
      docStart = next;
      docLine = line + 1;
    }
    pos = next;
    ++line;
  }
  flush(text.size());
  return docs;
}

}  // namespace sidecar::kube
