// Renders the k8s/ overlays with `kubectl kustomize` (no cluster needed) and validates every object strictly
// against the Kubernetes schema of the targeted release: unknown fields are errors, as `kubectl apply
// --validate=strict` would make them on a real API server.
//
// The schema: client-go's structural schema of every built-in type (applyconfigurations/internal/internal.go),
// which client-go generates from the Kubernetes OpenAPI spec of its release (client-go 0.36 = Kubernetes 1.36).
// tools/host/install-engine.sh takes it, with kubectl, from Debian's packages of that release; the machine reaches
// no other source of it. It gives every field's name and type (scalar, list, map, named type), not required fields
// or enums: the API server checks those, and tests/k8s's cross-checks the ones this stack depends on.
// Each type becomes a JSON Schema with additionalProperties: false, checked by ajv.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { repoRoot } from '../../tools/lib/repo.js';

export { repoRoot };

export const OVERLAYS = ['kind', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
export const SCHEMA_DIR = process.env.K8S_SCHEMA_DIR ?? '/usr/local/share/scaleout/k8s-schema';

/** A Kubernetes object as rendered: kept loose on purpose, the schema is what types it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** `kubectl kustomize k8s/overlays/<overlay>`, parsed. */
export function renderOverlay(overlay: string): K8sObject[] {
  return renderKustomization(path.join('k8s/overlays', overlay));
}

/** `kubectl kustomize <dir>` (relative to the repo), parsed. */
export function renderKustomization(dir: string): K8sObject[] {
  const yaml = execFileSync(KUBECTL, ['kustomize', path.join(repoRoot, dir)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseObjects(yaml);
}

export function parseObjects(yaml: string): K8sObject[] {
  return parseAllDocuments(yaml)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** A deep copy, for planting a mistake in one test without touching the others' objects. */
export function cloneObjects(objects: readonly K8sObject[]): K8sObject[] {
  return structuredClone(objects) as K8sObject[];
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

// ---- the schema ------------------------------------------------------------------------------------------------

/** structured-merge-diff's schema language (sigs.k8s.io/structured-merge-diff/schema/elements.go). */
interface SmdTypeRef {
  namedType?: string;
  scalar?: 'string' | 'numeric' | 'boolean' | 'untyped';
  list?: { elementType: SmdTypeRef };
  map?: SmdMap;
}
interface SmdMap {
  fields?: Array<{ name: string; type: SmdTypeRef }>;
  elementType?: SmdTypeRef;
}
interface SmdNamedType extends SmdTypeRef {
  name: string;
}

type JsonSchema = Record<string, unknown>;

// Types that are "anything" in the schema: embedded raw objects and the deduced fallback.
const UNTYPED = new Set(['__untyped_atomic_', '__untyped_deduced_']);

function toJsonSchema(ref: SmdTypeRef): JsonSchema {
  if (ref.namedType !== undefined) return UNTYPED.has(ref.namedType) ? {} : { $ref: `#/definitions/${ref.namedType}` };
  // A named type may be a scalar AND a map/list at once only for the untyped ones (handled above); elsewhere
  // exactly one of these is set.
  if (ref.map) {
    const properties: Record<string, JsonSchema> = {};
    for (const field of ref.map.fields ?? []) properties[field.name] = toJsonSchema(field.type);
    return {
      type: 'object',
      properties,
      // The strictness: a field the type does not declare (a typo like `resourcez`) is an error. Open maps
      // (labels, data, ...) declare an element type instead.
      additionalProperties: ref.map.elementType ? toJsonSchema(ref.map.elementType) : false,
    };
  }
  if (ref.list) return { type: 'array', items: toJsonSchema(ref.list.elementType) };
  switch (ref.scalar) {
    case 'string':
      return { type: 'string' };
    case 'numeric':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    default:
      // untyped scalars: Quantity ("500m" or 2), IntOrString ("http" or 3000), Time.
      return { type: ['string', 'number'] };
  }
}

export interface KubernetesSchema {
  /** The release the schema is from, e.g. "1.36" (from client-go's version 0.36.x). */
  kubernetesVersion: string;
  /** Problems with one object, as "<kind>/<name> <path>: <message>"; empty when it validates. */
  validate(object: K8sObject): string[];
}

/** The schema's type name for an object's apiVersion and kind: apps/v1 Deployment -> io.k8s.api.apps.v1.Deployment. */
export function schemaTypeName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  return `io.k8s.api.${group!.replace(/\.k8s\.io$/, '')}.${version}.${kind}`;
}

let cached: KubernetesSchema | undefined;

export function loadKubernetesSchema(): KubernetesSchema {
  if (cached) return cached;
  let text: string;
  let clientGo: string;
  try {
    text = readFileSync(path.join(SCHEMA_DIR, 'schema.yaml'), 'utf8');
    clientGo = readFileSync(path.join(SCHEMA_DIR, 'client-go-version'), 'utf8').trim();
  } catch {
    throw new Error(`no Kubernetes schema in ${SCHEMA_DIR}: run tools/host/install-engine.sh (as root) to install it with kubectl`);
  }
  const types = (parseYaml(text) as { types: SmdNamedType[] }).types;
  const definitions: Record<string, JsonSchema> = {};
  for (const t of types) if (!UNTYPED.has(t.name)) definitions[t.name] = toJsonSchema(t);
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema({ $id: 'k8s', definitions });
  const validators = new Map<string, ValidateFunction>();
  const minor = /^0\.(\d+)\./.exec(clientGo)?.[1];
  if (minor === undefined) throw new Error(`${SCHEMA_DIR}/client-go-version: unexpected "${clientGo}"`);

  cached = {
    kubernetesVersion: `1.${minor}`,
    validate(object) {
      const where = `${object.kind}/${object.metadata?.name ?? '?'}`;
      const typeName = schemaTypeName(object.apiVersion, object.kind);
      if (!definitions[typeName]) return [`${where}: ${object.apiVersion} ${object.kind} is not a type of Kubernetes 1.${minor}`];
      let validator = validators.get(typeName);
      if (!validator) {
        validator = ajv.getSchema(`k8s#/definitions/${typeName}`)!;
        validators.set(typeName, validator);
      }
      if (validator(object)) return [];
      return (validator.errors ?? []).map((e) => `${where} ${describe(e)}`);
    },
  };
  return cached;
}

function describe(error: ErrorObject): string {
  const at = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') return `${at}: unknown field "${String(error.params.additionalProperty)}"`;
  return `${at}: ${error.message ?? error.keyword}`;
}
