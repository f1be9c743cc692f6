// Strategic merge patch, table-driven. Expected results follow apimachinery's documented
// semantics (pkg/util/strategicpatch: patch.go and the ordering cases of patch_test.go,
// re-expressed over Pod fields: mergingList -> containers, mergingIntList -> finalizers).

#include <gtest/gtest.h>

#include <string>

#include "kube/strategic_merge.h"
#include "kube/yaml.h"

namespace sidecar::kube {
namespace {

using nlohmann::json;

struct Case {
  const char* name;
  const char* original;  // YAML
  const char* patch;     // YAML
  const char* expected;  // YAML, or the error text it must contain when `error`
  bool error = false;
  const char* goType = "Pod";
};

json yaml(const char* text) {
  auto parsed = parseYaml(text);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : json();
}

class StrategicMerge : public ::testing::TestWithParam<Case> {};

TEST_P(StrategicMerge, Applies) {
  const Case& c = GetParam();
  auto result = strategicMergePatch(yaml(c.original), yaml(c.patch), c.goType);
  if (c.error) {
    ASSERT_FALSE(result) << result->dump();
    EXPECT_NE(result.error().message.find(c.expected), std::string::npos) << result.error().message;
  } else {
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(*result, yaml(c.expected)) << result->dump();
  }
}

const Case kCases[] = {
    // ---- Maps and scalars.
    {"EmptyPatchReturnsOriginal", "spec: {containers: [{name: a}]}", "{}",
     "spec: {containers: [{name: a}]}"},
    {"NullPatchReturnsOriginal", "spec: {containers: [{name: a}]}", "~",
     "spec: {containers: [{name: a}]}"},
    {"ScalarReplaced", "spec: {restartPolicy: Always}", "spec: {restartPolicy: Never}",
     "spec: {restartPolicy: Never}"},
    {"FieldAdded", "spec: {restartPolicy: Always}", "spec: {hostNetwork: true}",
     "spec: {restartPolicy: Always, hostNetwork: true}"},
    {"NullDeletesField", "metadata: {labels: {app: a, v: '1'}}", "metadata: {labels: {app: null}}",
     "metadata: {labels: {v: '1'}}"},
    {"NullForAbsentFieldIsIgnored", "metadata: {name: p}",
     "metadata: {labels: null, namespace: null}", "metadata: {name: p}"},
    {"NestedMapsMerge", "metadata: {annotations: {a: '1', b: '2'}}",
     "metadata: {annotations: {b: '3', c: '4'}}",
     "metadata: {annotations: {a: '1', b: '3', c: '4'}}"},
    {"NullsInNewSubtreeAreDiscarded", "spec: {}",
     "spec: {securityContext: {runAsUser: null, runAsGroup: 1}}",
     "spec: {securityContext: {runAsGroup: 1}}"},
    {"DifferentTypeTakesPatchValue", "spec: {nodeSelector: {a: b}}", "spec: {nodeSelector: [x]}",
     "spec: {nodeSelector: [x]}"},
    {"PatchReplaceInMap", "metadata: {annotations: {a: '1', b: '2'}}",
     "metadata: {annotations: {$patch: replace, c: '3'}}", "metadata: {annotations: {c: '3'}}"},
    {"PatchDeleteInMap", "metadata: {name: p, annotations: {a: '1'}}",
     "metadata: {annotations: {$patch: delete}}", "metadata: {name: p, annotations: {}}"},
    {"PatchMergeInMapIsAnError", "metadata: {annotations: {a: '1'}}",
     "metadata: {annotations: {$patch: merge}}", "unknown patch type", true},
    {"PatchReplaceAtRoot", "metadata: {name: p}", "{$patch: replace, spec: {hostPID: true}}",
     "spec: {hostPID: true}"},
    {"DirectiveMapInNewFieldVanishes", "metadata: {name: p}",
     "spec: {securityContext: {$patch: delete}}", "metadata: {name: p}\nspec: {}"},
    {"UnknownStructFieldMergedIsAnError", "spec: {bogus: {a: 1}}", "spec: {bogus: {b: 2}}",
     "spec.bogus: unable to find api field in struct PodSpec for the json field \"bogus\"", true},
    {"UnknownFieldOnlyInPatchIsTaken", "spec: {}", "spec: {bogus: {b: 2}}",
     "spec: {bogus: {b: 2}}"},
    {"MapOfStringsCannotMergeMaps", "metadata: {labels: {a: {x: 1}}}",
     "metadata: {labels: {a: {y: 2}}}", "data type is not struct, instead is: map", true},
    {"CaseInsensitiveFieldLookup", "spec: {Containers: [{name: a, image: x}]}",
     "spec: {Containers: [{name: a, image: y}]}", "spec: {Containers: [{name: a, image: y}]}"},

    // ---- Lists without a merge strategy are replaced.
    {"NonMergingListReplaced", "spec: {containers: [{name: a, args: [p, q]}]}",
     "spec: {containers: [{name: a, args: [z]}]}", "spec: {containers: [{name: a, args: [z]}]}"},
    {"AtomicTolerationsReplaced", "spec: {tolerations: [{key: a}, {key: b}]}",
     "spec: {tolerations: [{key: c}]}", "spec: {tolerations: [{key: c}]}"},
    {"NonMergingListKeepsDirectivesAsGiven", "spec: {tolerations: [{key: a}]}",
     "spec: {tolerations: [{key: c, $patch: delete}]}",
     "spec: {tolerations: [{key: c, $patch: delete}]}"},

    // ---- Lists merged by key: patch items first, original-only items after.
    {"ContainerAddedBeforeOriginalOnes", "spec: {containers: [{name: app, image: a}]}",
     "spec: {containers: [{name: istio-proxy, image: p}]}",
     "spec: {containers: [{name: istio-proxy, image: p}, {name: app, image: a}]}"},
    {"ContainerMergedByName", "spec: {containers: [{name: app, image: a, workingDir: /w}]}",
     "spec: {containers: [{name: app, image: b}]}",
     "spec: {containers: [{name: app, image: b, workingDir: /w}]}"},
    {"PortsMergedByNumericKey",
     "spec: {containers: [{name: a, ports: [{containerPort: 80, name: http}]}]}",
     "spec: {containers: [{name: a, ports: [{containerPort: 80.0, protocol: TCP}, {containerPort: "
     "90}]}]}",
     "spec: {containers: [{name: a, ports: [{containerPort: 80, name: http, protocol: TCP}, "
     "{containerPort: 90}]}]}"},
    {"EnvItemFieldDeletedByNull",
     "spec: {containers: [{name: a, env: [{name: X, value: '1'}, {name: Y}]}]}",
     "spec: {containers: [{name: a, env: [{name: X, value: null, valueFrom: {fieldRef: {fieldPath: "
     "p}}}]}]}",
     "spec: {containers: [{name: a, env: [{name: X, valueFrom: {fieldRef: {fieldPath: p}}}, {name: "
     "Y}]}]}"},
    {"VolumesMergedByName",
     "spec: {volumes: [{name: v1, emptyDir: {}}, {name: v2, secret: {secretName: s}}]}",
     "spec: {volumes: [{name: v2, secret: {optional: true}}, {name: v3, emptyDir: {medium: "
     "Memory}}]}",
     "spec: {volumes: [{name: v1, emptyDir: {}}, {name: v2, secret: {secretName: s, optional: "
     "true}}, "
     "{name: v3, emptyDir: {medium: Memory}}]}"},
    {"VolumeMountsKeyedByMountPath",
     "spec: {containers: [{name: a, volumeMounts: [{name: x, mountPath: /a}, {name: y, mountPath: "
     "/b}]}]}",
     "spec: {containers: [{name: a, volumeMounts: [{name: z, mountPath: /b, readOnly: true}]}]}",
     "spec: {containers: [{name: a, volumeMounts: [{name: x, mountPath: /a}, {name: z, mountPath: "
     "/b, readOnly: "
     "true}]}]}"},
    {"ImagePullSecretsMergedByName", "spec: {imagePullSecrets: [{name: a}]}",
     "spec: {imagePullSecrets: [{name: b}, {name: a}]}",
     "spec: {imagePullSecrets: [{name: b}, {name: a}]}"},
    {"SamePatchKeyTwiceMergesIntoTheAppendedItem", "spec: {containers: [{name: app}]}",
     "spec: {containers: [{name: p, image: x}, {name: p, workingDir: /w}]}",
     "spec: {containers: [{name: p, image: x, workingDir: /w}, {name: app}]}"},
    {"PatchDeleteItem", "spec: {containers: [{name: a}, {name: b}, {name: c}]}",
     "spec: {containers: [{name: b, $patch: delete}]}",
     "spec: {containers: [{name: a}, {name: c}]}"},
    {"PatchDeleteMissingItem", "spec: {containers: [{name: a}]}",
     "spec: {containers: [{name: z, $patch: delete}]}", "spec: {containers: [{name: a}]}"},
    {"PatchDeleteItemNeedsMergeKey", "spec: {containers: [{name: a}]}",
     "spec: {containers: [{$patch: delete}]}", "does not contain declared merge key: name", true},
    {"PatchReplaceList", "spec: {containers: [{name: a, image: x}, {name: b}]}",
     "spec: {containers: [{name: c}, {$patch: replace}, {name: a}]}",
     "spec: {containers: [{name: c}, {name: a}]}"},
    {"PatchMergeInListIsAnError", "spec: {containers: [{name: a}]}",
     "spec: {containers: [{$patch: merge}]}", "merging lists cannot yet be specified in the patch",
     true},
    {"NewListDropsDirectiveItems", "spec: {}",
     "spec: {initContainers: [{name: a}, {name: b, $patch: delete}]}",
     "spec: {initContainers: [{name: a}]}"},
    {"MergeItemWithoutKeyIsAnError", "spec: {containers: [{name: a}]}",
     "spec: {containers: [{image: x}]}",
     "spec.containers: map: {\"image\":\"x\"} does not contain declared merge key: name", true},
    {"ListOfListsIsAnError", "spec: {containers: [{name: a}]}", "spec: {containers: [[x]]}",
     "list element types are not identical", true},
    {"MixedElementTypesIsAnError", "metadata: {finalizers: [a]}", "metadata: {finalizers: [1]}",
     "list element types are not identical", true},
    {"NullListItemIsAnError", "metadata: {finalizers: []}", "metadata: {finalizers: [null]}",
     "a list item is null", true},
    {"ConditionsOfStatusMergeByType", "status: {conditions: [{type: Ready, status: 'False'}]}",
     "status: {conditions: [{type: Ready, status: 'True'}]}",
     "status: {conditions: [{type: Ready, status: 'True'}]}"},

    // ---- Primitive lists with the merge strategy (finalizers).
    {"PrimitiveListUnionPatchFirst", "metadata: {finalizers: [a, b]}",
     "metadata: {finalizers: [c, a]}", "metadata: {finalizers: [c, a, b]}"},
    {"PrimitiveListDuplicatesInPatch", "metadata: {finalizers: [a]}",
     "metadata: {finalizers: [b, b]}", "metadata: {finalizers: [b, a]}"},
    {"DeleteFromPrimitiveList", "metadata: {finalizers: [a, b, c]}",
     "metadata: {$deleteFromPrimitiveList/finalizers: [b]}", "metadata: {finalizers: [a, c]}"},
    {"DeleteFromPrimitiveListNonexistentItem", "metadata: {finalizers: [a]}",
     "metadata: {$deleteFromPrimitiveList/finalizers: [z]}", "metadata: {finalizers: [a]}"},
    {"DeleteFromPrimitiveListNonexistentList", "metadata: {name: p}",
     "metadata: {$deleteFromPrimitiveList/finalizers: [z]}", "metadata: {name: p}"},
    {"DeleteFromNonMergingPrimitiveList", "spec: {containers: [{name: a, args: [p, q]}]}",
     "spec: {containers: [{name: a, $deleteFromPrimitiveList/args: [p]}]}",
     "spec: {containers: [{name: a, args: [q]}]}"},
    {"DeleteFromPrimitiveListNeedsSlash", "metadata: {finalizers: [a]}",
     "metadata: {$deleteFromPrimitiveList: [a]}", "invalid patch format of primitive list", true},

    // ---- $setElementOrder (patch_test.go's "preserve order" / "server-only items" cases).
    {"SetElementOrderAddsItemFirst",
     "spec: {containers: [{name: '1', workingDir: a}, {name: '2', image: '2', workingDir: b}]}",
     "spec: {$setElementOrder/containers: [{name: '3'}, {name: '1'}, {name: '2'}], containers: "
     "[{name: '3', image: '3'}]}",
     "spec: {containers: [{name: '3', image: '3'}, {name: '1', workingDir: a}, {name: '2', image: "
     "'2', workingDir: b}]}"},
    {"SetElementOrderWithServerOnlyItems",
     "spec: {containers: [{name: '1', workingDir: a}, {name: '3'}, {name: '4'}, {name: '2'}, "
     "{name: '9'}]}",
     "spec: {$setElementOrder/containers: [{name: '4'}, {name: '2'}, {name: '3'}, {name: '1'}]}",
     "spec: {containers: [{name: '4'}, {name: '2'}, {name: '3'}, {name: '1', workingDir: a}, "
     "{name: '9'}]}"},
    {"SetElementOrderWithServerOnlyItems2",
     "spec: {containers: [{name: '1'}, {name: '2'}, {name: '9'}, {name: '3'}, {name: '4'}]}",
     "spec: {$setElementOrder/containers: [{name: '2'}, {name: '1'}, {name: '4'}, {name: '3'}]}",
     "spec: {containers: [{name: '2'}, {name: '1'}, {name: '9'}, {name: '4'}, {name: '3'}]}"},
    {"SetElementOrderWithServerOnlyItems3",
     "spec: {containers: [{name: '1'}, {name: '2'}, {name: '7'}, {name: '9'}, {name: '8'}, {name: "
     "'3'}, {name: '4'}]}",
     "spec: {$setElementOrder/containers: [{name: '2'}, {name: '1'}, {name: '4'}, {name: '3'}]}",
     "spec: {containers: [{name: '2'}, {name: '1'}, {name: '7'}, {name: '9'}, {name: '8'}, {name: "
     "'4'}, {name: '3'}]}"},
    {"SetElementOrderWithDuplicates",
     "spec: {containers: [{name: '1'}, {name: '2', image: dup1}, {name: '3'}, {name: '2', image: "
     "dup2}, {name: '4'}]}",
     "spec: {$setElementOrder/containers: [{name: '2'}, {name: '1'}, {name: '4'}, {name: '3'}, "
     "{name: '2'}]}",
     "spec: {containers: [{name: '2', image: dup1}, {name: '2', image: dup2}, {name: '1'}, {name: "
     "'4'}, {name: '3'}]}"},
    {"SetElementOrderPrimitiveAdd", "metadata: {finalizers: ['1', '4', '2']}",
     "metadata: {$setElementOrder/finalizers: ['3', '1', '2'], finalizers: ['3']}",
     "metadata: {finalizers: ['3', '1', '4', '2']}"},
    {"SetElementOrderPrimitiveServerOnly", "metadata: {finalizers: ['1', '2', '9', '3', '4']}",
     "metadata: {$setElementOrder/finalizers: ['2', '1', '4', '3']}",
     "metadata: {finalizers: ['2', '1', '9', '4', '3']}"},
    {"SetElementOrderWithPrimitiveDelete", "metadata: {finalizers: ['1', '2', '3']}",
     "metadata: {$setElementOrder/finalizers: ['2', '1'], $deleteFromPrimitiveList/finalizers: "
     "['3']}",
     "metadata: {finalizers: ['2', '1']}"},
    {"SetElementOrderMustMatchPatchOrder", "spec: {containers: [{name: a}]}",
     "spec: {$setElementOrder/containers: [{name: a}, {name: b}], containers: [{name: b}, {name: "
     "a}]}",
     "doesn't match $setElementOrder list", true},
    {"SetElementOrderMustBeAList", "spec: {containers: [{name: a}]}",
     "spec: {$setElementOrder/containers: x}", "expected a list", true},
    {"SetElementOrderForNewList", "spec: {}",
     "spec: {$setElementOrder/containers: [{name: b}, {name: a}], containers: [{name: b}, {name: "
     "a}]}",
     "spec: {containers: [{name: b}, {name: a}]}"},

    // ---- $retainKeys (volumes are "merge,retainKeys").
    {"RetainKeysClearsOtherFields", "spec: {volumes: [{name: v, emptyDir: {}}]}",
     "spec: {volumes: [{name: v, $retainKeys: [name, secret], secret: {secretName: s}}]}",
     "spec: {volumes: [{name: v, secret: {secretName: s}}]}"},
    {"RetainKeysKeepsListedFields", "spec: {strategy: {type: A, rollingUpdate: {maxSurge: 1}}}",
     "spec: {strategy: {$retainKeys: [type, rollingUpdate], type: B}}",
     "spec: {strategy: {type: B, rollingUpdate: {maxSurge: 1}}}", false, "Deployment"},
    {"RetainKeysMustListPatchedFields", "spec: {volumes: [{name: v, emptyDir: {}}]}",
     "spec: {volumes: [{name: v, $retainKeys: [name], secret: {secretName: s}}]}",
     "invalid patch format of retainKeys", true},
    {"RetainKeysMustBeAList", "spec: {volumes: [{name: v}]}",
     "spec: {volumes: [{name: v, $retainKeys: name}]}", "invalid patch format of retainKeys", true},

    // ---- The 1.30 era: native sidecars merge like any init container.
    {"NativeSidecarInitContainerMerged",
     "spec: {initContainers: [{name: istio-proxy, image: old, restartPolicy: Always}], containers: "
     "[{name: app}]}",
     "spec: {initContainers: [{name: istio-init}, {name: istio-proxy, image: new}]}",
     "spec: {initContainers: [{name: istio-init}, {name: istio-proxy, image: new, restartPolicy: "
     "Always}], "
     "containers: [{name: app}]}"},
};

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Table, StrategicMerge, ::testing::ValuesIn(kCases), caseName);

TEST(StrategicMergeApi, RejectsBadArguments) {
  EXPECT_FALSE(strategicMergePatch(json::array(), json::object(), "Pod"));
  EXPECT_FALSE(strategicMergePatch(json::object(), json::array(), "Pod"));
  EXPECT_FALSE(strategicMergePatch(json::object(), json::object(), "NoSuchType"));
}

TEST(StrategicMergeApi, DeepPatchIsAnErrorNotACrash) {
  json deep = json::object();
  for (int i = 0; i < 5000; ++i) {
    deep = json{{"x", std::move(deep)}};
  }
  auto result =
      strategicMergePatch(json::object(), json{{"metadata", json{{"labels", deep}}}}, "Pod");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("nested too deeply"), std::string::npos);
}

TEST(StrategicMergeApi, LongListsUseGoStableSortBlocks) {
  // Over 20 items Go's SliceStable merges insertion-sorted blocks; the order of patch items
  // must still follow $setElementOrder exactly.
  json original = json::array();
  json order = json::array();
  for (int i = 0; i < 45; ++i) {
    original.push_back(json{{"name", std::to_string(i)}});
  }
  for (int i = 44; i >= 0; --i) {
    order.push_back(json{{"name", std::to_string(i)}});
  }
  auto result =
      strategicMergePatch(json{{"spec", {{"containers", original}}}},
                          json{{"spec", {{"$setElementOrder/containers", order}}}}, "Pod");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ((*result)["spec"]["containers"], order);
}

}  // namespace
}  // namespace sidecar::kube
