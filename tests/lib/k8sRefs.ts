// Cross-object checks of one rendered overlay: what a real cluster resolves between objects, by namespace and name
// or by label selector, and what no schema can see because each object is valid on its own (issue 25: the
// production overlay's HPA and nginx PDB rendered with no namespace, so the HPA landed in `default` and pointed
// at a `default/api` that does not exist). Pure functions from objects to problems (empty = fine), so
// tests/k8s/30-references.test.ts can plant one mistake in a copy and see it reported.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, type K8sObject } from './k8s.js';

// ---- shapes (only what the checks read) --------------------------------------------------------------------------

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
interface KeyRef {
  name?: string;
  optional?: boolean;
}
interface Container {
  name: string;
  env?: Array<{ name: string; valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef } }>;
  envFrom?: Array<{ configMapRef?: KeyRef; secretRef?: KeyRef }>;
}
interface ProjectedSource {
  configMap?: KeyRef;
  secret?: KeyRef;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  imagePullSecrets?: Array<{ name: string }>;
  volumes?: Array<{ name: string; configMap?: KeyRef; secret?: { secretName?: string; optional?: boolean }; projected?: { sources: ProjectedSource[] } }>;
}
interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}

/** A pod that an object of the render will create: where, with which labels and spec, and who owns it. */
export interface PodTemplate {
  owner: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  spec: PodSpec;
}

const id = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;
const where = (namespace: string | undefined): string => namespace ?? '(no namespace: the current context\'s, usually default)';

// Kinds the API server keeps outside every namespace. Any other kind counts as namespaced, so a kind missing
// here makes the namespace check fail loudly rather than pass quietly.
// https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#not-all-objects-are-in-a-namespace
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'IngressClass', 'PriorityClass', 'RuntimeClass',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
]);

// The kinds an HPA can scale (they have a scale subresource), with the apiVersion they are served at.
const SCALABLE: Record<string, string> = { Deployment: 'apps/v1', StatefulSet: 'apps/v1', ReplicaSet: 'apps/v1' };

/** Every pod template of the render: workloads' spec.template, CronJobs' job template, bare Pods. */
export function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const o of objects) {
    const spec = o.spec as { template?: PodTemplateSpec; jobTemplate?: { spec: { template: PodTemplateSpec } } } | undefined;
    let template: PodTemplateSpec | undefined;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind)) template = spec?.template;
    else if (o.kind === 'CronJob') template = spec?.jobTemplate?.spec.template;
    else if (o.kind === 'Pod') template = { metadata: o.metadata, spec: o.spec as PodSpec };
    if (template) templates.push({ owner: id(o), namespace: o.metadata.namespace, labels: template.metadata?.labels ?? {}, spec: template.spec });
  }
  return templates;
}

/**
 * Whether a LabelSelector selects these labels, as the API server evaluates it: every matchLabels pair and every
 * matchExpressions requirement must hold. An empty selector selects everything.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
 */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]!);
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]!);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false; // an operator the API server would reject: select nothing, so it is reported
    }
  });
  return byLabels && byExpressions;
}

const isEmpty = (selector: LabelSelector | undefined): boolean =>
  Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;

/** Pod templates in `namespace` that `selector` selects. */
function selected(objects: readonly K8sObject[], namespace: string | undefined, selector: LabelSelector): PodTemplate[] {
  return podTemplates(objects).filter((t) => t.namespace === namespace && selects(selector, t.labels));
}

// ---- 1. one namespace --------------------------------------------------------------------------------------------

/**
 * Every namespaced object is in the namespace the render creates (its one Namespace object). An object with no
 * namespace lands in whatever namespace kubectl's context points at, usually `default`, apart from everything
 * it refers to.
 */
export function checkNamespaces(objects: readonly K8sObject[]): string[] {
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  if (namespaces.length !== 1) return [`the render creates ${namespaces.length} namespaces (${namespaces.join(', ') || 'none'}), expected exactly one`];
  const [ns] = namespaces;
  return objects
    .filter((o) => !CLUSTER_SCOPED.has(o.kind) && o.metadata.namespace !== ns)
    .map((o) => `${id(o)}: in namespace ${where(o.metadata.namespace)}, not ${ns} with the rest of the render`);
}

// ---- 2. what HPAs and PDBs act on --------------------------------------------------------------------------------

/**
 * Every HPA's scaleTargetRef is a scalable object of the render in the HPA's own namespace, and that object has no
 * `replicas` of its own (each apply would reset the HPA's count). Every PDB's selector selects pods of the render
 * in the PDB's namespace. The API server accepts both when nothing matches; they then protect or scale nothing.
 */
export function checkScaleAndDisruptionTargets(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = (hpa.spec as { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string } }).scaleTargetRef ?? {};
    const ns = hpa.metadata.namespace;
    const target = objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === ns);
    if (!target) {
      const elsewhere = objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name);
      problems.push(`${id(hpa)}: scales ${ref.kind}/${ref.name} in ${where(ns)}, which the render does not have` +
        (elsewhere ? ` (it has one in ${where(elsewhere.metadata.namespace)})` : ''));
      continue;
    }
    if (SCALABLE[target.kind] === undefined) problems.push(`${id(hpa)}: ${id(target)} cannot be scaled (no scale subresource)`);
    else if (ref.apiVersion !== SCALABLE[target.kind]) problems.push(`${id(hpa)}: scaleTargetRef apiVersion ${ref.apiVersion}, but ${id(target)} is ${SCALABLE[target.kind]}`);
    const replicas = (target.spec as { replicas?: number } | undefined)?.replicas;
    if (replicas !== undefined) problems.push(`${id(hpa)}: ${id(target)} sets replicas: ${replicas}, so every apply resets the count the HPA chose`);
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const selector = (pdb.spec as { selector?: LabelSelector }).selector ?? {};
    if (selected(objects, pdb.metadata.namespace, selector).length === 0) {
      problems.push(`${id(pdb)}: selector ${JSON.stringify(selector)} selects no pod of the render in ${where(pdb.metadata.namespace)}`);
    }
  }
  return problems;
}

// ---- 3. Services -------------------------------------------------------------------------------------------------

/** Every Service with a selector selects a pod template of the render in its own namespace (else: no endpoints). */
export function checkServiceSelectors(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = svc.spec as { selector?: Record<string, string>; type?: string };
    // No selector (endpoints managed by hand) or ExternalName: the Service picks no pods on purpose.
    if (spec.type === 'ExternalName' || Object.keys(spec.selector ?? {}).length === 0) continue;
    if (selected(objects, svc.metadata.namespace, { matchLabels: spec.selector }).length === 0) {
      problems.push(`${id(svc)}: selector ${JSON.stringify(spec.selector)} selects no pod of the render in ${where(svc.metadata.namespace)}`);
    }
  }
  return problems;
}

// ---- 4. NetworkPolicies ------------------------------------------------------------------------------------------

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}

/**
 * Every NetworkPolicy's podSelector, and every peer podSelector of its rules that stays in the policy's
 * namespace, selects a pod template of the render there. An empty podSelector means every pod, on purpose
 * (default deny). A policy that selects nothing protects nothing, and a peer that selects nothing lets nothing in.
 */
export function checkNetworkPolicySelectors(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const p of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const spec = p.spec as { podSelector?: LabelSelector; ingress?: Array<{ from?: PolicyPeer[] }>; egress?: Array<{ to?: PolicyPeer[] }> };
    const ns = p.metadata.namespace;
    if (!isEmpty(spec.podSelector) && selected(objects, ns, spec.podSelector!).length === 0) {
      problems.push(`${id(p)}: podSelector ${JSON.stringify(spec.podSelector)} selects no pod of the render in ${where(ns)}`);
    }
    const peers = [...(spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(spec.egress ?? []).flatMap((r) => r.to ?? [])];
    for (const peer of peers) {
      // A namespaceSelector points at other namespaces, whose pods are not in this render.
      if (!peer.podSelector || peer.namespaceSelector || isEmpty(peer.podSelector)) continue;
      if (selected(objects, ns, peer.podSelector).length === 0) problems.push(`${id(p)}: peer podSelector ${JSON.stringify(peer.podSelector)} selects no pod of the render in ${where(ns)}`);
    }
  }
  return problems;
}

// ---- 5. ConfigMaps and Secrets -----------------------------------------------------------------------------------

/** A ConfigMap or Secret, in a namespace. */
export interface ObjectRef {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  namespace: string | undefined;
}

/**
 * The ConfigMaps and Secrets that `make k8s-secrets` (run by `make k8s-up`, and by the kind job before it applies
 * the production overlay) creates outside the manifests, read from that recipe's `kubectl create` lines: the
 * Makefile is the one list. `-n $(VAR)` is resolved from the Makefile's assignment of VAR.
 */
export function createdByMake(makefile = readFileSync(path.join(repoRoot, 'Makefile'), 'utf8'), target = 'k8s-secrets'): ObjectRef[] {
  const lines = makefile.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${target}:`));
  if (start < 0) throw new Error(`Makefile: no target ${target}`);
  const recipe: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('\t')) break;
    recipe.push(line);
  }
  const variable = (name: string): string | undefined => new RegExp(`^${name}\\s*[:?]?=\\s*(\\S+)\\s*$`, 'm').exec(makefile)?.[1];
  const refs: ObjectRef[] = [];
  for (const line of recipe.join('\n').replace(/\\\n/g, ' ').split('\n')) {
    const created = /\bcreate\s+(?:(secret)\s+(?:generic|tls|docker-registry)|(configmap))\s+([a-z0-9][a-z0-9.-]*)/.exec(line);
    if (!created) continue;
    const ns = /\s(?:-n|--namespace)[\s=](\S+)/.exec(line)?.[1];
    const resolved = ns?.replace(/^\$\((\w+)\)$/, (_m, name: string) => variable(name) ?? `$(${name})`);
    refs.push({ kind: created[1] ? 'Secret' : 'ConfigMap', name: created[3]!, namespace: resolved });
  }
  return refs;
}

/** Every ConfigMap and Secret a pod template names (volumes, projected volumes, env, envFrom, imagePullSecrets). */
export function podReferences(t: PodTemplate): Array<ObjectRef & { via: string }> {
  const refs: Array<ObjectRef & { via: string }> = [];
  // optional: true means the pod starts without it: not a missing object.
  const add = (kind: ObjectRef['kind'], ref: KeyRef | undefined, via: string): void => {
    if (ref?.name && !ref.optional) refs.push({ kind, name: ref.name, namespace: t.namespace, via });
  };
  for (const v of t.spec.volumes ?? []) {
    add('ConfigMap', v.configMap, `volume ${v.name}`);
    add('Secret', v.secret && { name: v.secret.secretName, optional: v.secret.optional }, `volume ${v.name}`);
    for (const s of v.projected?.sources ?? []) {
      add('ConfigMap', s.configMap, `volume ${v.name}`);
      add('Secret', s.secret, `volume ${v.name}`);
    }
  }
  for (const c of [...t.spec.containers, ...(t.spec.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      add('ConfigMap', e.valueFrom?.configMapKeyRef, `${c.name} env ${e.name}`);
      add('Secret', e.valueFrom?.secretKeyRef, `${c.name} env ${e.name}`);
    }
    for (const e of c.envFrom ?? []) {
      add('ConfigMap', e.configMapRef, `${c.name} envFrom`);
      add('Secret', e.secretRef, `${c.name} envFrom`);
    }
  }
  for (const s of t.spec.imagePullSecrets ?? []) add('Secret', s, 'imagePullSecrets');
  return refs;
}

/**
 * Every ConfigMap and Secret a pod references is in the render, in the pod's namespace, or is one that
 * `make k8s-secrets` creates there. Otherwise the pod waits in ContainerCreating / CreateContainerConfigError.
 */
export function checkConfigReferences(objects: readonly K8sObject[], created: readonly ObjectRef[] = createdByMake()): string[] {
  const problems: string[] = [];
  for (const t of podTemplates(objects)) {
    for (const ref of podReferences(t)) {
      const inRender = objects.some((o) => o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === ref.namespace);
      const byMake = created.some((c) => c.kind === ref.kind && c.name === ref.name && c.namespace === ref.namespace);
      if (!inRender && !byMake) {
        problems.push(`${t.owner} (${ref.via}): ${ref.kind}/${ref.name} in ${where(ref.namespace)} is neither in the render nor created by make k8s-secrets`);
      }
    }
  }
  return problems;
}
