// What the kind tests (tests/kind, run by .github/workflows/k8s.yml after `make k8s-up`) need to drive the cluster:
// kubectl in the stack's namespace, the api Deployment's pods, and nginx's access log.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
export const NAMESPACE = process.env.K8S_NAMESPACE ?? 'scaleout';

/** `kubectl -n scaleout <args>`; rejects with kubectl's stderr on a non-zero exit. */
export async function kubectl(args: readonly string[], timeoutMs = 300_000): Promise<string> {
  try {
    const { stdout } = await run(KUBECTL, ['-n', NAMESPACE, ...args], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

/** Waits for a Deployment's rollout; resolves false (instead of rejecting) when it does not finish in time. */
export async function rolloutFinishes(deployment: string, timeoutSec: number): Promise<boolean> {
  try {
    await kubectl(['rollout', 'status', `deployment/${deployment}`, `--timeout=${timeoutSec}s`], (timeoutSec + 30) * 1000);
    return true;
  } catch {
    return false;
  }
}

export interface PodState {
  name: string;
  ready: boolean;
  image: string;
  deleting: boolean;
}

export async function apiPods(): Promise<PodState[]> {
  const list = JSON.parse(await kubectl(['get', 'pods', '-l', 'app.kubernetes.io/name=api', '-o', 'json'])) as {
    items: Array<{ metadata: { name: string; deletionTimestamp?: string }; spec: { containers: Array<{ image: string }> }; status: { conditions?: Array<{ type: string; status: string }> } }>;
  };
  return list.items.map((p) => ({
    name: p.metadata.name,
    ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    image: p.spec.containers[0]!.image,
    deleting: p.metadata.deletionTimestamp !== undefined,
  }));
}

/** nginx's access log lines (JSON, nginx/nginx.conf) since `sinceSec` seconds ago, from every nginx pod. */
export async function nginxAccessLog(sinceSec: number): Promise<Array<{ request_id?: string; upstream_addr?: string; upstream_status?: string; status?: number }>> {
  const text = await kubectl(['logs', '-l', 'app.kubernetes.io/name=nginx', '-c', 'nginx', `--since=${Math.ceil(sinceSec)}s`, '--tail=-1', '--max-log-requests=10']);
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}

/**
 * How many of these requests nginx had to send to a second pod (its access log lists two upstream addresses):
 * the first pod it chose refused or dropped the request, i.e. nginx still had a pod that had stopped serving.
 * With the preStop delay that never happens; without it nginx's retries hide most such requests from the client,
 * so counting them is what shows the difference.
 */
export async function retriedByNginx(requestIds: ReadonlySet<string>, sinceSec: number): Promise<number> {
  // The access log is buffered for up to 1 s (nginx.conf: flush=1s).
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const lines = await nginxAccessLog(sinceSec + 5);
  return lines.filter((l) => l.request_id !== undefined && requestIds.has(l.request_id) && (l.upstream_addr ?? '').includes(',')).length;
}
