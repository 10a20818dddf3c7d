// Every object of every overlay, strictly against the Kubernetes schema of the targeted release (tests/lib/k8s.ts):
// an unknown field, a wrong type or an unknown kind fails here, before any cluster sees the manifests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OVERLAYS, cloneObjects, find, loadKubernetesSchema, renderOverlay, type K8sObject } from '../lib/k8s.js';

const schema = loadKubernetesSchema();
const rendered = new Map(OVERLAYS.map((o) => [o, renderOverlay(o)] as const));

for (const overlay of OVERLAYS) {
  test(`${overlay}: every object validates against Kubernetes ${schema.kubernetesVersion}, unknown fields rejected`, () => {
    const objects = rendered.get(overlay)!;
    assert.ok(objects.length >= 20, `${overlay} rendered only ${objects.length} objects`);
    const problems = objects.flatMap((o) => schema.validate(o));
    assert.deepEqual(problems, []);
  });
}

// The planted mistakes: each must be caught, or the validation above proves nothing.
test('a typo in a field name (resourcez) fails, naming the field and where it is', () => {
  const objects = cloneObjects(rendered.get('kind')!);
  const container = podContainers(find(objects, 'Deployment', 'api'))[0]!;
  container.resourcez = container.resources;
  delete container.resources;
  const problems = schema.validate(find(objects, 'Deployment', 'api'));
  assert.deepEqual(problems, ['Deployment/api /spec/template/spec/containers/0: unknown field "resourcez"']);
});

test('a field at the wrong level fails (preStop beside lifecycle instead of in it)', () => {
  const objects = cloneObjects(rendered.get('kind')!);
  const container = podContainers(find(objects, 'Deployment', 'api'))[0]!;
  container.preStop = (container.lifecycle as Record<string, unknown>).preStop;
  assert.match(schema.validate(find(objects, 'Deployment', 'api')).join('\n'), /containers\/0: unknown field "preStop"/);
});

test('a wrong type fails (replicas as a string, a boolean as a string)', () => {
  const objects = cloneObjects(rendered.get('kind')!);
  const api = find(objects, 'Deployment', 'api');
  (api.spec as Record<string, unknown>).replicas = 'three';
  podContainers(api)[0]!.securityContext = { readOnlyRootFilesystem: 'yes' };
  const problems = schema.validate(api).join('\n');
  assert.match(problems, /\/spec\/replicas: must be number/);
  assert.match(problems, /securityContext\/readOnlyRootFilesystem: must be boolean/);
});

test('an unknown kind fails (a typo in kind)', () => {
  const objects = cloneObjects(rendered.get('kind')!);
  const pdb = find(objects, 'PodDisruptionBudget', 'api');
  pdb.kind = 'PodDisruptionBudgett';
  assert.match(schema.validate(pdb).join('\n'), /policy\/v1 PodDisruptionBudgett is not a type of Kubernetes 1\.\d+/);
});

// The schema still holds the Go types of beta versions that servers no longer serve (k8s.io/api keeps them), so
// which API versions may be used is a rule of its own: the GA ones this stack needs.
const GA_API_VERSIONS = ['v1', 'apps/v1', 'policy/v1', 'networking.k8s.io/v1', 'autoscaling/v2'];

for (const overlay of OVERLAYS) {
  test(`${overlay}: only GA API versions (no beta API that a newer release removes)`, () => {
    const used = [...new Set(rendered.get(overlay)!.map((o) => o.apiVersion))];
    assert.deepEqual(used.filter((v) => !GA_API_VERSIONS.includes(v)), []);
  });
}

function podContainers(deployment: K8sObject): Array<Record<string, unknown>> {
  return ((deployment.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers);
}
