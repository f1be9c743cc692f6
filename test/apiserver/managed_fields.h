#pragma once

// metadata.managedFields as kube-apiserver writes it on a create, before admission: one
// "Update" entry for the client's field manager, stamped with the request time (RFC 3339,
// whole seconds), listing the fields the request set in the FieldsV1 notation (f:<field>,
// k:{<merge key>} for items of keyed lists, "." for a member that also has members).

#include <nlohmann/json.hpp>
#include <string>

#include "test/apiserver/object_store.h"

namespace sidecar::testapi {

// The manager name kube-apiserver records: ?fieldManager= when given, else the User-Agent up
// to its first '/' ("kube-controller-manager/v1.30.0 (linux/amd64) ..." -> the first word).
std::string fieldManagerOf(const ApiRequest& request);

// The FieldsV1 set of `object`, without the fields the server owns (apiVersion, kind, name,
// namespace, uid, resourceVersion, creationTimestamp, generation, managedFields) and status.
nlohmann::json fieldsV1(const nlohmann::json& object);

// Sets metadata.managedFields of a new object (unless the client sent some) to one Update
// entry for `manager` at `time`.
void addCreateManagedFields(nlohmann::json& object, const std::string& manager,
                            const std::string& apiVersion, const std::string& time);

}  // namespace sidecar::testapi
