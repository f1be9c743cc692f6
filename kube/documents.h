#pragma once

// Splitting a multi-document YAML stream the way Kubernetes' YAMLReader (used by
// `istioctl kube-inject`) does, so every document maps to one output document.

#include <string_view>
#include <vector>

namespace sidecar::kube {

struct Document {
  std::string_view text;  // the document's bytes, separator line excluded
  int firstLine = 1;      // 1-based line of text's first byte in the whole stream
};

// A separator is a line that starts with "---" followed only by whitespace (spaces, tabs,
// CR) up to the end of the line; "--- foo" or "---x" are content, and so is "---" inside a
// block scalar (YAMLReader does not parse YAML either). Chunks of zero bytes (e.g. before a
// leading "---", or between two adjacent separators) are skipped like YAMLReader does;
// chunks holding only whitespace or comments are returned, as YAMLReader returns them, and
// decode to nothing (callers copy them through or skip them). A final line without a
// newline is part of the last document.
std::vector<Document> splitDocuments(std::string_view text);

}  // namespace sidecar::kube
