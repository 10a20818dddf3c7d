// Cross-checks that read the rendered k8s/ manifests and the app (or compose) together: the mistakes a schema can't
// see because each object is valid on its own. Each check is a pure function from objects to a list of problems
// (empty = fine), so tests/k8s/20-crosschecks.test.ts can plant one mistake in a copy and see it reported.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultWorkerCount } from '../../services/api/src/runtime-limits/cgroup-limits.js';
import { repoRoot, type K8sObject } from './k8s.js';

// ---- shapes (only what the checks read) --------------------------------------------------------------------------

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string }>;
  resources?: { limits?: { cpu?: string | number; memory?: string }; requests?: { cpu?: string | number } };
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: unknown } };
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string; readOnly?: boolean }>;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: Array<{
    name: string;
    configMap?: { name: string };
    projected?: { sources: Array<{ configMap?: { name: string; items?: Array<{ key: string; path: string }> } }> };
    hostPath?: unknown;
    secret?: unknown;
    downwardAPI?: unknown;
  }>;
}
interface Workload extends K8sObject {
  spec: { selector: { matchLabels?: Record<string, string> }; template: { metadata: { labels?: Record<string, string> }; spec: PodSpec } };
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects.filter((o): o is Workload => WORKLOAD_KINDS.has(o.kind));
}

function workload(objects: readonly K8sObject[], name: string): Workload | undefined {
  return workloads(objects).find((w) => w.metadata.name === name);
}

const id = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

// ---- selectors ---------------------------------------------------------------------------------------------------

/**
 * Every workload's selector selects its own template (the API server rejects the other case only on create).
 * What other objects select (Services, PDBs, NetworkPolicies, HPAs) is checked across objects in k8sRefs.ts.
 */
export function checkWorkloadSelectors(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    if (!matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels)) {
      problems.push(`${id(w)}: selector ${JSON.stringify(w.spec.selector.matchLabels)} does not match its template's labels ${JSON.stringify(w.spec.template.metadata.labels)}`);
    }
  }
  return problems;
}

// ---- ports -------------------------------------------------------------------------------------------------------

/** Every Service's targetPort (by name or number) is a containerPort of every pod template it selects. */
export function checkTargetPorts(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = svc.spec as { selector?: Record<string, string>; ports?: Array<{ name?: string; port: number; targetPort?: string | number }> };
    const selected = workloads(objects).filter((w) => matches(spec.selector, w.spec.template.metadata.labels));
    for (const port of spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const w of selected) {
        const ports = w.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
        const found = ports.some((p) => (typeof target === 'number' ? p.containerPort === target : p.name === target));
        if (!found) problems.push(`${id(svc)} port ${port.name ?? port.port}: targetPort ${target} is no containerPort of ${id(w)} (${ports.map((p) => `${p.name ?? '-'}=${p.containerPort}`).join(', ')})`);
      }
    }
  }
  // The api's port is the app's PORT (services/api/Dockerfile ENV PORT=3000), the one nginx and Prometheus use.
  const api = workload(objects, 'api');
  const appPort = Number(/^\s*PORT=(\d+)/m.exec(read('services/api/Dockerfile'))?.[1]);
  const apiPort = api?.spec.template.spec.containers[0]?.ports?.[0]?.containerPort;
  if (apiPort !== appPort) problems.push(`Deployment/api: containerPort ${apiPort} is not the app's PORT ${appPort} (services/api/Dockerfile)`);
  return problems;
}

// ---- probes ------------------------------------------------------------------------------------------------------

/** The app's GET routes, from its controllers' @Get('...') decorators (services/api/src). */
export function appGetRoutes(): Map<string, string> {
  const routes = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const file = path.join(dir, entry);
      if (statSync(file).isDirectory()) walk(file);
      else if (entry.endsWith('.controller.ts')) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/@Get\('([^']*)'\)\s*\n\s*(?:async\s+)?(\w+)\([^)]*\)[^{]*\{([\s\S]*?)\n {2}\}/g)) routes.set(`/${m[1]}`, m[3]!);
      }
    }
  };
  walk(path.join(repoRoot, 'services/api/src'));
  return routes;
}

/**
 * The api's probes hit routes that exist and mean what each probe needs: readiness a route that answers 503 when
 * the worker is not ready (starting, draining, NEVER_READY), liveness and startup one that does not look at
 * readiness at all (a draining pod is alive; restarting it would cut its drain).
 */
export function checkProbes(objects: readonly K8sObject[], routes = appGetRoutes()): string[] {
  const api = workload(objects, 'api');
  if (!api) return ['no Deployment/api'];
  const c = api.spec.template.spec.containers[0]!;
  const problems: string[] = [];
  const readsReadiness = (body: string): boolean => /readiness/.test(body);
  for (const [kind, probe] of [['startupProbe', c.startupProbe], ['readinessProbe', c.readinessProbe], ['livenessProbe', c.livenessProbe]] as const) {
    const probePath = probe?.httpGet?.path;
    if (!probePath) {
      problems.push(`Deployment/api: no ${kind} with httpGet`);
      continue;
    }
    const body = routes.get(probePath);
    if (body === undefined) {
      problems.push(`Deployment/api ${kind}: ${probePath} is not a route of the app (it has ${[...routes.keys()].join(', ')})`);
      continue;
    }
    if (kind === 'readinessProbe' && !(readsReadiness(body) && /ServiceUnavailable/.test(body))) {
      problems.push(`Deployment/api readinessProbe: ${probePath} does not answer 503 when the worker is not ready: the pod would get traffic while starting or draining`);
    }
    if (kind !== 'readinessProbe' && readsReadiness(body)) {
      problems.push(`Deployment/api ${kind}: ${probePath} follows readiness: a draining or never-ready pod would be restarted`);
    }
  }
  return problems;
}

// ---- termination -------------------------------------------------------------------------------------------------

const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');

/** pm2's kill_timeout in ms for a DRAIN_TIMEOUT_MS, as ecosystem.config.cjs computes it. */
export function pm2KillTimeoutMs(drainTimeoutMs: string | undefined): number {
  const eco = read('services/api/ecosystem.config.cjs');
  const fallback = /DRAIN_TIMEOUT_MS\s*\|\|\s*(\d+)/.exec(eco)?.[1];
  const extra = /kill_timeout:\s*drainTimeoutMs\s*\+\s*(\d+)/.exec(eco)?.[1];
  if (fallback === undefined || extra === undefined) throw new Error('ecosystem.config.cjs: kill_timeout is no longer DRAIN_TIMEOUT_MS + a constant; update this check');
  return Number(drainTimeoutMs || fallback) + Number(extra);
}

/** nginx's resolver cache in seconds (valid=...), as the discovery hook writes it. */
export function nginxResolverValidSeconds(): number {
  const m = /valid=(\d+)s/.exec(read('nginx/docker-entrypoint.d/35-write-api-discovery.sh'));
  if (!m) throw new Error('35-write-api-discovery.sh: no resolver valid=<n>s');
  return Number(m[1]);
}

// CoreDNS's default TTL for cluster records (kubernetes plugin `ttl`, 5 s) and the EndpointSlice update: the time
// from "pod deleted" to "nginx's DNS answers no longer list it" is at most this plus nginx's own cache.
// https://coredns.io/plugins/kubernetes/
const CLUSTER_DNS_TTL_SECONDS = 5;
const ENDPOINT_UPDATE_SECONDS = 1;

/**
 * The api's stop sequence fits: a preStop delay at least as long as nginx takes to forget the pod, and a grace
 * period longer than that delay plus pm2's kill_timeout (the drain of the workers).
 */
export function checkTermination(objects: readonly K8sObject[]): string[] {
  const api = workload(objects, 'api');
  if (!api) return ['no Deployment/api'];
  const pod = api.spec.template.spec;
  const c = pod.containers[0]!;
  const problems: string[] = [];
  const preStop = c.lifecycle?.preStop?.sleep?.seconds;
  const needed = ENDPOINT_UPDATE_SECONDS + CLUSTER_DNS_TTL_SECONDS + nginxResolverValidSeconds();
  if (preStop === undefined) problems.push('Deployment/api: no preStop sleep: pm2 gets SIGTERM while nginx still sends the pod requests (502s on every rollout)');
  else if (preStop < needed) problems.push(`Deployment/api: preStop ${preStop} s is shorter than the ${needed} s nginx may still send the pod requests (endpoint update + cluster DNS TTL + resolver valid)`);
  const drain = c.env?.find((e) => e.name === 'DRAIN_TIMEOUT_MS')?.value;
  const killTimeoutS = pm2KillTimeoutMs(drain) / 1000;
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (!(grace > (preStop ?? 0) + killTimeoutS)) {
    problems.push(`Deployment/api: terminationGracePeriodSeconds ${grace} is not above preStop ${preStop ?? 0} s + pm2 kill_timeout ${killTimeoutS} s: the kubelet would SIGKILL the drain`);
  }
  return problems;
}

// ---- resources and workers ---------------------------------------------------------------------------------------

/** Kubernetes CPU quantity ("500m", "2", 2) in CPUs. */
export function cpus(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const text = String(quantity);
  return text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text);
}

/**
 * The worker count follows the pod's CPU limit, not the node: the app's own rule (defaultWorkerCount, the code
 * ecosystem.config.cjs runs) gives the same count on a 4-core and a 64-core node, and WORKERS does not override it.
 */
export function checkWorkersFollowLimit(objects: readonly K8sObject[]): string[] {
  const api = workload(objects, 'api');
  if (!api) return ['no Deployment/api'];
  const c = api.spec.template.spec.containers[0]!;
  const limit = cpus(c.resources?.limits?.cpu);
  const problems: string[] = [];
  if (!c.resources?.requests?.cpu || !c.resources?.limits?.memory) problems.push('Deployment/api: needs a CPU request and a memory limit');
  if (limit === undefined) return [...problems, 'Deployment/api: no CPU limit: pm2 would start one worker per core of whatever node the pod lands on'];
  const workers = c.env?.find((e) => e.name === 'WORKERS')?.value;
  if (workers) problems.push(`Deployment/api: WORKERS=${workers} overrides the count the CPU limit gives`);
  const onSmallNode = defaultWorkerCount(limit, 4);
  const onBigNode = defaultWorkerCount(limit, 64);
  if (onSmallNode !== onBigNode) problems.push(`Deployment/api: ${onSmallNode} workers on a 4-core node but ${onBigNode} on a 64-core one`);
  if (onBigNode !== Math.ceil(limit)) problems.push(`Deployment/api: ${onBigNode} workers for a ${limit}-CPU limit`);
  return problems;
}

// ---- images ------------------------------------------------------------------------------------------------------

/** Every image has an exact tag (never none, never latest), and the official ones are compose.yaml's pins. */
export function checkImages(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const composePins = new Map<string, string>();
  for (const m of read('compose.yaml').matchAll(/\$\{[A-Z_]+_IMAGE:-([^}:]+):([^}]+)\}/g)) composePins.set(m[1]!, m[2]!);
  for (const w of workloads(objects)) {
    for (const c of [...w.spec.template.spec.containers, ...(w.spec.template.spec.initContainers ?? [])]) {
      const image = c.image ?? '';
      const at = image.lastIndexOf(':');
      const [name, tag] = at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, ''];
      if (!tag) problems.push(`${id(w)} ${c.name}: image ${image} has no tag (that means latest)`);
      else if (tag === 'latest') problems.push(`${id(w)} ${c.name}: image ${image} uses latest`);
      const pin = composePins.get(name);
      if (pin !== undefined && pin !== tag) problems.push(`${id(w)} ${c.name}: ${image}, but compose.yaml pins ${name}:${pin}`);
    }
  }
  return problems;
}

// ---- security ----------------------------------------------------------------------------------------------------

/**
 * The restricted Pod Security Standard, per container (pod-level settings count where the standard allows them),
 * plus this stack's own rule: a read-only root filesystem. Also: the namespace enforces `restricted`.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export function checkRestricted(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const ns = objects.find((o) => o.kind === 'Namespace');
  if (ns?.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') problems.push(`Namespace/${ns?.metadata.name}: does not enforce pod-security restricted`);
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push(`${id(w)}: shares a host namespace`);
    for (const v of pod.volumes ?? []) if (v.hostPath) problems.push(`${id(w)}: hostPath volume ${v.name}`);
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
      const sc = c.securityContext ?? {};
      const at = `${id(w)} ${c.name}`;
      if (!(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot)) problems.push(`${at}: runAsNonRoot is not true`);
      if ((sc.runAsUser ?? pod.securityContext?.runAsUser) === 0) problems.push(`${at}: runs as uid 0`);
      if (sc.privileged) problems.push(`${at}: privileged`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
      if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${at}: does not drop ALL capabilities`);
      if ((sc.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE')) problems.push(`${at}: adds capabilities ${sc.capabilities?.add?.join(',')}`);
      const seccomp = sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${at}: seccomp profile is ${seccomp ?? 'unset'}, not RuntimeDefault`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: root filesystem is writable`);
    }
  }
  return problems;
}

// ---- network -----------------------------------------------------------------------------------------------------

interface IngressRule {
  from?: Array<{ podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown; ipBlock?: unknown }>;
}

/** Ingress to the api pods: denied by default, and allowed only from nginx and Prometheus pods. */
export function checkApiIngress(objects: readonly K8sObject[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const problems: string[] = [];
  const apiLabels = workload(objects, 'api')?.spec.template.metadata.labels;
  const defaultDeny = policies.some((p) => {
    const spec = p.spec as { podSelector?: { matchLabels?: object }; policyTypes?: string[]; ingress?: unknown[] };
    return Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 && spec.policyTypes?.includes('Ingress') && !spec.ingress?.length;
  });
  if (!defaultDeny) problems.push('no default-deny ingress NetworkPolicy: pods not named by a policy accept anything');
  const allowed = new Set(['nginx', 'prometheus']);
  for (const p of policies) {
    const spec = p.spec as { podSelector?: { matchLabels?: Record<string, string> }; ingress?: IngressRule[] };
    if (!matches(spec.podSelector?.matchLabels, apiLabels)) continue;
    for (const rule of spec.ingress ?? []) {
      if (!rule.from || rule.from.length === 0) problems.push(`${id(p)}: lets any source reach the api`);
      for (const peer of rule.from ?? []) {
        const name = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
        if (peer.namespaceSelector || peer.ipBlock || !name || !allowed.has(name)) problems.push(`${id(p)}: lets ${JSON.stringify(peer)} reach the api (only nginx and prometheus may)`);
      }
    }
  }
  return problems;
}

// ---- the same config files as compose ----------------------------------------------------------------------------

// Files in a folder compose mounts that the service never reads, so k8s/ need not carry them.
const NOT_CONFIG = [/(^|\/)README\.md$/, /(^|\/)kustomization\.yaml$/, /^prometheus\/tests\//];

interface ComposeFile {
  service: string;
  /** The file in the repo, e.g. nginx/conf.d/10-upstream.conf. */
  source: string;
  /** Where the container sees it. */
  target: string;
}

/** Every repo file compose bind-mounts into nginx, Prometheus and Grafana (folders expanded), with its target. */
export function composeConfigFiles(services = ['nginx', 'prometheus', 'grafana']): ComposeFile[] {
  const compose = parseYaml(read('compose.yaml')) as { services: Record<string, { volumes?: Array<string | { source: string; target: string; type?: string }> }> };
  const files: ComposeFile[] = [];
  for (const service of services) {
    for (const volume of compose.services[service]?.volumes ?? []) {
      const [source, target] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
      if (!source?.startsWith('./') || !target) continue; // named volumes are data, not config
      const rel = path.normalize(source.slice(2));
      const add = (file: string, to: string): void => {
        if (!NOT_CONFIG.some((re) => re.test(file))) files.push({ service, source: file, target: to });
      };
      const walk = (relDir: string, targetDir: string): void => {
        for (const entry of readdirSync(path.join(repoRoot, relDir)).sort()) {
          const file = path.posix.join(relDir, entry);
          if (statSync(path.join(repoRoot, file)).isDirectory()) walk(file, path.posix.join(targetDir, entry));
          else add(file, path.posix.join(targetDir, entry));
        }
      };
      if (statSync(path.join(repoRoot, rel)).isDirectory()) walk(rel, target);
      else add(rel, target);
    }
  }
  return files;
}

/**
 * What the Deployment's container sees at `target`: the ConfigMap key mounted there (a configMap volume, or a
 * projected volume of configMaps, whose items may place a key under a sub-path), or undefined.
 */
function configMapContentAt(objects: readonly K8sObject[], w: Workload, target: string): { content: string; from: string } | undefined {
  const pod = w.spec.template.spec;
  const dataOf = (name: string, key: string): string | undefined =>
    (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)?.data as Record<string, string> | undefined)?.[key];
  for (const c of pod.containers) {
    for (const m of c.volumeMounts ?? []) {
      const volume = pod.volumes?.find((v) => v.name === m.name);
      // Each source: a ConfigMap and where its keys land inside the volume (a key's own name, unless items say).
      const sources = volume?.configMap ? [{ name: volume.configMap.name, items: undefined }] : (volume?.projected?.sources ?? []).flatMap((s) => (s.configMap ? [s.configMap] : []));
      for (const source of sources) {
        const inVolume = m.subPath !== undefined ? (m.mountPath === target ? m.subPath : undefined) : target.startsWith(`${m.mountPath}/`) ? target.slice(m.mountPath.length + 1) : undefined;
        if (inVolume === undefined) continue;
        const key = source.items === undefined ? (inVolume.includes('/') ? undefined : inVolume) : source.items.find((i) => i.path === inVolume)?.key;
        if (key === undefined) continue;
        const data = dataOf(source.name, key);
        if (data !== undefined) return { content: data, from: `ConfigMap/${source.name} key ${key}` };
      }
    }
  }
  return undefined;
}

/**
 * Every config file compose mounts into nginx, Prometheus and Grafana reaches the same path in the Kubernetes pod,
 * byte for byte, from a ConfigMap generated from that file: one copy, whatever is added to the folders later.
 */
export function checkSameConfigFiles(objects: readonly K8sObject[], files = composeConfigFiles()): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const w = workload(objects, f.service);
    if (!w) {
      problems.push(`no Deployment/${f.service} for compose's ${f.service}`);
      continue;
    }
    const seen = configMapContentAt(objects, w, f.target);
    if (!seen) problems.push(`${id(w)}: ${f.source} (compose mounts it at ${f.target}) is not mounted there from a ConfigMap`);
    else if (seen.content !== read(f.source)) problems.push(`${id(w)}: ${f.target} comes from ${seen.from}, which differs from ${f.source}`);
  }
  return problems;
}

// ---- nginx: the same writable paths as compose -------------------------------------------------------------------

interface ComposeNginx {
  read_only?: boolean;
  tmpfs?: string | string[];
  volumes?: Array<string | { type?: string; target: string; read_only?: boolean }>;
}

/** compose.yaml's nginx service, as written (the file, not `docker compose config`: no engine needed). */
export function composeNginx(): ComposeNginx {
  return (parseYaml(read('compose.yaml')) as { services: Record<string, ComposeNginx> }).services.nginx!;
}

/** Where compose lets nginx write: its tmpfs mounts and any volume not mounted read-only. */
export function composeWritablePaths(nginx: ComposeNginx): string[] {
  const tmpfs = (typeof nginx.tmpfs === 'string' ? [nginx.tmpfs] : nginx.tmpfs ?? []).map((t) => t.split(':')[0]!);
  const volumes = (nginx.volumes ?? []).flatMap((v) => {
    if (typeof v === 'string') {
      const [, target, mode] = v.split(':');
      return target && !(mode ?? '').split(',').includes('ro') ? [target] : [];
    }
    return v.read_only ? [] : [v.target];
  });
  return [...tmpfs, ...volumes].sort();
}

/** Where the Kubernetes nginx container may write: its mounts not marked readOnly, except the kinds the kubelet always mounts read-only. */
export function podWritablePaths(objects: readonly K8sObject[]): string[] {
  const nginx = workload(objects, 'nginx');
  if (!nginx) return [];
  const pod = nginx.spec.template.spec;
  const container = pod.containers.find((c) => c.name === 'nginx');
  return (container?.volumeMounts ?? [])
    .filter((m) => {
      const v = pod.volumes?.find((x) => x.name === m.name);
      return !m.readOnly && !(v?.configMap || v?.secret || v?.projected || v?.downwardAPI);
    })
    .map((m) => m.mountPath)
    .sort();
}

/**
 * nginx runs on a read-only root in both deployments, with the same writable paths: one hardening, and a config
 * (pid, temp paths, the hooks' files) that works in one works in the other.
 */
export function checkNginxWritablePaths(objects: readonly K8sObject[], compose: ComposeNginx = composeNginx()): string[] {
  const problems: string[] = [];
  if (compose.read_only !== true) problems.push('compose.yaml nginx: read_only is not true, while the Kubernetes pod runs nginx on a read-only root');
  const inCompose = composeWritablePaths(compose);
  const inPod = podWritablePaths(objects);
  if (inPod.length === 0) problems.push('Deployment/nginx: no writable mounts found for the nginx container');
  for (const p of inPod.filter((x) => !inCompose.includes(x))) problems.push(`Deployment/nginx: ${p} is writable in the pod but not in compose.yaml (add it to nginx's tmpfs)`);
  for (const p of inCompose.filter((x) => !inPod.includes(x))) problems.push(`compose.yaml nginx: ${p} is writable in compose but not in the pod (an emptyDir in k8s/base/nginx.yaml)`);
  return problems;
}

// nginx's modules that keep temp files, each with a compiled-in default directory it creates at start, used or not.
// https://nginx.org/en/docs/http/ngx_http_core_module.html#client_body_temp_path
const NGINX_TEMP_PATHS = ['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path'];

/**
 * Every file nginx itself writes (the pid file and the five temp directories) is named in nginx.conf, not left to
 * the build's default, and lies under a writable mount of the pod: the same config runs on any nginx build.
 */
export function checkNginxWrites(objects: readonly K8sObject[], nginxConf = read('nginx/nginx.conf')): string[] {
  const problems: string[] = [];
  const writable = podWritablePaths(objects);
  const under = (file: string): boolean => writable.some((dir) => file.startsWith(`${dir}/`));
  const conf = nginxConf.replace(/#.*$/gm, '');
  const pid = /^\s*pid\s+(\S+);/m.exec(conf)?.[1];
  if (!pid) problems.push('nginx.conf: no pid directive: the build\'s default path applies');
  else if (!under(pid)) problems.push(`nginx.conf: pid ${pid} is not under a writable mount (${writable.join(', ')})`);
  for (const directive of NGINX_TEMP_PATHS) {
    const dir = new RegExp(`^\\s*${directive}\\s+(\\S+?)[\\s;]`, 'm').exec(conf)?.[1];
    if (!dir) problems.push(`nginx.conf: no ${directive}: the build's compiled-in default applies (Debian's: /var/lib/nginx/...)`);
    else if (!under(dir)) problems.push(`nginx.conf: ${directive} ${dir} is not under a writable mount (${writable.join(', ')})`);
  }
  return problems;
}
