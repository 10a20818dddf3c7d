// Does a suite target the ports make was given? Each end-to-end suite's first test (NN = 00) checks that every port
// variable reached it from make, and that the stack under test publishes exactly those ports. A variable lost on the
// way (a hand-off missed in one recipe) otherwise shows only as a suite quietly testing the default ports; CI runs
// make test on non-default ports (.ci/run), so there a lost variable fails here, by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, docker, stackComposeCommand } from '../../tools/lib/docker.js';

/** A port variable and where it is published: a compose service's container port, or a container's (the swarm). */
interface Published { variable: string; service: string; containerPort: number }

// The container ports are fixed by the images (nginx listens on 8080 and 8443 unprivileged; Prometheus on 9090).
const STACK_PORTS: readonly Published[] = [
  { variable: 'HTTP_PORT', service: 'nginx', containerPort: 8080 },
  { variable: 'HTTPS_PORT', service: 'nginx', containerPort: 8443 },
  { variable: 'PROMETHEUS_PORT', service: 'prometheus', containerPort: 9090 },
];

function given(variable: string): number {
  const value = process.env[variable];
  assert.ok(value, `${variable} did not reach this suite: make exports it (Makefile), so a recipe or script dropped it`);
  return Number(value);
}

/** `127.0.0.1:18080` (docker port's output) to 18080; the first mapping (IPv4) when there are two. */
function hostPort(portOutput: string): number {
  const first = portOutput.trim().split('\n')[0] ?? '';
  return Number(first.slice(first.lastIndexOf(':') + 1));
}

/** The compose stack's suites (stack, ops, faults, labs). */
export function testComposeTargets(): void {
  test('the suite targets the ports make was given, and the stack publishes them', async () => {
    for (const { variable, service, containerPort } of STACK_PORTS) {
      const out = await compose(stackComposeCommand(), ['port', service, String(containerPort)]);
      assert.equal(hostPort(out), given(variable), `${service}:${containerPort} is published on ${out.trim()}, not on ${variable}`);
    }
  });
}

/**
 * The local swarm's suite: its manager node publishes the stack's ports as the same numbers inside and out
 * (tools/swarm/local-swarm.sh), and its registry publishes SWARM_REGISTRY_PORT on 5000.
 */
export function testSwarmTargets(): void {
  test('the suite targets the ports make was given, and the local swarm publishes them', async () => {
    const name = process.env.SWARM_NAME;
    assert.ok(name, 'SWARM_NAME did not reach this suite');
    for (const { variable } of STACK_PORTS) {
      const port = given(variable);
      const out = await docker(['port', `${name}-node1`, String(port)]);
      assert.equal(hostPort(out), port, `${name}-node1 publishes ${port} on ${out.trim()}`);
    }
    const registry = await docker(['port', `${name}-registry`, '5000']);
    assert.equal(hostPort(registry), given('SWARM_REGISTRY_PORT'), `the registry publishes 5000 on ${registry.trim()}`);
  });
}
