// Turns `docker compose config --format json` (compose.yaml, plus compose.offline.yaml offline) into a
// `docker stack deploy` file, then merges swarm/stack.overlay.yaml over it. compose.yaml stays the one source
// of truth for everything the two deployments share; only what Swarm does differently is written in the overlay.
//
// What changes, and why (swarm/README.md has the long form):
//  - compose-only keys go (build, depends_on, profiles, container_name); `docker stack deploy` rejects some of
//    them and ignores the rest. Services compose leaves out (inactive profiles) are not in the input at all.
//  - bind mounts become Swarm configs, one per file, named by a hash of the content: configs are immutable, and a
//    new name per content is what makes a changed file roll out as a service update. Directories are expanded.
//  - secrets become Swarm secrets, named by content hash too; build-only secrets go with `build`.
//  - `tmpfs:` becomes a tmpfs mount; `restart:` becomes deploy.restart_policy.
//  - ports publish in host mode (no routing mesh here: the kernel has no IPVS), every service gets
//    endpoint_mode dnsrr (no virtual IP), and the default network is an overlay.
//  - images get the registry prefix the nodes pull from, when there is one.
//  - security_opt goes: Swarm services (Engine 20.10) have no no-new-privileges; the rest of the hardening
//    (read_only, cap_drop ALL, a non-root USER, limits) stays.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface StackOptions {
  /** The stack's name (`docker stack deploy <stack>`): prefixes config and secret names. */
  readonly stack: string;
  /** Registry host[:port] the nodes pull from; every image is prefixed with it. Empty: images as they are. */
  readonly registry?: string;
  /** Reads a file for configs and secrets (tests pass a fake file system). */
  readonly files?: FileSource;
}

export interface FileSource {
  isDirectory(p: string): boolean;
  /** Files under a directory, recursively, as absolute paths. */
  list(dir: string): string[];
  read(p: string): Buffer;
  /** Whether anyone may execute the file (entrypoint hooks must stay executable). */
  isExecutable(p: string): boolean;
}

export const realFiles: FileSource = {
  isDirectory: (p) => statSync(p).isDirectory(),
  list: (dir) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .sort(),
  read: (p) => readFileSync(p),
  isExecutable: (p) => (statSync(p).mode & 0o111) !== 0,
};

/** Keys `docker stack deploy` rejects or ignores, and that mean nothing on a swarm. */
const COMPOSE_ONLY = ['build', 'depends_on', 'profiles', 'container_name', 'pull_policy', 'security_opt', 'restart', 'tmpfs'] as const;

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: Json | undefined, what: string): JsonObject {
  if (!isObject(v)) throw new Error(`${what}: expected an object`);
  return v;
}

/** Swarm object names: letters, digits, `-`, `_`, `.`; the hash keeps them unique per content. */
export function contentName(stack: string, base: string, content: Buffer): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 12);
  const safe = base.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 30);
  return `${stack}_${safe}_${hash}`;
}

/** `"/tmp:size=64m"` -> a tmpfs mount with its size in bytes. */
export function tmpfsMount(spec: string): JsonObject {
  const [target, ...opts] = spec.split(':');
  const mount: JsonObject = { type: 'tmpfs', target: target ?? spec };
  for (const opt of opts.join(':').split(',').filter(Boolean)) {
    const [k, v] = opt.split('=');
    if (k === 'size' && v) mount.tmpfs = { size: bytes(v) };
    else throw new Error(`tmpfs ${spec}: option ${opt} has no Swarm equivalent here`);
  }
  return mount;
}

function bytes(v: string): number {
  const m = /^(\d+)([kmg]?)b?$/i.exec(v);
  if (!m) throw new Error(`size ${v}: expected a number with k, m or g`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

const RESTART: Record<string, string> = { always: 'any', 'unless-stopped': 'any', 'on-failure': 'on-failure', no: 'none' };

/** Deep merge: objects merge key by key, everything else (lists included) is replaced by the overlay's value. */
export function merge(base: Json | undefined, over: Json): Json {
  if (isObject(base) && isObject(over)) {
    const out: JsonObject = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
    return out;
  }
  return over;
}

/** The stack file: compose's config made Swarm-ready, with the overlay merged over it. */
export function toStack(config: JsonObject, overlay: JsonObject, options: StackOptions): JsonObject {
  const files = options.files ?? realFiles;
  const services = obj(config.services, 'services');
  const configs: JsonObject = {};
  const secretsIn = isObject(config.secrets) ? config.secrets : {};
  const secretsOut: JsonObject = {};
  const out: JsonObject = {};

  const addConfig = (file: string, target: string): Json => {
    const content = files.read(file);
    const name = contentName(options.stack, path.basename(file), content);
    configs[name] = { name, file };
    // 0o555 for hooks and scripts the image runs, 0o444 for the rest (nothing needs to write them).
    return { source: name, target, mode: files.isExecutable(file) ? 0o555 : 0o444 };
  };

  for (const [name, raw] of Object.entries(services)) {
    const svc: JsonObject = { ...obj(raw, `services.${name}`) };
    const restart = svc.restart;
    const tmpfs = svc.tmpfs;
    for (const key of COMPOSE_ONLY) delete svc[key];
    for (const key of Object.keys(svc)) if (svc[key] === null) delete svc[key];

    const deploy: JsonObject = { ...(isObject(svc.deploy) ? svc.deploy : {}) };
    deploy.endpoint_mode = 'dnsrr';
    if (typeof restart === 'string') {
      const condition = RESTART[restart];
      if (!condition) throw new Error(`services.${name}.restart: ${restart} has no Swarm restart_policy`);
      deploy.restart_policy = { condition };
    }
    const resources = isObject(deploy.resources) ? deploy.resources : undefined;
    const limits = resources && isObject(resources.limits) ? resources.limits : undefined;
    // The stack schema wants cpus as a string.
    if (limits && typeof limits.cpus === 'number') limits.cpus = String(limits.cpus);
    svc.deploy = deploy;

    if (typeof svc.image === 'string' && options.registry) svc.image = `${options.registry}/${svc.image}`;

    const volumes: Json[] = [];
    const serviceConfigs: Json[] = [];
    for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) {
      const vol = obj(v, `services.${name}.volumes[]`);
      if (vol.type !== 'bind') {
        volumes.push(vol);
        continue;
      }
      const source = String(vol.source);
      const target = String(vol.target);
      if (vol.read_only !== true) throw new Error(`services.${name}: bind mount ${source} is writable; a Swarm config is read-only`);
      if (files.isDirectory(source)) {
        for (const file of files.list(source)) {
          if (file.endsWith('.md')) continue; // folder READMEs are for people
          serviceConfigs.push(addConfig(file, path.posix.join(target, path.relative(source, file).split(path.sep).join('/'))));
        }
      } else {
        serviceConfigs.push(addConfig(source, target));
      }
    }
    for (const spec of Array.isArray(tmpfs) ? tmpfs : []) volumes.push(tmpfsMount(String(spec)));
    if (volumes.length > 0) svc.volumes = volumes;
    else delete svc.volumes;
    if (serviceConfigs.length > 0) svc.configs = serviceConfigs;

    if (Array.isArray(svc.ports)) {
      svc.ports = svc.ports.map((p) => {
        const port = obj(p, `services.${name}.ports[]`);
        // Host mode: the port is bound on the node the task runs on, on every address (Swarm has no host_ip).
        return { mode: 'host', target: Number(port.target), published: Number(port.published), protocol: port.protocol ?? 'tcp' };
      });
    }

    if (Array.isArray(svc.secrets)) {
      svc.secrets = svc.secrets.map((s) => {
        const ref = obj(s, `services.${name}.secrets[]`);
        const key = String(ref.source);
        const def = obj(secretsIn[key], `secrets.${key}`);
        if (typeof def.file !== 'string') throw new Error(`secrets.${key}: only file secrets are supported`);
        const secretName = contentName(options.stack, key, files.read(def.file));
        secretsOut[secretName] = { name: secretName, file: def.file };
        // 0444, like compose's file secrets (mounted as the file is, 0644): Swarm mounts secrets owned by root, and
        // the images' non-root users (the api's `node`, valkey's `valkey`) must read theirs. The tmpfs it lives on is
        // visible inside that task's container only.
        return { source: secretName, target: String(ref.target ?? key), mode: 0o444 };
      });
    }
    out[name] = svc;
  }

  const overlayServices = isObject(overlay.services) ? overlay.services : {};
  for (const [name, over] of Object.entries(overlayServices)) {
    // The overlay may name services this mode leaves out (Grafana offline): they stay out.
    if (out[name] !== undefined) out[name] = merge(out[name], over);
  }

  const stack: JsonObject = { services: out, networks: stackNetworks(config) };
  if (isObject(config.volumes) && Object.keys(config.volumes).length > 0) {
    // Named volumes: node-local, created by Swarm on the node the task lands on (hence the placement constraints).
    stack.volumes = Object.fromEntries(Object.keys(config.volumes).map((k) => [k, {}]));
  }
  if (Object.keys(configs).length > 0) stack.configs = configs;
  if (Object.keys(secretsOut).length > 0) stack.secrets = secretsOut;
  return stack;
}

/**
 * compose's networks as overlays spanning the nodes. `internal` stays (the session store's network has no route out
 * and nothing on it is published); compose's `name` goes, so `docker stack deploy` prefixes each with the stack.
 * The default network is attachable: a container started by hand on a node (a debugging shell) can join it.
 */
export function stackNetworks(config: JsonObject): JsonObject {
  const networks: JsonObject = { default: {} };
  for (const [name, raw] of Object.entries(isObject(config.networks) ? config.networks : {})) {
    const net = isObject(raw) ? raw : {};
    if (net.external === true) throw new Error(`networks.${name}: external networks must exist on the swarm; not supported`);
    networks[name] = net.internal === true ? { internal: true } : {};
  }
  for (const [name, net] of Object.entries(networks)) {
    networks[name] = { driver: 'overlay', ...(name === 'default' ? { attachable: true } : {}), ...(net as JsonObject) };
  }
  return networks;
}

/** Every image the stack runs, for pushing to the registry: [as built locally, as the nodes pull it]. */
export function stackImages(config: JsonObject, registry: string): Array<[string, string]> {
  const services = obj(config.services, 'services');
  const images = new Set<string>();
  for (const svc of Object.values(services)) {
    const image = obj(svc, 'service').image;
    if (typeof image === 'string') images.add(image);
  }
  return [...images].sort().map((i) => [i, `${registry}/${i}`]);
}
