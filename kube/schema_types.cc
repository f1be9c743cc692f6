#include "kube/schema_types.h"

#include <deque>
#include <map>
#include <string>

namespace sidecar::kube {
namespace {

constexpr bool O = true;   // `json:",omitempty"`
constexpr bool A = false;  // always marshalled

// Field lists and tags follow k8s.io/api v0.16 (core/v1, apps/v1, batch/v1, batch/v1beta1),
// k8s.io/apimachinery meta/v1 and github.com/openshift/api apps/v1.
const std::vector<StructDef>& rawTable() {
  static const std::vector<StructDef> table = {
      {"TypeMeta", {{"kind", "string", O}, {"apiVersion", "string", O}}},
      {"ObjectMeta",
       {{"name", "string", O}, {"generateName", "string", O}, {"namespace", "string", O},
        {"selfLink", "string", O}, {"uid", "string", O}, {"resourceVersion", "string", O},
        {"generation", "int64", O}, {"creationTimestamp", "Time", O}, {"deletionTimestamp", "*Time", O},
        {"deletionGracePeriodSeconds", "*int64", O}, {"labels", "map[string]string", O},
        {"annotations", "map[string]string", O}, {"ownerReferences", "[]OwnerReference", O, "merge", "uid", "map", "uid"},
        {"finalizers", "[]string", O, "merge", "", "set"}, {"clusterName", "string", O}, {"managedFields", "[]Raw", O}}},
      {"OwnerReference",
       {{"apiVersion", "string", A}, {"kind", "string", A}, {"name", "string", A}, {"uid", "string", A},
        {"controller", "*bool", O}, {"blockOwnerDeletion", "*bool", O}}},
      {"ListMeta",
       {{"selfLink", "string", O}, {"resourceVersion", "string", O}, {"continue", "string", O},
        {"remainingItemCount", "*int64", O}}},
      {"LabelSelector", {{"matchLabels", "map[string]string", O}, {"matchExpressions", "[]LabelSelectorRequirement", O}}},
      {"LabelSelectorRequirement", {{"key", "string", A}, {"operator", "string", A}, {"values", "[]string", O}}},
      {"ObjectReference",
       {{"kind", "string", O}, {"namespace", "string", O}, {"name", "string", O}, {"uid", "string", O},
        {"apiVersion", "string", O}, {"resourceVersion", "string", O}, {"fieldPath", "string", O}}},
      {"LocalObjectReference", {{"name", "string", O}}},
      {"TypedLocalObjectReference", {{"apiGroup", "*string", A}, {"kind", "string", A}, {"name", "string", A}}},

      // Pods.
      {"PodTemplateSpec", {{"metadata", "ObjectMeta", O}, {"spec", "PodSpec", O}}},
      {"PodSpec",
       {{"volumes", "[]Volume", O, "merge,retainKeys", "name", "map", "name"},
        {"initContainers", "[]Container", O, "merge", "name", "map", "name"},
        {"containers", "[]Container", A, "merge", "name", "map", "name"},
        {"ephemeralContainers", "[]Raw", O, "merge", "name", "map", "name"},
        {"restartPolicy", "string", O},
        {"terminationGracePeriodSeconds", "*int64", O},
        {"activeDeadlineSeconds", "*int64", O},
        {"dnsPolicy", "string", O},
        {"nodeSelector", "map[string]string", O},
        {"serviceAccountName", "string", O},
        {"serviceAccount", "string", O},
        {"automountServiceAccountToken", "*bool", O},
        {"nodeName", "string", O},
        {"hostNetwork", "bool", O},
        {"hostPID", "bool", O},
        {"hostIPC", "bool", O},
        {"shareProcessNamespace", "*bool", O},
        {"securityContext", "*PodSecurityContext", O},
        {"imagePullSecrets", "[]LocalObjectReference", O, "merge", "name", "map", "name"},
        {"hostname", "string", O},
        {"subdomain", "string", O},
        {"affinity", "*Affinity", O},
        {"schedulerName", "string", O},
        {"tolerations", "[]Toleration", O},
        {"hostAliases", "[]HostAlias", O, "merge", "ip", "map", "ip"},
        {"priorityClassName", "string", O},
        {"priority", "*int32", O},
        {"dnsConfig", "*PodDNSConfig", O},
        {"readinessGates", "[]PodReadinessGate", O},
        {"runtimeClassName", "*string", O},
        {"enableServiceLinks", "*bool", O},
        {"preemptionPolicy", "*string", O},
        {"overhead", "map[string]Quantity", O},
        {"topologySpreadConstraints", "[]TopologySpreadConstraint", O, "merge", "topologyKey", "map",
         "topologyKey,whenUnsatisfiable"}}},
      {"Container",
       {{"name", "string", A},
        {"image", "string", O},
        {"command", "[]string", O},
        {"args", "[]string", O},
        {"workingDir", "string", O},
        {"ports", "[]ContainerPort", O, "merge", "containerPort", "map", "containerPort,protocol"},
        {"envFrom", "[]EnvFromSource", O},
        {"env", "[]EnvVar", O, "merge", "name", "map", "name"},
        {"resources", "ResourceRequirements", O},
        {"volumeMounts", "[]VolumeMount", O, "merge", "mountPath", "map", "mountPath"},
        {"volumeDevices", "[]VolumeDevice", O, "merge", "devicePath", "map", "devicePath"},
        {"livenessProbe", "*Probe", O},
        {"readinessProbe", "*Probe", O},
        {"startupProbe", "*Probe", O},
        {"lifecycle", "*Lifecycle", O},
        {"terminationMessagePath", "string", O},
        {"terminationMessagePolicy", "string", O},
        {"imagePullPolicy", "string", O},
        {"securityContext", "*SecurityContext", O},
        {"stdin", "bool", O},
        {"stdinOnce", "bool", O},
        {"tty", "bool", O}}},
      {"ContainerPort",
       {{"name", "string", O}, {"hostPort", "int32", O}, {"containerPort", "int32", A}, {"protocol", "string", O},
        {"hostIP", "string", O}}},
      {"EnvFromSource",
       {{"prefix", "string", O}, {"configMapRef", "*ConfigMapEnvSource", O}, {"secretRef", "*SecretEnvSource", O}}},
      {"ConfigMapEnvSource", {{"", "LocalObjectReference", A}, {"optional", "*bool", O}}},
      {"SecretEnvSource", {{"", "LocalObjectReference", A}, {"optional", "*bool", O}}},
      {"EnvVar", {{"name", "string", A}, {"value", "string", O}, {"valueFrom", "*EnvVarSource", O}}},
      {"EnvVarSource",
       {{"fieldRef", "*ObjectFieldSelector", O}, {"resourceFieldRef", "*ResourceFieldSelector", O},
        {"configMapKeyRef", "*ConfigMapKeySelector", O}, {"secretKeyRef", "*SecretKeySelector", O}}},
      {"ObjectFieldSelector", {{"apiVersion", "string", O}, {"fieldPath", "string", A}}},
      {"ResourceFieldSelector", {{"containerName", "string", O}, {"resource", "string", A}, {"divisor", "Quantity", O}}},
      {"ConfigMapKeySelector", {{"", "LocalObjectReference", A}, {"key", "string", A}, {"optional", "*bool", O}}},
      {"SecretKeySelector", {{"", "LocalObjectReference", A}, {"key", "string", A}, {"optional", "*bool", O}}},
      {"ResourceRequirements", {{"limits", "map[string]Quantity", O}, {"requests", "map[string]Quantity", O}}},
      {"VolumeMount",
       {{"name", "string", A}, {"readOnly", "bool", O}, {"mountPath", "string", A}, {"subPath", "string", O},
        {"mountPropagation", "*string", O}, {"subPathExpr", "string", O}}},
      {"VolumeDevice", {{"name", "string", A}, {"devicePath", "string", A}}},
      {"Probe",
       {{"", "Handler", A}, {"initialDelaySeconds", "int32", O}, {"timeoutSeconds", "int32", O},
        {"periodSeconds", "int32", O}, {"successThreshold", "int32", O}, {"failureThreshold", "int32", O}}},
      {"Handler", {{"exec", "*ExecAction", O}, {"httpGet", "*HTTPGetAction", O}, {"tcpSocket", "*TCPSocketAction", O}}},
      {"ExecAction", {{"command", "[]string", O}}},
      {"HTTPGetAction",
       {{"path", "string", O}, {"port", "IntOrString", A}, {"host", "string", O}, {"scheme", "string", O},
        {"httpHeaders", "[]HTTPHeader", O}}},
      {"HTTPHeader", {{"name", "string", A}, {"value", "string", A}}},
      {"TCPSocketAction", {{"port", "IntOrString", A}, {"host", "string", O}}},
      {"Lifecycle", {{"postStart", "*Handler", O}, {"preStop", "*Handler", O}}},
      {"SecurityContext",
       {{"capabilities", "*Capabilities", O}, {"privileged", "*bool", O}, {"seLinuxOptions", "*SELinuxOptions", O},
        {"windowsOptions", "*WindowsSecurityContextOptions", O}, {"runAsUser", "*int64", O},
        {"runAsGroup", "*int64", O}, {"runAsNonRoot", "*bool", O}, {"readOnlyRootFilesystem", "*bool", O},
        {"allowPrivilegeEscalation", "*bool", O}, {"procMount", "*string", O}}},
      {"Capabilities", {{"add", "[]string", O}, {"drop", "[]string", O}}},
      {"SELinuxOptions", {{"user", "string", O}, {"role", "string", O}, {"type", "string", O}, {"level", "string", O}}},
      {"WindowsSecurityContextOptions",
       {{"gmsaCredentialSpecName", "*string", O}, {"gmsaCredentialSpec", "*string", O}, {"runAsUserName", "*string", O}}},
      {"PodSecurityContext",
       {{"seLinuxOptions", "*SELinuxOptions", O}, {"windowsOptions", "*WindowsSecurityContextOptions", O},
        {"runAsUser", "*int64", O}, {"runAsGroup", "*int64", O}, {"runAsNonRoot", "*bool", O},
        {"supplementalGroups", "[]int64", O}, {"fsGroup", "*int64", O}, {"sysctls", "[]Sysctl", O}}},
      {"Sysctl", {{"name", "string", A}, {"value", "string", A}}},
      {"Affinity",
       {{"nodeAffinity", "*NodeAffinity", O}, {"podAffinity", "*PodAffinity", O},
        {"podAntiAffinity", "*PodAffinity", O}}},
      {"NodeAffinity",
       {{"requiredDuringSchedulingIgnoredDuringExecution", "*NodeSelector", O},
        {"preferredDuringSchedulingIgnoredDuringExecution", "[]PreferredSchedulingTerm", O}}},
      {"NodeSelector", {{"nodeSelectorTerms", "[]NodeSelectorTerm", A}}},
      {"NodeSelectorTerm",
       {{"matchExpressions", "[]NodeSelectorRequirement", O}, {"matchFields", "[]NodeSelectorRequirement", O}}},
      {"NodeSelectorRequirement", {{"key", "string", A}, {"operator", "string", A}, {"values", "[]string", O}}},
      {"PreferredSchedulingTerm", {{"weight", "int32", A}, {"preference", "NodeSelectorTerm", A}}},
      // PodAntiAffinity has the same fields as PodAffinity.
      {"PodAffinity",
       {{"requiredDuringSchedulingIgnoredDuringExecution", "[]PodAffinityTerm", O},
        {"preferredDuringSchedulingIgnoredDuringExecution", "[]WeightedPodAffinityTerm", O}}},
      {"PodAffinityTerm",
       {{"labelSelector", "*LabelSelector", O}, {"namespaces", "[]string", O}, {"topologyKey", "string", A}}},
      {"WeightedPodAffinityTerm", {{"weight", "int32", A}, {"podAffinityTerm", "PodAffinityTerm", A}}},
      {"Toleration",
       {{"key", "string", O}, {"operator", "string", O}, {"value", "string", O}, {"effect", "string", O},
        {"tolerationSeconds", "*int64", O}}},
      {"PodDNSConfig", {{"nameservers", "[]string", O}, {"searches", "[]string", O}, {"options", "[]PodDNSConfigOption", O}}},
      {"PodDNSConfigOption", {{"name", "string", O}, {"value", "*string", O}}},
      {"HostAlias", {{"ip", "string", O}, {"hostnames", "[]string", O}}},
      {"PodReadinessGate", {{"conditionType", "string", A}}},
      {"TopologySpreadConstraint",
       {{"maxSkew", "int32", A}, {"topologyKey", "string", A}, {"whenUnsatisfiable", "string", A},
        {"labelSelector", "*LabelSelector", O}}},
      {"PodStatus",
       {{"phase", "string", O}, {"conditions", "[]Raw", O, "merge", "type"}, {"message", "string", O}, {"reason", "string", O},
        {"nominatedNodeName", "string", O}, {"hostIP", "string", O}, {"podIP", "string", O}, {"podIPs", "[]Raw", O, "merge", "ip"},
        {"startTime", "*Time", O}, {"initContainerStatuses", "[]Raw", O}, {"containerStatuses", "[]Raw", O},
        {"qosClass", "string", O}, {"ephemeralContainerStatuses", "[]Raw", O}}},

      // Volumes. The common sources are typed; the exotic ones pass through as given.
      {"Volume", {{"name", "string", A}, {"", "VolumeSource", A}}},
      {"VolumeSource",
       {{"hostPath", "*HostPathVolumeSource", O},
        {"emptyDir", "*EmptyDirVolumeSource", O},
        {"gcePersistentDisk", "*GCEPersistentDiskVolumeSource", O},
        {"awsElasticBlockStore", "*AWSElasticBlockStoreVolumeSource", O},
        {"gitRepo", "*GitRepoVolumeSource", O},
        {"secret", "*SecretVolumeSource", O},
        {"nfs", "*NFSVolumeSource", O},
        {"iscsi", "*Raw", O},
        {"glusterfs", "*Raw", O},
        {"persistentVolumeClaim", "*PersistentVolumeClaimVolumeSource", O},
        {"rbd", "*Raw", O},
        {"flexVolume", "*Raw", O},
        {"cinder", "*Raw", O},
        {"cephfs", "*Raw", O},
        {"flocker", "*Raw", O},
        {"downwardAPI", "*DownwardAPIVolumeSource", O},
        {"fc", "*Raw", O},
        {"azureFile", "*Raw", O},
        {"configMap", "*ConfigMapVolumeSource", O},
        {"vsphereVolume", "*Raw", O},
        {"quobyte", "*Raw", O},
        {"azureDisk", "*Raw", O},
        {"photonPersistentDisk", "*Raw", O},
        {"projected", "*ProjectedVolumeSource", O},
        {"portworxVolume", "*Raw", O},
        {"scaleIO", "*Raw", O},
        {"storageos", "*Raw", O},
        {"csi", "*CSIVolumeSource", O}}},
      {"HostPathVolumeSource", {{"path", "string", A}, {"type", "*string", O}}},
      {"EmptyDirVolumeSource", {{"medium", "string", O}, {"sizeLimit", "*Quantity", O}}},
      {"GCEPersistentDiskVolumeSource",
       {{"pdName", "string", A}, {"fsType", "string", O}, {"partition", "int32", O}, {"readOnly", "bool", O}}},
      {"AWSElasticBlockStoreVolumeSource",
       {{"volumeID", "string", A}, {"fsType", "string", O}, {"partition", "int32", O}, {"readOnly", "bool", O}}},
      {"GitRepoVolumeSource", {{"repository", "string", A}, {"revision", "string", O}, {"directory", "string", O}}},
      {"SecretVolumeSource",
       {{"secretName", "string", O}, {"items", "[]KeyToPath", O}, {"defaultMode", "*int32", O}, {"optional", "*bool", O}}},
      {"KeyToPath", {{"key", "string", A}, {"path", "string", A}, {"mode", "*int32", O}}},
      {"NFSVolumeSource", {{"server", "string", A}, {"path", "string", A}, {"readOnly", "bool", O}}},
      {"PersistentVolumeClaimVolumeSource", {{"claimName", "string", A}, {"readOnly", "bool", O}}},
      {"DownwardAPIVolumeSource", {{"items", "[]DownwardAPIVolumeFile", O}, {"defaultMode", "*int32", O}}},
      {"DownwardAPIVolumeFile",
       {{"path", "string", A}, {"fieldRef", "*ObjectFieldSelector", O}, {"resourceFieldRef", "*ResourceFieldSelector", O},
        {"mode", "*int32", O}}},
      {"ConfigMapVolumeSource",
       {{"", "LocalObjectReference", A}, {"items", "[]KeyToPath", O}, {"defaultMode", "*int32", O},
        {"optional", "*bool", O}}},
      {"ProjectedVolumeSource", {{"sources", "[]VolumeProjection", A}, {"defaultMode", "*int32", O}}},
      {"VolumeProjection",
       {{"secret", "*SecretProjection", O}, {"downwardAPI", "*DownwardAPIProjection", O},
        {"configMap", "*ConfigMapProjection", O}, {"serviceAccountToken", "*ServiceAccountTokenProjection", O}}},
      {"SecretProjection", {{"", "LocalObjectReference", A}, {"items", "[]KeyToPath", O}, {"optional", "*bool", O}}},
      {"ConfigMapProjection", {{"", "LocalObjectReference", A}, {"items", "[]KeyToPath", O}, {"optional", "*bool", O}}},
      {"DownwardAPIProjection", {{"items", "[]DownwardAPIVolumeFile", O}}},
      {"ServiceAccountTokenProjection",
       {{"audience", "string", O}, {"expirationSeconds", "*int64", O}, {"path", "string", A}}},
      {"CSIVolumeSource",
       {{"driver", "string", A}, {"readOnly", "*bool", O}, {"fsType", "*string", O},
        {"volumeAttributes", "map[string]string", O}, {"nodePublishSecretRef", "*LocalObjectReference", O}}},
      {"PersistentVolumeClaim",
       {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "PersistentVolumeClaimSpec", O},
        {"status", "PersistentVolumeClaimStatus", O}}},
      {"PersistentVolumeClaimSpec",
       {{"accessModes", "[]string", O}, {"selector", "*LabelSelector", O}, {"resources", "ResourceRequirements", O},
        {"volumeName", "string", O}, {"storageClassName", "*string", O}, {"volumeMode", "*string", O},
        {"dataSource", "*TypedLocalObjectReference", O}}},
      {"PersistentVolumeClaimStatus",
       {{"phase", "string", O}, {"accessModes", "[]string", O}, {"capacity", "map[string]Quantity", O},
        {"conditions", "[]Raw", O, "merge", "type"}}},

      // Workloads.
      {"Pod", {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "PodSpec", O}, {"status", "PodStatus", O}}},
      {"Deployment",
       {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "DeploymentSpec", O},
        {"status", "DeploymentStatus", O}}},
      {"DeploymentSpec",
       {{"replicas", "*int32", O}, {"selector", "*LabelSelector", A}, {"template", "PodTemplateSpec", A},
        {"strategy", "DeploymentStrategy", O, "retainKeys"}, {"minReadySeconds", "int32", O}, {"revisionHistoryLimit", "*int32", O},
        {"paused", "bool", O}, {"progressDeadlineSeconds", "*int32", O}}},
      {"DeploymentStrategy", {{"type", "string", O}, {"rollingUpdate", "*RollingUpdateDeployment", O}}},
      {"RollingUpdateDeployment", {{"maxUnavailable", "*IntOrString", O}, {"maxSurge", "*IntOrString", O}}},
      {"DeploymentStatus",
       {{"observedGeneration", "int64", O}, {"replicas", "int32", O}, {"updatedReplicas", "int32", O},
        {"readyReplicas", "int32", O}, {"availableReplicas", "int32", O}, {"unavailableReplicas", "int32", O},
        {"conditions", "[]Raw", O, "merge", "type"}, {"collisionCount", "*int32", O}}},
      {"DaemonSet",
       {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "DaemonSetSpec", O},
        {"status", "DaemonSetStatus", O}}},
      {"DaemonSetSpec",
       {{"selector", "*LabelSelector", A}, {"template", "PodTemplateSpec", A},
        {"updateStrategy", "DaemonSetUpdateStrategy", O}, {"minReadySeconds", "int32", O},
        {"revisionHistoryLimit", "*int32", O}}},
      {"DaemonSetUpdateStrategy", {{"type", "string", O}, {"rollingUpdate", "*RollingUpdateDaemonSet", O}}},
      {"RollingUpdateDaemonSet", {{"maxUnavailable", "*IntOrString", O}}},
      {"DaemonSetStatus",
       {{"currentNumberScheduled", "int32", A}, {"numberMisscheduled", "int32", A},
        {"desiredNumberScheduled", "int32", A}, {"numberReady", "int32", A}, {"observedGeneration", "int64", O},
        {"updatedNumberScheduled", "int32", O}, {"numberAvailable", "int32", O}, {"numberUnavailable", "int32", O},
        {"collisionCount", "*int32", O}, {"conditions", "[]Raw", O, "merge", "type"}}},
      {"ReplicaSet",
       {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "ReplicaSetSpec", O},
        {"status", "ReplicaSetStatus", O}}},
      {"ReplicaSetSpec",
       {{"replicas", "*int32", O}, {"minReadySeconds", "int32", O}, {"selector", "*LabelSelector", A},
        {"template", "PodTemplateSpec", O}}},
      {"ReplicaSetStatus",
       {{"replicas", "int32", A}, {"fullyLabeledReplicas", "int32", O}, {"readyReplicas", "int32", O},
        {"availableReplicas", "int32", O}, {"observedGeneration", "int64", O}, {"conditions", "[]Raw", O, "merge", "type"}}},
      {"StatefulSet",
       {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "StatefulSetSpec", O},
        {"status", "StatefulSetStatus", O}}},
      {"StatefulSetSpec",
       {{"replicas", "*int32", O}, {"selector", "*LabelSelector", A}, {"template", "PodTemplateSpec", A},
        {"volumeClaimTemplates", "[]PersistentVolumeClaim", O}, {"serviceName", "string", A},
        {"podManagementPolicy", "string", O}, {"updateStrategy", "StatefulSetUpdateStrategy", O},
        {"revisionHistoryLimit", "*int32", O}}},
      {"StatefulSetUpdateStrategy", {{"type", "string", O}, {"rollingUpdate", "*RollingUpdateStatefulSetStrategy", O}}},
      {"RollingUpdateStatefulSetStrategy", {{"partition", "*int32", O}}},
      {"StatefulSetStatus",
       {{"observedGeneration", "int64", O}, {"replicas", "int32", A}, {"readyReplicas", "int32", O},
        {"currentReplicas", "int32", O}, {"updatedReplicas", "int32", O}, {"currentRevision", "string", O},
        {"updateRevision", "string", O}, {"collisionCount", "*int32", O}, {"conditions", "[]Raw", O, "merge", "type"}}},
      {"ReplicationController",
       {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "ReplicationControllerSpec", O},
        {"status", "ReplicationControllerStatus", O}}},
      {"ReplicationControllerSpec",
       {{"replicas", "*int32", O}, {"minReadySeconds", "int32", O}, {"selector", "map[string]string", O},
        {"template", "*PodTemplateSpec", O}}},
      {"ReplicationControllerStatus",
       {{"replicas", "int32", A}, {"fullyLabeledReplicas", "int32", O}, {"readyReplicas", "int32", O},
        {"availableReplicas", "int32", O}, {"observedGeneration", "int64", O}, {"conditions", "[]Raw", O, "merge", "type"}}},
      {"Job", {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "JobSpec", O}, {"status", "JobStatus", O}}},
      {"JobSpec",
       {{"parallelism", "*int32", O}, {"completions", "*int32", O}, {"activeDeadlineSeconds", "*int64", O},
        {"backoffLimit", "*int32", O}, {"selector", "*LabelSelector", O}, {"manualSelector", "*bool", O},
        {"template", "PodTemplateSpec", A}, {"ttlSecondsAfterFinished", "*int32", O}}},
      {"JobStatus",
       {{"conditions", "[]Raw", O, "merge", "type"}, {"startTime", "*Time", O}, {"completionTime", "*Time", O},
        {"active", "int32", O}, {"succeeded", "int32", O}, {"failed", "int32", O}}},
      {"CronJob",
       {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "CronJobSpec", O},
        {"status", "CronJobStatus", O}}},
      {"CronJobSpec",
       {{"schedule", "string", A}, {"startingDeadlineSeconds", "*int64", O}, {"concurrencyPolicy", "string", O},
        {"suspend", "*bool", O}, {"jobTemplate", "JobTemplateSpec", A}, {"successfulJobsHistoryLimit", "*int32", O},
        {"failedJobsHistoryLimit", "*int32", O}}},
      {"JobTemplateSpec", {{"metadata", "ObjectMeta", O}, {"spec", "JobSpec", O}}},
      {"CronJobStatus", {{"active", "[]ObjectReference", O}, {"lastScheduleTime", "*Time", O}}},
      {"DeploymentConfig",
       {{"", "TypeMeta", A}, {"metadata", "ObjectMeta", O}, {"spec", "DeploymentConfigSpec", A},
        {"status", "DeploymentConfigStatus", A}}},
      {"DeploymentConfigSpec",
       {{"strategy", "DeploymentConfigStrategy", A}, {"minReadySeconds", "int32", O},
        {"triggers", "[]DeploymentTriggerPolicy", A}, {"replicas", "int32", A}, {"revisionHistoryLimit", "*int32", O},
        {"test", "bool", A}, {"paused", "bool", O}, {"selector", "map[string]string", O},
        {"template", "*PodTemplateSpec", O}}},
      {"DeploymentConfigStrategy",
       {{"type", "string", O}, {"customParams", "*Raw", O}, {"recreateParams", "*Raw", O},
        {"rollingParams", "*Raw", O}, {"resources", "ResourceRequirements", O},
        {"labels", "map[string]string", O}, {"annotations", "map[string]string", O},
        {"activeDeadlineSeconds", "*int64", O}}},
      {"DeploymentTriggerPolicy", {{"type", "string", O}, {"imageChangeParams", "*DeploymentTriggerImageChangeParams", O}}},
      {"DeploymentTriggerImageChangeParams",
       {{"automatic", "bool", O}, {"containerNames", "[]string", O}, {"from", "ObjectReference", A},
        {"lastTriggeredImage", "string", O}}},
      {"DeploymentConfigStatus",
       {{"latestVersion", "int64", A}, {"observedGeneration", "int64", A}, {"replicas", "int32", A},
        {"updatedReplicas", "int32", A}, {"availableReplicas", "int32", A}, {"unavailableReplicas", "int32", A},
        {"details", "*Raw", O}, {"conditions", "[]Raw", O, "merge", "type"}, {"readyReplicas", "int32", O}}},
      {"List", {{"", "TypeMeta", A}, {"metadata", "ListMeta", O}, {"items", "[]Raw", A}}},
  };
  return table;
}

using RawIndex = std::map<std::string_view, const StructDef*>;

// Go field names differ from the capitalised JSON name only for acronyms.
std::string_view goFieldName(std::string_view jsonName, std::deque<std::string>& storage) {
  static const std::map<std::string_view, std::string_view> kAcronyms = {
      {"apiVersion", "APIVersion"},
      {"awsElasticBlockStore", "AWSElasticBlockStore"},
      {"cephfs", "CephFS"},
      {"csi", "CSI"},
      {"dnsConfig", "DNSConfig"},
      {"dnsPolicy", "DNSPolicy"},
      {"fc", "FC"},
      {"fsGroup", "FSGroup"},
      {"fsGroupChangePolicy", "FSGroupChangePolicy"},
      {"gcePersistentDisk", "GCEPersistentDisk"},
      {"gmsaCredentialSpec", "GMSACredentialSpec"},
      {"gmsaCredentialSpecName", "GMSACredentialSpecName"},
      {"grpc", "GRPC"},
      {"hostIP", "HostIP"},
      {"hostIPC", "HostIPC"},
      {"hostIPs", "HostIPs"},
      {"hostPID", "HostPID"},
      {"httpGet", "HTTPGet"},
      {"httpHeaders", "HTTPHeaders"},
      {"ip", "IP"},
      {"iscsi", "ISCSI"},
      {"nfs", "NFS"},
      {"os", "OS"},
      {"podIP", "PodIP"},
      {"podIPs", "PodIPs"},
      {"qosClass", "QOSClass"},
      {"rbd", "RBD"},
      {"seLinuxChangePolicy", "SELinuxChangePolicy"},
      {"seLinuxOptions", "SELinuxOptions"},
      {"serviceAccount", "DeprecatedServiceAccount"},
      {"setHostnameAsFQDN", "SetHostnameAsFQDN"},
      {"storageos", "StorageOS"},
      {"tcpSocket", "TCPSocket"},
      {"ttlSecondsAfterFinished", "TTLSecondsAfterFinished"},
      {"tty", "TTY"},
      {"uid", "UID"},
      {"volumeID", "VolumeID"},
  };
  auto it = kAcronyms.find(jsonName);
  if (it != kAcronyms.end()) {
    return it->second;
  }
  std::string name(jsonName);
  if (!name.empty() && name[0] >= 'a' && name[0] <= 'z') {
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
  }
  return storage.emplace_back(std::move(name));
}

const RawIndex& baseIndex() {
  static const RawIndex index = [] {
    RawIndex out;
    for (const auto& def : rawTable()) {
      out[def.name] = &def;
    }
    return out;
  }();
  return index;
}

// An inlined "T@1.16" is the 1.16 table's T: a later era that only appends fields to a struct
// inlines its 1.16 definition instead of repeating it.
constexpr std::string_view kBaseSuffix = "@1.16";

void flatten(const RawIndex& raw, const StructDef& def, std::vector<FieldDef>& out,
             std::deque<std::string>& storage) {
  for (const auto& f : def.fields) {
    if (f.name.empty()) {
      const bool base = f.type.ends_with(kBaseSuffix);
      const RawIndex& index = base ? baseIndex() : raw;
      auto it = index.find(base ? f.type.substr(0, f.type.size() - kBaseSuffix.size()) : f.type);
      if (it != index.end()) {
        flatten(index, *it->second, out, storage);
      }
    } else {
      out.push_back(f);
      out.back().goName = goFieldName(f.name, storage);
    }
  }
}

struct Registry {
  std::deque<std::string> names;  // storage of the Go field names
  std::map<std::string_view, StructDef> structs;
};

Registry buildRegistry(SchemaVersion version) {
  RawIndex raw = baseIndex();
  if (version == SchemaVersion::Kubernetes135) {
    for (const auto& def : detail::kubernetes135Overrides()) {
      raw[def.name] = &def;
    }
  }
  Registry reg;
  for (const auto& [name, def] : raw) {
    StructDef flat{name, {}};
    flatten(raw, *def, flat.fields, reg.names);
    reg.structs.emplace(name, std::move(flat));
  }
  return reg;
}

const Registry& registry(SchemaVersion version) {
  static const Registry k116 = buildRegistry(SchemaVersion::Kubernetes116);
  static const Registry k135 = buildRegistry(SchemaVersion::Kubernetes135);
  return version == SchemaVersion::Kubernetes135 ? k135 : k116;
}

bool asciiEqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

const StructDef* findStruct(std::string_view name, SchemaVersion version) {
  const size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    name = name.substr(dot + 1);
  }
  const auto& structs = registry(version).structs;
  auto it = structs.find(name);
  return it == structs.end() ? nullptr : &it->second;
}

const FieldDef* findField(const StructDef& def, std::string_view jsonName) {
  for (const auto& f : def.fields) {
    if (f.name == jsonName) {
      return &f;
    }
  }
  for (const auto& f : def.fields) {
    if (asciiEqualFold(f.name, jsonName)) {
      return &f;
    }
  }
  return nullptr;
}

std::string_view elementType(std::string_view type) {
  for (;;) {
    if (type.substr(0, 1) == "*") {
      type.remove_prefix(1);
    } else if (type.substr(0, 2) == "[]") {
      type.remove_prefix(2);
    } else if (type.substr(0, 11) == "map[string]") {
      type.remove_prefix(11);
    } else {
      return type;
    }
  }
}

}  // namespace sidecar::kube
