// Cross-checks of the rendered manifests against the app and compose (tests/lib/k8sChecks.ts). Each check runs on
// every overlay and must find nothing; then on a copy with one planted mistake, where it must report exactly that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OVERLAYS, cloneObjects, find, renderOverlay, repoRoot, type K8sObject } from '../lib/k8s.js';
import {
  checkApiIngress,
  checkImages,
  checkNginxWritablePaths,
  checkNginxWrites,
  checkProbes,
  checkRestricted,
  checkSameConfigFiles,
  checkTargetPorts,
  checkTermination,
  checkWorkersFollowLimit,
  checkWorkloadSelectors,
  composeConfigFiles,
  composeNginx,
} from '../lib/k8sChecks.js';

const rendered = new Map(OVERLAYS.map((o) => [o, renderOverlay(o)] as const));

const CHECKS = {
  'each workload selects its own template': checkWorkloadSelectors,
  'targetPort matches containerPort': checkTargetPorts,
  'probe paths exist in the app and mean readiness vs liveness': (o: K8sObject[]) => checkProbes(o),
  'grace period covers preStop + drain, preStop covers DNS': checkTermination,
  'the pod CPU limit sets the worker count': checkWorkersFollowLimit,
  'images pinned (no latest) and equal to compose.yaml pins': checkImages,
  'restricted Pod Security profile': checkRestricted,
  'only nginx and Prometheus reach the api': checkApiIngress,
  'the nginx/Prometheus/Grafana files compose mounts, byte for byte': (o: K8sObject[]) => checkSameConfigFiles(o),
  'nginx: read-only root with the same writable paths as compose': (o: K8sObject[]) => checkNginxWritablePaths(o),
  'nginx: pid and temp paths named, under a writable mount': (o: K8sObject[]) => checkNginxWrites(o),
};

for (const overlay of OVERLAYS) {
  for (const [name, check] of Object.entries(CHECKS)) {
    test(`${overlay}: ${name}`, () => assert.deepEqual(check(rendered.get(overlay)!), []));
  }
}

test('compose mounts the nginx files these checks compare (the list is not empty or partial)', () => {
  const nginx = composeConfigFiles(['nginx']).map((f) => f.source);
  for (const f of ['nginx/nginx.conf', 'nginx/conf.d/10-upstream.conf', 'nginx/strategies/least_conn.conf', 'nginx/docker-entrypoint.d/35-write-api-discovery.sh', 'nginx/bin/nginx-change.sh']) {
    assert.ok(nginx.includes(f), `${f} missing from ${nginx.join(', ')}`);
  }
});

// ---- planted mistakes: one per check, each in a fresh copy of the kind overlay --------------------------------------

const readNginxConf = (): string => readFileSync(path.join(repoRoot, 'nginx/nginx.conf'), 'utf8');

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
function planted(mutate: (objects: K8sObject[], api: Mutable, container: Mutable) => void): K8sObject[] {
  const objects = cloneObjects(rendered.get('kind')!);
  const api = find(objects, 'Deployment', 'api') as Mutable;
  mutate(objects, api, api.spec.template.spec.containers[0]);
  return objects;
}

const PLANTED: Array<[string, (o: K8sObject[]) => string[], (objects: K8sObject[], api: Mutable, c: Mutable) => void, RegExp]> = [
  ['template label renamed', checkWorkloadSelectors, (_o, api) => { api.spec.template.metadata.labels['app.kubernetes.io/name'] = 'app'; },
    /Deployment\/api: selector .* does not match its template's labels/],
  ['targetPort names a port the pod lacks', checkTargetPorts, (o) => { (find(o, 'Service', 'api') as Mutable).spec.ports[0].targetPort = 'web'; },
    /Service\/api port http: targetPort web is no containerPort of Deployment\/api/],
  ['containerPort changed from the app PORT', checkTargetPorts, (_o, _api, c) => { c.ports[0].containerPort = 8080; },
    /containerPort 8080 is not the app's PORT 3000/],
  ['liveness on /readyz', checkProbes, (_o, _api, c) => { c.livenessProbe.httpGet.path = '/readyz'; },
    /livenessProbe: \/readyz follows readiness: a draining or never-ready pod would be restarted/],
  ['readiness on /healthz', checkProbes, (_o, _api, c) => { c.readinessProbe.httpGet.path = '/healthz'; },
    /readinessProbe: \/healthz does not answer 503 when the worker is not ready/],
  ['probe path that is no route', checkProbes, (_o, _api, c) => { c.startupProbe.httpGet.path = '/ready'; },
    /startupProbe: \/ready is not a route of the app/],
  ['grace period shorter than preStop + kill_timeout', checkTermination, (_o, api) => { api.spec.template.spec.terminationGracePeriodSeconds = 20; },
    /terminationGracePeriodSeconds 20 is not above preStop 15 s \+ pm2 kill_timeout 15 s/],
  ['longer drain, same grace period', checkTermination, (_o, _api, c) => { c.env.find((e: Mutable) => e.name === 'DRAIN_TIMEOUT_MS').value = '30000'; },
    /terminationGracePeriodSeconds 40 is not above preStop 15 s \+ pm2 kill_timeout 35 s/],
  ['no preStop', checkTermination, (_o, _api, c) => { delete c.lifecycle; },
    /no preStop sleep/],
  ['preStop shorter than the DNS path', checkTermination, (_o, _api, c) => { c.lifecycle.preStop.sleep.seconds = 3; },
    /preStop 3 s is shorter than the 8 s/],
  ['no CPU limit', checkWorkersFollowLimit, (_o, _api, c) => { delete c.resources.limits.cpu; },
    /no CPU limit: pm2 would start one worker per core/],
  ['WORKERS forced', checkWorkersFollowLimit, (_o, _api, c) => { c.env.find((e: Mutable) => e.name === 'WORKERS').value = '8'; },
    /WORKERS=8 overrides the count/],
  ['image :latest', checkImages, (o) => { (find(o, 'Deployment', 'nginx') as Mutable).spec.template.spec.containers[0].image = 'nginx:latest'; },
    /nginx: image nginx:latest uses latest/],
  ['image without a tag', checkImages, (_o, _api, c) => { c.image = 'scaleout/api'; },
    /image scaleout\/api has no tag/],
  ['official image drifted from compose.yaml', checkImages, (o) => { (find(o, 'Deployment', 'prometheus') as Mutable).spec.template.spec.containers[0].image = 'prom/prometheus:v3.5.2'; },
    /prom\/prometheus:v3.5.2, but compose.yaml pins prom\/prometheus:v3.13.4/],
  ['capabilities not dropped', checkRestricted, (_o, _api, c) => { delete c.securityContext.capabilities; },
    /Deployment\/api api: does not drop ALL capabilities/],
  ['root user', checkRestricted, (_o, api) => { api.spec.template.spec.securityContext.runAsUser = 0; },
    /Deployment\/api api: runs as uid 0/],
  ['writable root filesystem', checkRestricted, (o) => { (find(o, 'Deployment', 'grafana') as Mutable).spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; },
    /Deployment\/grafana grafana: root filesystem is writable/],
  ['no seccomp profile', checkRestricted, (o) => { delete (find(o, 'Deployment', 'nginx') as Mutable).spec.template.spec.securityContext.seccompProfile; },
    /Deployment\/nginx nginx: seccomp profile is unset/],
  ['namespace not enforcing restricted', checkRestricted, (o) => { find(o, 'Namespace', 'scaleout').metadata.labels!['pod-security.kubernetes.io/enforce'] = 'baseline'; },
    /does not enforce pod-security restricted/],
  ['api open to every pod', checkApiIngress, (o) => { (find(o, 'NetworkPolicy', 'api-from-nginx-and-prometheus') as Mutable).spec.ingress.push({ ports: [{ port: 'http' }] }); },
    /api-from-nginx-and-prometheus: lets any source reach the api/],
  ['api open to Grafana', checkApiIngress, (o) => { (find(o, 'NetworkPolicy', 'api-from-nginx-and-prometheus') as Mutable).spec.ingress[0].from.push({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } } }); },
    /lets .*grafana.* reach the api \(only nginx and prometheus may\)/],
  ['no default deny', checkApiIngress, (o) => { o.splice(o.indexOf(find(o, 'NetworkPolicy', 'default-deny-ingress')), 1); },
    /no default-deny ingress NetworkPolicy/],
  ['a second, drifted copy of an nginx file', (o) => checkSameConfigFiles(o), (o) => {
    const cm = o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('nginx-conf-d-')) as Mutable;
    cm.data['10-upstream.conf'] = cm.data['10-upstream.conf'].replace('zone api 256k', 'zone api 64k');
  }, /Deployment\/nginx: \/etc\/nginx\/conf.d\/10-upstream.conf comes from ConfigMap\/nginx-conf-d-\w+ key 10-upstream.conf, which differs from nginx\/conf.d\/10-upstream.conf/],
  ['an nginx file compose mounts but k8s does not', (o) => checkSameConfigFiles(o), (o) => {
    const cm = o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('nginx-strategies-')) as Mutable;
    delete cm.data['random.conf'];
  }, /nginx\/strategies\/random.conf \(compose mounts it at \/etc\/nginx\/strategies\/random.conf\) is not mounted there/],
  ['a hook mounted at another path', (o) => checkSameConfigFiles(o), (o) => {
    const mounts = (find(o, 'Deployment', 'nginx') as Mutable).spec.template.spec.containers[0].volumeMounts;
    mounts.find((m: Mutable) => m.subPath === '35-write-api-discovery.sh').mountPath = '/docker-entrypoint.d/35-discovery.sh';
  }, /nginx\/docker-entrypoint.d\/35-write-api-discovery.sh \(compose mounts it at \/docker-entrypoint.d\/35-write-api-discovery.sh\) is not mounted there/],
  ['an emptyDir the pod gives nginx that compose does not', (o) => checkNginxWritablePaths(o), (o) => {
    const pod = (find(o, 'Deployment', 'nginx') as Mutable).spec.template.spec;
    pod.volumes.push({ name: 'lib', emptyDir: {} });
    pod.containers[0].volumeMounts.push({ name: 'lib', mountPath: '/var/lib/nginx' });
  }, /Deployment\/nginx: \/var\/lib\/nginx is writable in the pod but not in compose.yaml/],
  ['a writable mount turned readOnly in the pod', (o) => checkNginxWritablePaths(o), (o) => {
    const mounts = (find(o, 'Deployment', 'nginx') as Mutable).spec.template.spec.containers[0].volumeMounts;
    mounts.find((m: Mutable) => m.mountPath === '/run').readOnly = true;
  }, /compose.yaml nginx: \/run is writable in compose but not in the pod/],
  ['pid under a path the pod does not make writable', (o) => checkNginxWrites(o, readNginxConf().replace('pid /run/nginx.pid;', 'pid /var/lib/nginx/nginx.pid;')),
    () => {}, /nginx.conf: pid \/var\/lib\/nginx\/nginx.pid is not under a writable mount/],
  ['a temp path left to the build', (o) => checkNginxWrites(o, readNginxConf().replace(/^\s*uwsgi_temp_path .*$/m, '')),
    () => {}, /nginx.conf: no uwsgi_temp_path: the build's compiled-in default applies/],
  ['a temp path on the read-only root', (o) => checkNginxWrites(o, readNginxConf().replace('/var/cache/nginx/client_temp', '/var/lib/nginx/body')),
    () => {}, /nginx.conf: client_body_temp_path \/var\/lib\/nginx\/body is not under a writable mount/],
  ['the temp files\' mount dropped from the pod', (o) => checkNginxWrites(o), (o) => {
    const pod = (find(o, 'Deployment', 'nginx') as Mutable).spec.template.spec;
    pod.containers[0].volumeMounts = pod.containers[0].volumeMounts.filter((m: Mutable) => m.mountPath !== '/var/cache/nginx');
  }, /nginx.conf: proxy_temp_path \/var\/cache\/nginx\/proxy_temp is not under a writable mount/],
  ['a Prometheus rule file left out', (o) => checkSameConfigFiles(o), (o) => {
    delete (o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('prometheus-rules-')) as Mutable).data['alerts.yml'];
  }, /prometheus\/rules\/alerts.yml .* is not mounted there/],
];

// compose's side of the parity: the service as written, with one mistake planted.
const composeWith = (change: (nginx: Mutable) => void): ReturnType<typeof composeNginx> => {
  const nginx = structuredClone(composeNginx()) as Mutable;
  change(nginx);
  return nginx;
};
PLANTED.push(
  ['compose nginx not read-only', (o) => checkNginxWritablePaths(o, composeWith((n) => { delete n.read_only; })), () => {},
    /compose.yaml nginx: read_only is not true/],
  ['compose without the pid file\'s tmpfs', (o) => checkNginxWritablePaths(o, composeWith((n) => { n.tmpfs = n.tmpfs.filter((t: string) => t !== '/run'); })), () => {},
    /Deployment\/nginx: \/run is writable in the pod but not in compose.yaml/],
  ['compose with a writable bind mount', (o) => checkNginxWritablePaths(o, composeWith((n) => { n.volumes.push('./nginx/conf.d:/etc/nginx/conf.d'); })), () => {},
    /compose.yaml nginx: \/etc\/nginx\/conf.d is writable in compose but not in the pod/],
);

for (const [what, check, mutate, expected] of PLANTED) {
  test(`planted: ${what} -> reported`, (t) => {
    const problems = check(planted(mutate));
    const reported = problems.find((p) => expected.test(p));
    assert.ok(reported, `expected a problem matching ${expected}, got:\n  ${problems.join('\n  ') || '(none)'}`);
    t.diagnostic(reported); // what the check says, for the record (make k8s-validate prints it)
  });
}
