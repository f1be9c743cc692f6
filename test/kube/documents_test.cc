#include <gtest/gtest.h>

#include "kube/documents.h"

namespace sidecar::kube {
namespace {

std::vector<std::string> texts(std::string_view in) {
  std::vector<std::string> out;
  for (const auto& d : splitDocuments(in)) {
    out.emplace_back(d.text);
  }
  return out;
}

TEST(SplitDocuments, SingleDocument) {
  EXPECT_EQ(texts("a: 1\nb: 2\n"), std::vector<std::string>{"a: 1\nb: 2\n"});
}

TEST(SplitDocuments, SeparatorsWithTrailingWhitespace) {
  EXPECT_EQ(texts("a: 1\n---\nb: 2\n---  \t\nc: 3\n--- \r\nd: 4"),
            (std::vector<std::string>{"a: 1\n", "b: 2\n", "c: 3\n", "d: 4"}));
}

TEST(SplitDocuments, LeadingAndAdjacentSeparatorsGiveNoEmptyChunks) {
  EXPECT_EQ(texts("---\na: 1\n---\n---\nb: 2\n---\n"), (std::vector<std::string>{"a: 1\n", "b: 2\n"}));
}

TEST(SplitDocuments, WhitespaceOnlyChunksArePassedOn) {
  EXPECT_EQ(texts("a: 1\n---\n\n---\nb: 2\n"), (std::vector<std::string>{"a: 1\n", "\n", "b: 2\n"}));
}

TEST(SplitDocuments, DashesWithContentAreNotSeparators) {
  EXPECT_EQ(texts("a: 1\n--- # comment\n---x\n ---\nb: |\n  ---\n"),
            std::vector<std::string>{"a: 1\n--- # comment\n---x\n ---\nb: |\n  ---\n"});
}

TEST(SplitDocuments, EmptyInput) { EXPECT_TRUE(splitDocuments("").empty()); }

TEST(SplitDocuments, FirstLineNumbers) {
  auto docs = splitDocuments("a: 1\nb: 2\n---\nc: 3\n---\n\n---\nd: 4\n");
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_EQ(docs[0].firstLine, 1);
  EXPECT_EQ(docs[1].firstLine, 4);
  EXPECT_EQ(docs[2].firstLine, 6);
  EXPECT_EQ(docs[2].text, "\n");
  EXPECT_EQ(docs[3].firstLine, 8);
}

TEST(SplitDocuments, ViewsPointIntoTheInput) {
  const std::string in = "x: 1\n---\ny: 2\n";
  auto docs = splitDocuments(in);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1].text.data(), in.data() + 9);
}

}  // namespace
}  // namespace sidecar::kube
