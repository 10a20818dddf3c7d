// Interleaved A/B/C... load for tools/bench/proxy-variants.ts: one load generator, one process, that sends to each
// URL in turn for a short slice, cycle after cycle, so whatever else the machine is doing hits every URL alike
// (slices of a fraction of a second, not runs minutes apart). Each URL keeps its own keep-alive pool of
// CONNECTIONS sockets; during a slice CONNECTIONS loops send GET <url>, read the whole body, and send the next.
//   node http-load-interleaved.mjs <connections> <slice-ms> <cycles> <url> [<url> ...]
// Prints one JSON line: [{ url, requests, errors, sliceRps: [...] }] in the order given.
import http from 'node:http';

const [connectionsArg, sliceArg, cyclesArg, ...urls] = process.argv.slice(2);
if (!connectionsArg || !sliceArg || !cyclesArg || urls.length === 0) {
  console.error('usage: node http-load-interleaved.mjs <connections> <slice-ms> <cycles> <url> [<url> ...]');
  process.exit(2);
}
const connections = Number(connectionsArg);
const sliceMs = Number(sliceArg);
const cycles = Number(cyclesArg);
const targets = urls.map((url) => ({ url, agent: new http.Agent({ keepAlive: true, maxSockets: connections }), requests: 0, errors: 0, sliceRps: [] }));

function once(target) {
  return new Promise((resolve) => {
    const req = http.get(target.url, { agent: target.agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        if (res.statusCode === 200) target.requests++;
        else target.errors++;
        resolve(res.statusCode === 200 ? 1 : 0);
      });
    });
    req.on('error', () => {
      target.errors++;
      resolve(0);
    });
  });
}

async function slice(target) {
  const t0 = performance.now();
  const deadline = t0 + sliceMs;
  let done = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) {
      // Not `done += await once()`: that reads `done` before the await and loses the other loops' counts.
      const ok = await once(target);
      done += ok;
    }
  }));
  target.sliceRps.push(done / ((performance.now() - t0) / 1000));
}

for (let c = 0; c < cycles; c++) {
  // Rotate the start so no URL always follows the same one.
  for (let i = 0; i < targets.length; i++) await slice(targets[(i + c) % targets.length]);
}
for (const t of targets) t.agent.destroy();
console.log(JSON.stringify(targets.map(({ url, requests, errors, sliceRps }) => ({ url, requests, errors, sliceRps }))));
