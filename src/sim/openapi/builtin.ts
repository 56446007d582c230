// Schemas of the built-in kinds the simulator serves (Deployment, Service, Namespace, autoscaling/v1 Scale) and
// of ObjectMeta, written here in OpenAPI v3 form for the /openapi documents (kubectl explain, field validation
// discovery). They name the fields the simulator models and smo writes, with Kubernetes' descriptions in short;
// the deep parts of a pod spec are open (x-kubernetes-preserve-unknown-fields) rather than copied in full.
// They document; they are not enforced at write time (the per-kind checks in kinds.ts are).

export const REF_PREFIX = "#/components/schemas/";
export const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
export const LABEL_SELECTOR = "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector";

/** An OpenAPI v3 schema as JSON: structural keywords plus $ref, format and x- extensions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OpenApiSchema = Record<string, any>;

const str = (description: string): OpenApiSchema => ({ type: "string", description });
const int = (description: string): OpenApiSchema => ({ type: "integer", format: "int32", description });
const map = (description: string): OpenApiSchema => ({ type: "object", additionalProperties: { type: "string" }, description });
const ref = (name: string, description?: string): OpenApiSchema =>
  description ? ({ allOf: [{ $ref: REF_PREFIX + name }], description } as OpenApiSchema) : ({ $ref: REF_PREFIX + name } as OpenApiSchema);
const obj = (description: string, properties: Record<string, OpenApiSchema>, extra: Partial<OpenApiSchema> = {}): OpenApiSchema => ({
  type: "object",
  description,
  properties,
  ...extra,
});
const quantities = (d: string): OpenApiSchema => ({ type: "object", additionalProperties: { "x-kubernetes-int-or-string": true } as OpenApiSchema, description: d });

const typeMeta = {
  apiVersion: str("APIVersion defines the versioned schema of this representation of an object."),
  kind: str("Kind is a string value representing the REST resource this object represents."),
};

function gvk(group: string, version: string, kind: string): Record<string, unknown> {
  return { "x-kubernetes-group-version-kind": [{ group, version, kind }] };
}

const managedFieldsEntry: OpenApiSchema = obj("ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.", {
  manager: str("Manager is an identifier of the workflow managing these fields."),
  operation: str("Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'."),
  apiVersion: str("APIVersion defines the version of this resource that this field set applies to."),
  time: { type: "string", format: "date-time", description: "Time is the timestamp of when the ManagedFields entry was added." },
  fieldsType: str("FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: \"FieldsV1\""),
  fieldsV1: { type: "object", description: "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type.", "x-kubernetes-preserve-unknown-fields": true },
  subresource: str("Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource."),
});

export const OBJECT_META_SCHEMA: OpenApiSchema = obj("ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.", {
  name: str("Name must be unique within a namespace. Cannot be updated."),
  generateName: str("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
  namespace: str("Namespace defines the space within which each name must be unique. Cannot be updated."),
  uid: str("UID is the unique in time and space value for this object. Populated by the system. Read-only."),
  resourceVersion: str("An opaque value that represents the internal version of this object, used for optimistic concurrency. Read-only."),
  generation: { type: "integer", format: "int64", description: "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only." },
  creationTimestamp: { type: "string", format: "date-time", description: "CreationTimestamp is a timestamp representing the server time when this object was created." },
  deletionTimestamp: { type: "string", format: "date-time", description: "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted." },
  labels: map("Map of string keys and values that can be used to organize and categorize (scope and select) objects."),
  annotations: map("Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata."),
  finalizers: { type: "array", items: { type: "string" }, description: "Must be empty before the object is deleted from the registry.", "x-kubernetes-list-type": "set" },
  ownerReferences: {
    type: "array",
    description: "List of objects depended by this object.",
    items: obj("OwnerReference contains enough information to let you identify an owning object.", {
      apiVersion: str("API version of the referent."),
      kind: str("Kind of the referent."),
      name: str("Name of the referent."),
      uid: str("UID of the referent."),
      controller: { type: "boolean", description: "If true, this reference points to the managing controller." },
      blockOwnerDeletion: { type: "boolean", description: "If true, the owner cannot be deleted from the key-value store until this reference is removed." },
    }, { required: ["apiVersion", "kind", "name", "uid"] }),
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["uid"],
  },
  managedFields: { type: "array", items: managedFieldsEntry, description: "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow." },
});

const LABEL_SELECTOR_SCHEMA: OpenApiSchema = obj("A label selector is a label query over a set of resources.", {
  matchLabels: map("matchLabels is a map of {key,value} pairs."),
  matchExpressions: {
    type: "array",
    description: "matchExpressions is a list of label selector requirements. The requirements are ANDed.",
    items: obj("A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.", {
      key: str("key is the label key that the selector applies to."),
      operator: str("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."),
      values: { type: "array", items: { type: "string" }, description: "values is an array of string values." },
    }, { required: ["key", "operator"] }),
  },
}, { "x-kubernetes-map-type": "atomic" });

const container: OpenApiSchema = obj("A single application container that you want to run within a pod.", {
  name: str("Name of the container specified as a DNS_LABEL. Cannot be updated."),
  image: str("Container image name."),
  imagePullPolicy: str("Image pull policy. One of Always, Never, IfNotPresent."),
  command: { type: "array", items: { type: "string" }, description: "Entrypoint array." },
  args: { type: "array", items: { type: "string" }, description: "Arguments to the entrypoint." },
  env: {
    type: "array",
    description: "List of environment variables to set in the container.",
    items: obj("EnvVar represents an environment variable present in a Container.", { name: str("Name of the environment variable."), value: str("Variable references $(VAR_NAME) are expanded.") }, { required: ["name"], "x-kubernetes-preserve-unknown-fields": true }),
    "x-kubernetes-patch-merge-key": "name",
    "x-kubernetes-patch-strategy": "merge",
  },
  ports: {
    type: "array",
    description: "List of ports to expose from the container.",
    items: obj("ContainerPort represents a network port in a single container.", {
      name: str("If specified, this must be an IANA_SVC_NAME and unique within the pod."),
      containerPort: int("Number of port to expose on the pod's IP address."),
      protocol: str("Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\"."),
    }, { required: ["containerPort"] }),
    // Keyed by containerPort alone (Kubernetes adds protocol): an apply that leaves protocol to its default
    // still matches the live port.
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["containerPort"],
  },
  resources: obj("Compute Resources required by this container.", {
    requests: quantities("Requests describes the minimum amount of compute resources required."),
    limits: quantities("Limits describes the maximum amount of compute resources allowed."),
  }),
}, { required: ["name"], "x-kubernetes-preserve-unknown-fields": true });

const podTemplate: OpenApiSchema = obj("PodTemplateSpec describes the data a pod should have when created from a template.", {
  metadata: ref(OBJECT_META, "Standard object's metadata."),
  spec: obj("Specification of the desired behavior of the pod.", {
    containers: { type: "array", items: container, description: "List of containers belonging to the pod.", "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge" },
    nodeSelector: map("NodeSelector is a selector which must be true for the pod to fit on a node."),
    restartPolicy: str("Restart policy for all containers within the pod."),
    terminationGracePeriodSeconds: { type: "integer", format: "int64", description: "Optional duration in seconds the pod needs to terminate gracefully." },
  }, { required: ["containers"], "x-kubernetes-preserve-unknown-fields": true }),
});

const deploymentSpec = obj("DeploymentSpec is the specification of the desired behavior of the Deployment.", {
  replicas: int("Number of desired pods. Defaults to 1. Written through the scale subresource by autoscalers."),
  selector: ref(LABEL_SELECTOR, "Label selector for pods. It must match the pod template's labels."),
  template: podTemplate,
  strategy: obj("The deployment strategy to use to replace existing pods with new ones.", {
    type: str("Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is RollingUpdate."),
    rollingUpdate: obj("Rolling update config params.", {
      maxUnavailable: { "x-kubernetes-int-or-string": true, description: "The maximum number of pods that can be unavailable during the update." } as OpenApiSchema,
      maxSurge: { "x-kubernetes-int-or-string": true, description: "The maximum number of pods that can be scheduled above the desired number of pods." } as OpenApiSchema,
    }),
  }),
  minReadySeconds: int("Minimum number of seconds for which a newly created pod should be ready."),
  revisionHistoryLimit: int("The number of old ReplicaSets to retain to allow rollback."),
  paused: { type: "boolean", description: "Indicates that the deployment is paused." },
  progressDeadlineSeconds: int("The maximum time in seconds for a deployment to make progress before it is considered to be failed."),
}, { required: ["selector", "template"] });

const deploymentStatus = obj("The most recently observed status of the Deployment.", {
  observedGeneration: { type: "integer", format: "int64", description: "The generation observed by the deployment controller." },
  replicas: int("Total number of non-terminated pods targeted by this deployment."),
  updatedReplicas: int("Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
  readyReplicas: int("Total number of non-terminated pods targeted by this Deployment with a Ready Condition."),
  availableReplicas: int("Total number of available non-terminated pods targeted by this deployment."),
  unavailableReplicas: int("Total number of unavailable pods targeted by this deployment."),
  conditions: { type: "array", items: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, description: "Represents the latest available observations of a deployment's current state." },
});

const servicePort = obj("ServicePort contains information on service's port.", {
  name: str("The name of this port within the service."),
  protocol: str("The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\". Default is TCP."),
  port: int("The port that will be exposed by this service."),
  targetPort: { "x-kubernetes-int-or-string": true, description: "Number or name of the port to access on the pods targeted by the service." } as OpenApiSchema,
  nodePort: int("The port on each node on which this service is exposed when type is NodePort or LoadBalancer."),
}, { required: ["port"] });

const serviceSpec = obj("ServiceSpec describes the attributes that a user creates on a service.", {
  type: str("type determines how the Service is exposed. Defaults to ClusterIP."),
  selector: map("Route service traffic to pods with label keys and values matching this selector."),
  ports: { type: "array", items: servicePort, description: "The list of ports that are exposed by this service.", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port"] },
  clusterIP: str("clusterIP is the IP address of the service, usually assigned randomly by the control plane."),
  clusterIPs: { type: "array", items: { type: "string" }, description: "ClusterIPs is a list of IP addresses assigned to this service.", "x-kubernetes-list-type": "atomic" },
  sessionAffinity: str("Supports \"ClientIP\" and \"None\"."),
}, { "x-kubernetes-preserve-unknown-fields": true });

function kind(group: string, version: string, k: string, description: string, props: Record<string, OpenApiSchema>): OpenApiSchema {
  return { ...obj(description, { ...typeMeta, metadata: ref(OBJECT_META, "Standard object's metadata."), ...props }), ...gvk(group, version, k) };
}

/** Component name → schema, for the built-in kinds and the shared meta types. */
export const BUILTIN_COMPONENTS: Record<string, OpenApiSchema> = {
  [OBJECT_META]: OBJECT_META_SCHEMA,
  [LABEL_SELECTOR]: LABEL_SELECTOR_SCHEMA,
  "io.k8s.api.apps.v1.Deployment": kind("apps", "v1", "Deployment", "Deployment enables declarative updates for Pods and ReplicaSets.", {
    spec: deploymentSpec,
    status: deploymentStatus,
  }),
  "io.k8s.api.core.v1.Service": kind("", "v1", "Service", "Service is a named abstraction of software service consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.", {
    spec: serviceSpec,
    status: { type: "object", description: "Most recently observed status of the service.", "x-kubernetes-preserve-unknown-fields": true },
  }),
  "io.k8s.api.core.v1.Namespace": kind("", "v1", "Namespace", "Namespace provides a scope for Names.", {
    spec: obj("NamespaceSpec describes the attributes on a Namespace.", { finalizers: { type: "array", items: { type: "string" }, description: "Finalizers is an opaque list of values that must be empty to permanently remove object from storage." } }),
    status: obj("NamespaceStatus is information about the current status of a Namespace.", { phase: str("Phase is the current lifecycle phase of the namespace.") }),
  }),
  "io.k8s.api.autoscaling.v1.Scale": kind("autoscaling", "v1", "Scale", "Scale represents a scaling request for a resource.", {
    spec: obj("ScaleSpec describes the attributes of a scale subresource.", { replicas: int("replicas is the desired number of instances for the scaled object.") }),
    status: obj("ScaleStatus represents the current status of a scale subresource.", {
      replicas: int("replicas is the actual number of observed instances of the scaled object."),
      selector: str("selector is the label query over pods that should match the replicas count."),
    }, { required: ["replicas"] }),
  }),
};

/** Component names of built-in kinds, by "group/version/Kind". */
export const BUILTIN_KINDS: Record<string, string> = {
  "apps/v1/Deployment": "io.k8s.api.apps.v1.Deployment",
  "/v1/Service": "io.k8s.api.core.v1.Service",
  "/v1/Namespace": "io.k8s.api.core.v1.Namespace",
  "autoscaling/v1/Scale": "io.k8s.api.autoscaling.v1.Scale",
};
