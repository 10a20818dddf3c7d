// Runs startFakeApiServer() in its own process (for the capacity bench, so server and runner do not share a
// thread). Prints `listening <baseUrl>` on stdout; exits on SIGTERM or when stdin closes.
import { startFakeApiServer } from './fakeApiServer.js';

const workers = (process.env['FAKE_WORKERS'] ?? 'api-1/0,api-1/1,api-2/0,api-2/1').split(',');
const latencyMs = Number(process.env['FAKE_LATENCY_MS'] ?? '0');
const server = await startFakeApiServer({ workers, latencyMs });
process.stdout.write(`listening ${server.baseUrl}\n`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
