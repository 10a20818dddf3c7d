// What a cluster resolves between the objects of one overlay (tests/lib/k8sRefs.ts): namespaces, what HPAs and PDBs
// act on, what Services and NetworkPolicies select, and the ConfigMaps and Secrets pods need. Each check finds
// nothing on every overlay, then reports the one mistake planted in a copy, the production overlay's own bug first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OVERLAYS, cloneObjects, find, renderKustomization, renderOverlay, repoRoot, type K8sObject } from '../lib/k8s.js';
import {
  checkConfigReferences,
  checkNamespaces,
  checkNetworkPolicySelectors,
  checkScaleAndDisruptionTargets,
  checkServiceSelectors,
  createdByMake,
  podReferences,
  podTemplates,
  selects,
} from '../lib/k8sRefs.js';

const rendered = new Map(OVERLAYS.map((o) => [o, renderOverlay(o)] as const));

const CHECKS = {
  'every namespaced object is in the namespace the render creates': checkNamespaces,
  'every HPA target and PDB selector resolves in the same namespace': checkScaleAndDisruptionTargets,
  'every Service selector selects a pod template': checkServiceSelectors,
  'every NetworkPolicy podSelector selects a pod template': checkNetworkPolicySelectors,
  'every ConfigMap and Secret a pod references exists, or make k8s-secrets creates it': (o: K8sObject[]) => checkConfigReferences(o),
};

for (const overlay of OVERLAYS) {
  for (const [name, check] of Object.entries(CHECKS)) {
    test(`${overlay}: ${name}`, () => assert.deepEqual(check(rendered.get(overlay)!), []));
  }
}

// Checks over nothing would pass: the objects they are about are really there.
test('the renders hold what these checks resolve: an HPA, two PDBs, Services, policies, Secret references', () => {
  const production = rendered.get('production')!;
  assert.equal(production.filter((o) => o.kind === 'HorizontalPodAutoscaler').length, 1);
  assert.equal(production.filter((o) => o.kind === 'PodDisruptionBudget').length, 2);
  for (const overlay of OVERLAYS) {
    const objects = rendered.get(overlay)!;
    assert.ok(objects.filter((o) => o.kind === 'Service').length >= 5, `${overlay}: Services`);
    assert.ok(objects.filter((o) => o.kind === 'NetworkPolicy').length >= 5, `${overlay}: NetworkPolicies`);
    const secrets = podTemplates(objects).flatMap(podReferences).filter((r) => r.kind === 'Secret').map((r) => r.name);
    assert.ok(secrets.length >= 2, `${overlay}: Secret references ${secrets.join(', ')}`);
  }
});

test('what make k8s-secrets creates is read from its recipe, namespace resolved', () => {
  const created = createdByMake();
  assert.ok(created.length >= 2, JSON.stringify(created));
  const namespace = /^K8S_NAMESPACE\s*:=\s*(\S+)/m.exec(readFileSync(path.join(repoRoot, 'Makefile'), 'utf8'))?.[1];
  for (const c of created) assert.equal(c.namespace, namespace, `${c.kind}/${c.name}`);
  // make k8s-up applies the kind overlay after these, and creates nothing else the pods could need.
  const makefile = readFileSync(path.join(repoRoot, 'Makefile'), 'utf8');
  assert.deepEqual(createdByMake(makefile, 'k8s-up'), [], 'k8s-up creates objects itself: move them into k8s-secrets, the one list');
});

// The kind job applies the production overlay through tests/kind/production: what it proves holds for the overlay
// only if that is the overlay itself, with nothing but the api image swapped for the one the job builds.
test('tests/kind/production is the production overlay, only the api image differs', () => {
  const onKind = renderKustomization('tests/kind/production');
  const production = cloneObjects(rendered.get('production')!);
  const api = of(production, 'Deployment', 'api').spec.template.spec.containers[0];
  assert.match(api.image, /^registry\.example\.com\/scaleout\/api:/);
  api.image = 'scaleout/api:dev';
  assert.deepEqual(onKind, production);
});

test('label selectors are evaluated as the API server does (matchLabels and matchExpressions)', () => {
  const labels = { app: 'api', tier: 'web' };
  assert.equal(selects({ matchLabels: { app: 'api' } }, labels), true);
  assert.equal(selects({ matchLabels: { app: 'nginx' } }, labels), false);
  assert.equal(selects({ matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'x'] }] }, labels), true);
  assert.equal(selects({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }, labels), false);
  assert.equal(selects({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels), false);
  assert.equal(selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels), true);
  assert.equal(selects({ matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, labels), false);
});

// ---- planted mistakes: one render copy each -----------------------------------------------------------------------

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const of = (objects: K8sObject[], kind: string, name: string): Mutable => find(objects, kind, name) as Mutable;

const PLANTED: Array<[string, 'kind' | 'production', (o: K8sObject[]) => string[], (o: K8sObject[]) => void, RegExp]> = [
  // The bug issue 25 found on a real cluster: hpa.yaml and nginx-pdb.yaml rendered without a namespace.
  ['the HPA without a namespace (issue 25)', 'production', checkNamespaces, (o) => { delete of(o, 'HorizontalPodAutoscaler', 'api').metadata.namespace; },
    /HorizontalPodAutoscaler\/api: in namespace \(no namespace: the current context's, usually default\), not scaleout/],
  ['the nginx PDB in default', 'production', checkNamespaces, (o) => { of(o, 'PodDisruptionBudget', 'nginx').metadata.namespace = 'default'; },
    /PodDisruptionBudget\/nginx: in namespace default, not scaleout/],
  ['a ConfigMap without a namespace', 'kind', checkNamespaces, (o) => { delete (o.find((x) => x.kind === 'ConfigMap') as Mutable).metadata.namespace; },
    /ConfigMap\/\S+: in namespace \(no namespace/],
  ['a second Namespace object', 'kind', checkNamespaces, (o) => { o.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } }); },
    /the render creates 2 namespaces \(scaleout, other\)/],
  ['the HPA without a namespace scales a default/api that does not exist (issue 25)', 'production', checkScaleAndDisruptionTargets,
    (o) => { delete of(o, 'HorizontalPodAutoscaler', 'api').metadata.namespace; },
    /HorizontalPodAutoscaler\/api: scales Deployment\/api in \(no namespace.*\), which the render does not have \(it has one in scaleout\)/],
  ['the HPA scales a misspelt Deployment', 'production', checkScaleAndDisruptionTargets,
    (o) => { of(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef.name = 'apii'; },
    /HorizontalPodAutoscaler\/api: scales Deployment\/apii in scaleout, which the render does not have/],
  ['the HPA scales a Service', 'production', checkScaleAndDisruptionTargets,
    (o) => { Object.assign(of(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef, { apiVersion: 'v1', kind: 'Service' }); },
    /HorizontalPodAutoscaler\/api: Service\/api cannot be scaled/],
  ['the HPA target keeps its replicas field', 'production', checkScaleAndDisruptionTargets, (o) => { of(o, 'Deployment', 'api').spec.replicas = 3; },
    /HorizontalPodAutoscaler\/api: Deployment\/api sets replicas: 3, so every apply resets the count the HPA chose/],
  ['the nginx PDB selector misspelt', 'production', checkScaleAndDisruptionTargets,
    (o) => { of(o, 'PodDisruptionBudget', 'nginx').spec.selector.matchLabels['app.kubernetes.io/name'] = 'ngnix'; },
    /PodDisruptionBudget\/nginx: selector .*ngnix.* selects no pod of the render in scaleout/],
  ['the nginx PDB in default, its pods in scaleout', 'production', checkScaleAndDisruptionTargets,
    (o) => { of(o, 'PodDisruptionBudget', 'nginx').metadata.namespace = 'default'; },
    /PodDisruptionBudget\/nginx: selector .* selects no pod of the render in default/],
  ['the api PDB selecting by an expression nothing matches', 'kind', checkScaleAndDisruptionTargets,
    (o) => { of(o, 'PodDisruptionBudget', 'api').spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['web'] }] }; },
    /PodDisruptionBudget\/api: selector .* selects no pod/],
  ['a Service selector typo', 'kind', checkServiceSelectors, (o) => { of(o, 'Service', 'api').spec.selector = { 'app.kubernetes.io/name': 'api2' }; },
    /Service\/api: selector \{"app.kubernetes.io\/name":"api2"\} selects no pod of the render in scaleout/],
  ['a Service in another namespace than its pods', 'kind', checkServiceSelectors, (o) => { of(o, 'Service', 'prometheus').metadata.namespace = 'monitoring'; },
    /Service\/prometheus: selector .* selects no pod of the render in monitoring/],
  ['a Service selecting a label no template has', 'production', checkServiceSelectors,
    (o) => { of(o, 'Service', 'nginx').spec.selector['app.kubernetes.io/component'] = 'edge'; },
    /Service\/nginx: selector .* selects no pod/],
  ['a NetworkPolicy for pods that do not exist', 'kind', checkNetworkPolicySelectors,
    (o) => { of(o, 'NetworkPolicy', 'grafana-ui').spec.podSelector.matchLabels['app.kubernetes.io/name'] = 'graphana'; },
    /NetworkPolicy\/grafana-ui: podSelector .*graphana.* selects no pod/],
  ['a NetworkPolicy peer that matches no pod', 'production', checkNetworkPolicySelectors,
    (o) => { of(o, 'NetworkPolicy', 'api-from-nginx-and-prometheus').spec.ingress[0].from[1].podSelector.matchLabels['app.kubernetes.io/name'] = 'promethus'; },
    /NetworkPolicy\/api-from-nginx-and-prometheus: peer podSelector .*promethus.* selects no pod/],
  ['a Secret reference misspelt', 'kind', (o) => checkConfigReferences(o),
    (o) => { of(o, 'Deployment', 'nginx').spec.template.spec.volumes.find((v: Mutable) => v.name === 'tls').secret.secretName = 'nginx-tlz'; },
    /Deployment\/nginx \(volume tls\): Secret\/nginx-tlz in scaleout is neither in the render nor created by make k8s-secrets/],
  ['a ConfigMap the render lost', 'production', (o) => checkConfigReferences(o),
    (o) => { o.splice(o.findIndex((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('grafana-ini-')), 1); },
    /Deployment\/grafana \(volume ini\): ConfigMap\/grafana-ini-\w+ in scaleout is neither in the render/],
  ['a projected ConfigMap the render lost', 'kind', (o) => checkConfigReferences(o),
    (o) => { o.splice(o.findIndex((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('nginx-strategy-servers-')), 1); },
    /Deployment\/nginx \(volume nginx-strategies\): ConfigMap\/nginx-strategy-servers-\w+/],
  ['an env Secret nobody creates', 'kind', (o) => checkConfigReferences(o),
    (o) => { of(o, 'Deployment', 'api').spec.template.spec.containers[0].env.push({ name: 'SESSION_SECRET', valueFrom: { secretKeyRef: { name: 'api-session', key: 'secret' } } }); },
    /Deployment\/api \(api env SESSION_SECRET\): Secret\/api-session in scaleout/],
  ['a Makefile that no longer creates nginx-tls', 'production', (o) => checkConfigReferences(o, createdByMake(makefileWithout('create secret tls nginx-tls'))), () => {},
    /Deployment\/nginx \(volume tls\): Secret\/nginx-tls in scaleout is neither in the render nor created by make k8s-secrets/],
  ['a Makefile that creates grafana-admin in another namespace', 'kind',
    (o) => checkConfigReferences(o, createdByMake(readMakefile().replace(/-n \$\(K8S_NAMESPACE\) (create secret generic grafana-admin)/, '-n monitoring $1'))), () => {},
    /Deployment\/grafana \(volume admin-password\): Secret\/grafana-admin in scaleout/],
];

function readMakefile(): string {
  return readFileSync(path.join(repoRoot, 'Makefile'), 'utf8');
}
/** The Makefile with the (possibly continued) recipe line holding `text` removed. */
function makefileWithout(text: string): string {
  const lines = readMakefile().split('\n');
  const at = lines.findIndex((l) => l.includes(text));
  assert.ok(at >= 0, `no Makefile line holds ${text}`);
  let end = at;
  while (lines[end]!.endsWith('\\')) end++;
  lines.splice(at, end - at + 1);
  return lines.join('\n');
}

for (const [what, overlay, check, mutate, expected] of PLANTED) {
  test(`planted (${overlay}): ${what} -> reported`, (t) => {
    const objects = cloneObjects(rendered.get(overlay)!);
    mutate(objects);
    const problems = check(objects);
    const reported = problems.find((p) => expected.test(p));
    assert.ok(reported, `expected a problem matching ${expected}, got:\n  ${problems.join('\n  ') || '(none)'}`);
    t.diagnostic(reported);
  });
}
