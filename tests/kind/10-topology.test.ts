// The stack as the kind overlay deploys it: every api pod runs as many pm2 workers as its CPU limit allows (not
// as many as the node has cores), nginx reaches every worker of every pod, and Prometheus scrapes one target per
// pod whose one scrape returns all its workers. Needs `make k8s-up` (nginx on 127.0.0.1:8080).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl } from '../lib/kube.js';
import { baseUrl } from '../lib/stack.js';

interface Deployment {
  spec: { replicas: number; template: { spec: { containers: Array<{ resources: { limits: { cpu: string } } }> } } };
}

test('workers per pod = the pod CPU limit (rounded up), not the node cores; nginx reaches every one', async () => {
  const api = JSON.parse(await kubectl(['get', 'deployment/api', '-o', 'json'])) as Deployment;
  const limit = api.spec.template.spec.containers[0]!.resources.limits.cpu;
  const expectedWorkers = Math.ceil(limit.endsWith('m') ? Number(limit.slice(0, -1)) / 1000 : Number(limit));
  const nodeCpus = Number((await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].status.capacity.cpu}'])).trim());
  const seen = new Map<string, Set<string>>();
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${baseUrl}/whoami`);
    assert.equal(res.status, 200);
    const [replica, worker] = (res.headers.get('x-served-by') ?? '').split('/');
    if (!seen.has(replica!)) seen.set(replica!, new Set());
    seen.get(replica!)!.add(worker!);
  }
  const perPod = Object.fromEntries([...seen].map(([pod, workers]) => [pod, workers.size]));
  console.log(`# node cores ${nodeCpus}, pod CPU limit ${limit}: workers per pod ${JSON.stringify(perPod)}`);
  assert.equal(seen.size, api.spec.replicas, `pods answering through nginx: ${[...seen.keys()].join(', ')}`);
  for (const [pod, workers] of seen) assert.equal(workers.size, expectedWorkers, `${pod}: ${workers.size} workers for a ${limit}-CPU limit`);
  // The proof needs a node with more cores than the limit; GitHub's runners have 4.
  assert.ok(nodeCpus > expectedWorkers, `the node has ${nodeCpus} cores: it cannot tell the limit from the node apart`);
});

test('Prometheus: one api target per pod (DNS SD on the headless Service), every worker in its scrape', async () => {
  const query = async (expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> => {
    // From inside the Prometheus pod (busybox wget): no port-forward to manage.
    const out = await kubectl(['exec', 'deploy/prometheus', '-c', 'prometheus', '--', 'wget', '-qO-', `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(expr)}`]);
    return (JSON.parse(out) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }).data.result;
  };
  let targets: Array<{ metric: Record<string, string> }> = [];
  for (let i = 0; i < 30; i++) {
    targets = await query('up{job="api"} == 1');
    if (targets.length === 3) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  assert.equal(targets.length, 3, `api targets up: ${JSON.stringify(targets.map((t) => t.metric.instance))}`);
  const workers = await query('count by (instance) (count by (instance, worker) (process_start_time_seconds{job="api"}))');
  for (const w of workers) assert.equal(Number(w.value[1]), 2, `${w.metric.instance}: ${w.value[1]} workers in one scrape`);
  assert.equal(workers.length, 3);
});

test('NetworkPolicy: Grafana cannot open a connection to the api, nginx can', async () => {
  const reach = async (from: string): Promise<boolean> => {
    try {
      await kubectl(['exec', `deploy/${from}`, '-c', from, '--', 'wget', '-q', '-T', '3', '-O', '/dev/null', 'http://api:3000/healthz'], 20_000);
      return true;
    } catch {
      return false;
    }
  };
  assert.equal(await reach('nginx'), true, 'nginx could not reach the api');
  assert.equal(await reach('grafana'), false, 'grafana reached the api: the NetworkPolicies are not enforced');
});
