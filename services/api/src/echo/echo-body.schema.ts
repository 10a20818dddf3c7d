// The POST /echo body, validated by a small hand-written Standard Schema (https://standardschema.dev).
// @nestjs/common 12 validates any Standard Schema through StandardSchemaValidationPipe, so we need
// neither class-validator nor class-transformer (and their weight in the image) for one DTO.
//
// Rules: a JSON object with `message` (string, 1..1000 chars), optional `count` (integer 0..1000),
// optional `tags` (at most 10 strings of 1..50 chars). Unknown fields are an error, not silently dropped,
// so a client typo (`mesage`) gets a 400 instead of a confusing success.

import type { StandardSchemaV1 } from '@standard-schema/spec';

export interface EchoBody {
  message: string;
  count?: number;
  tags?: string[];
}

export const ECHO_LIMITS = {
  messageMaxLength: 1000,
  countMax: 1000,
  tagsMaxItems: 10,
  tagMaxLength: 50,
} as const;

const KNOWN_FIELDS: ReadonlySet<string> = new Set(['message', 'count', 'tags']);

type Issue = StandardSchemaV1.Issue;

function issue(message: string, ...path: PropertyKey[]): Issue {
  return { message, path };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function validateEchoBody(input: unknown): StandardSchemaV1.Result<EchoBody> {
  if (!isPlainObject(input)) return { issues: [issue('body must be a JSON object')] };
  const issues: Issue[] = [];

  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key)) issues.push(issue('unknown field', key));
  }

  const { message, count, tags } = input;
  if (typeof message !== 'string') {
    issues.push(issue('must be a string', 'message'));
  } else if (message.length < 1 || message.length > ECHO_LIMITS.messageMaxLength) {
    issues.push(issue(`must be 1..${ECHO_LIMITS.messageMaxLength} characters`, 'message'));
  }

  if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > ECHO_LIMITS.countMax)) {
    issues.push(issue(`must be an integer 0..${ECHO_LIMITS.countMax}`, 'count'));
  }

  if (tags !== undefined) {
    if (!Array.isArray(tags)) {
      issues.push(issue('must be an array of strings', 'tags'));
    } else {
      if (tags.length > ECHO_LIMITS.tagsMaxItems) issues.push(issue(`must have at most ${ECHO_LIMITS.tagsMaxItems} items`, 'tags'));
      tags.slice(0, ECHO_LIMITS.tagsMaxItems).forEach((tag: unknown, index) => {
        if (typeof tag !== 'string' || tag.length < 1 || tag.length > ECHO_LIMITS.tagMaxLength) {
          issues.push(issue(`must be a string of 1..${ECHO_LIMITS.tagMaxLength} characters`, 'tags', index));
        }
      });
    }
  }

  if (issues.length > 0) return { issues };
  // Build a fresh object from the known fields only, so nothing else from the input travels on.
  const value: EchoBody = { message: message as string };
  if (count !== undefined) value.count = count as number;
  if (tags !== undefined) value.tags = [...(tags as string[])];
  return { value };
}

export const echoBodySchema: StandardSchemaV1<unknown, EchoBody> = {
  '~standard': {
    version: 1,
    vendor: 'scaleout-api',
    validate: validateEchoBody,
  },
};
