// `make loadtest`'s first step: prints the topology the run must cover, as shell assignments the Makefile evals and
// passes to the Node runner (environment) and to k6 (`-e`):
//   EXPECTED_REPLICAS=api-4,api-5,api-6 EXPECTED_WORKERS=2
// Given EXPECTED_REPLICAS and EXPECTED_WORKERS win (both, or neither); otherwise they are read from the running
// stack (tools/lib/liveWorkers.ts: the workers Prometheus scrapes, of the api containers that run). The spread
// thresholds (k6/lib/fairness.js, assertSpread) then fail a run in which any of them served nothing.
//   node tools/build/tools/loadrunner/src/liveTopology.js --prometheus http://127.0.0.1:9090
// Exit 2, with the reason on stderr, when Prometheus can't be asked or sees no worker: better no run than a run
// that can't see a collapsed spread.
import { parseArgs } from 'node:util';
import { expectedReplicaNames } from '../../../k6/lib/fairness.js';
import { waitForLiveTopology } from '../../lib/liveWorkers.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { prometheus: { type: 'string' }, timeout: { type: 'string', default: '30' } } });
  const givenReplicas = process.env.EXPECTED_REPLICAS?.trim() ?? '';
  const givenWorkers = process.env.EXPECTED_WORKERS?.trim() ?? '';
  if (givenReplicas !== '' || givenWorkers !== '') {
    if (givenReplicas === '' || givenWorkers === '') {
      console.error('EXPECTED_REPLICAS and EXPECTED_WORKERS go together: give both, or neither (then they are read from the stack)');
      return 2;
    }
    const names = expectedReplicaNames(givenReplicas);
    if (!/^[1-9]\d*$/.test(givenWorkers)) throw new Error(`EXPECTED_WORKERS must be an integer >= 1 (got ${JSON.stringify(givenWorkers)})`);
    console.error(`expected topology (given): ${names.join(',')} x ${givenWorkers} workers`);
    console.log(`EXPECTED_REPLICAS=${names.join(',')} EXPECTED_WORKERS=${givenWorkers}`);
    return 0;
  }
  if (values.prometheus === undefined) throw new Error('--prometheus <url> is needed when EXPECTED_REPLICAS/EXPECTED_WORKERS are not given');
  let topology;
  try {
    topology = await waitForLiveTopology(values.prometheus, Number(values.timeout) * 1000);
  } catch (err) {
    console.error(`cannot read the stack's workers from Prometheus at ${values.prometheus} (${(err as Error).message}); is the stack up (make up)? Or give EXPECTED_REPLICAS and EXPECTED_WORKERS.`);
    return 2;
  }
  if (topology.replicas.length === 0 || topology.workers === 0) {
    console.error(`Prometheus at ${values.prometheus} sees no live api worker; is the stack up (make up)?`);
    return 2;
  }
  // Validated as given ones are: the line is eval'd by the Makefile.
  const names = expectedReplicaNames(topology.replicas.join(','));
  if (topology.missing.length > 0) console.error(`warning: Prometheus has no fresh sample of ${topology.missing.join(', ')} yet; they are not expected to serve`);
  console.error(`expected topology (from Prometheus): ${names.join(',')} x ${topology.workers} workers (${topology.seen.length} live: ${topology.seen.join(' ')})`);
  console.log(`EXPECTED_REPLICAS=${names.join(',')} EXPECTED_WORKERS=${topology.workers}`);
  return 0;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  console.error(`liveTopology: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
