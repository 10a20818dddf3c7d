// How much load can the runner itself drive per CPU core? The runner shares 2 cores with nginx and the api
// workers, so its own cost decides how much of the machine is left for the system under test.
//
// Method: a trivial server (testing/fakeApiServer, 0 ms latency) runs in a child process pinned to CPU 1; this
// process (the runner) pins itself to CPU 0 and runs a closed model with 64 keep-alive connections, no sleep.
// Reported: achieved req/s, the runner's CPU time (process.cpuUsage), and req per runner CPU-second, i.e. the
// rate one fully busy core could drive. Run: `node tools/build/tools/loadrunner/bench/runnerCapacity.js [seconds] [connections]`.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { runLoad } from '../src/runLoad.js';

const durationSec = Number(process.argv[2] ?? '10');
const connections = Number(process.argv[3] ?? '64');
const serverScript = fileURLToPath(new URL('../testing/fakeApiServerProcess.js', import.meta.url));
const canPin = spawnSync('taskset', ['-V']).status === 0 && cpus().length >= 2;

if (canPin) spawnSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
const server = canPin
  ? spawn('taskset', ['-c', '1', process.execPath, serverScript], { stdio: ['pipe', 'pipe', 'inherit'] })
  : spawn(process.execPath, [serverScript], { stdio: ['pipe', 'pipe', 'inherit'] });
const baseUrl = await new Promise<string>((resolve, reject) => {
  const lines = createInterface({ input: server.stdout! });
  lines.on('line', (line) => {
    const match = /^listening (\S+)$/.exec(line);
    if (match?.[1] !== undefined) resolve(match[1]);
  });
  server.once('exit', (code) => reject(new Error(`fake server exited early (${code})`)));
  setTimeout(() => reject(new Error('fake server did not start within 5 s')), 5000).unref();
});

try {
  // Warm-up (JIT, connection setup), not measured.
  await runLoad({ baseUrl, scenario: { model: 'closed', vus: connections, durationSec: 2 }, requests: [{ path: '/' }], gracefulStopMs: 2000 });
  const cpuBefore = process.cpuUsage();
  const result = await runLoad({
    baseUrl,
    scenario: { model: 'closed', vus: connections, durationSec },
    requests: [{ path: '/', headers: ({ vu }) => ({ 'x-client-id': `vu-${vu}` }) }],
    gracefulStopMs: 2000,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    pinned: canPin ? 'runner on CPU 0, server on CPU 1' : 'not pinned',
    connections,
    durationSec: Number(result.elapsedSec.toFixed(2)),
    requests: result.requests,
    failed: result.failed,
    achievedRps: Math.round(result.throughputRps),
    runnerCpuSec: Number(cpuSec.toFixed(2)),
    runnerCpuUtilization: Number((cpuSec / result.elapsedSec).toFixed(2)),
    requestsPerRunnerCpuSecond: Math.round(result.requests / cpuSec),
    p99Ms: Number(result.latency.p99Ms.toFixed(2)),
    // Other work on the machine lowers achievedRps (the server's core is shared) but hardly the per-CPU-second figure.
    loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  server.kill('SIGTERM');
}
