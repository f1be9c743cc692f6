#include "controller/access_review.h"

namespace sidecar::controller {

namespace {

const ResourceDescriptor kSelfSubjectAccessReviews{
    "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false};

}  // namespace

Expected<std::vector<std::string>> deniedAccess(RestClient& client,
                                                const std::vector<AccessCheck>& checks) {
  std::vector<std::string> denied;
  for (const auto& c : checks) {
    const nlohmann::json review = {
        {"apiVersion", "authorization.k8s.io/v1"},
        {"kind", "SelfSubjectAccessReview"},
        {"spec",
         {{"resourceAttributes",
           {{"group", c.group}, {"resource", c.resource}, {"verb", c.verb}}}}}};
    auto answer = client.create(kSelfSubjectAccessReviews, "", review);
    if (!answer) {
      return fail("SelfSubjectAccessReview for " + c.verb + " " + c.resource + ": " +
                  answer.error().message);
    }
    if (!answer->value("/status/allowed"_json_pointer, false)) {
      denied.push_back(c.verb + " " + c.resource + (c.group.empty() ? "" : "." + c.group));
    }
  }
  return denied;
}

}  // namespace sidecar::controller
