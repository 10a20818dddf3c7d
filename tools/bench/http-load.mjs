// A minimal closed-loop HTTP load generator with no dependencies, for tools/bench/proxy.ts: it must run both on the
// host and inside a container of the stack's network (the api image's own node), so the two paths are measured by
// the same code. Each of CONNECTIONS loops sends GET <url>, reads the whole body, and sends the next request on the
// same keep-alive connection, for DURATION seconds.
//   node http-load.mjs <url> <connections> <duration-seconds>
// Prints one JSON line: requests, errors, seconds, rps, p50Ms, p99Ms.
import http from 'node:http';

const [url, connectionsArg, durationArg] = process.argv.slice(2);
if (!url || !connectionsArg || !durationArg) {
  console.error('usage: node http-load.mjs <url> <connections> <duration-seconds>');
  process.exit(2);
}
const connections = Number(connectionsArg);
const durationMs = Number(durationArg) * 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies = [];
let errors = 0;

function once() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.get(url, { agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        else errors++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
  });
}

const t0 = Date.now();
const deadline = t0 + durationMs;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (Date.now() < deadline) await once();
  }),
);
const seconds = (Date.now() - t0) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
console.log(JSON.stringify({ requests: latencies.length, errors, seconds, rps: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99) }));
