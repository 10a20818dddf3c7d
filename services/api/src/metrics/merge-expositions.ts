// Merges several Prometheus text expositions (one per pm2 worker) into one.
//
// Prometheus expects each metric family once: one HELP, one TYPE, then all of its samples together.
// Concatenating the workers' texts would repeat `# TYPE http_requests_total counter` per worker, which
// Prometheus rejects ("second TYPE line for metric name"). The workers' series never collide because
// every series carries the `worker` label; if two texts still hold the same series (a misconfigured
// WORKERS/NODE_APP_INSTANCE), the first one wins, since a duplicate sample fails the whole scrape.
// Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

interface MetricFamily {
  name: string;
  help: string | undefined;
  type: string | undefined;
  samples: string[];
}

// A histogram `x` owns `x_bucket`, `x_sum` and `x_count`; a counter may be written as `x_total`.
const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_gcount', '_gsum', '_info'];

function sampleBelongsTo(sampleName: string, familyName: string): boolean {
  if (sampleName === familyName) return true;
  if (!sampleName.startsWith(familyName)) return false;
  return FAMILY_SUFFIXES.includes(sampleName.slice(familyName.length));
}

/** The metric name of a sample line: everything before `{` or the first space. */
function sampleName(line: string): string {
  const match = /^[^{\s]+/.exec(line);
  return match ? match[0] : line;
}

/** The series identity of a sample line: name plus label set, without value and timestamp. */
export function seriesKey(line: string): string {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  if (brace === -1 || (space !== -1 && space < brace)) return space === -1 ? line : line.slice(0, space);
  // Label values may contain `}` or escaped quotes, so walk the quoted strings.
  let inQuotes = false;
  for (let i = brace + 1; i < line.length; i++) {
    const ch = line[i];
    if (inQuotes) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuotes = false;
    } else if (ch === '"') {
      inQuotes = true;
    } else if (ch === '}') {
      return line.slice(0, i + 1);
    }
  }
  return line;
}

export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, MetricFamily>();
  const seenSeries = new Set<string>();

  const familyFor = (name: string): MetricFamily => {
    let family = families.get(name);
    if (!family) {
      family = { name, help: undefined, type: undefined, samples: [] };
      families.set(name, family);
    }
    return family;
  };

  for (const text of texts) {
    let current: MetricFamily | undefined;
    for (const rawLine of text.split('\n')) {
      const line = rawLine.trimEnd();
      if (line === '') continue;
      if (line.startsWith('#')) {
        const header = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
        if (!header) continue; // other comments carry nothing Prometheus needs
        const [, kind, name = '', rest = ''] = header;
        current = familyFor(name);
        if (kind === 'HELP') current.help ??= rest;
        else current.type ??= rest;
        continue;
      }
      const name = sampleName(line);
      const family = current && sampleBelongsTo(name, current.name) ? current : familyFor(name);
      const key = seriesKey(line);
      if (seenSeries.has(key)) continue;
      seenSeries.add(key);
      family.samples.push(line);
    }
  }

  const out: string[] = [];
  for (const family of families.values()) {
    if (family.help !== undefined) out.push(`# HELP ${family.name} ${family.help}`);
    if (family.type !== undefined) out.push(`# TYPE ${family.name} ${family.type}`);
    out.push(...family.samples);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
