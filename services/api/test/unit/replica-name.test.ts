import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv4ArpaName, replicaFromReverseDns, replicaFromSwarmTask } from '../../src/identity/replica-name.js';

describe('replicaFromReverseDns', () => {
  it('turns a compose container PTR into <service>-<n>', () => {
    assert.equal(replicaFromReverseDns('scaleout-api-2.scaleout_default'), 'api-2');
    assert.equal(replicaFromReverseDns('scaleout-api-2.scaleout_default.'), 'api-2');
    assert.equal(replicaFromReverseDns('scaleout-api-12.scaleout_default', 'scaleout'), 'api-12');
  });
  it('uses COMPOSE_PROJECT_NAME so dashed service names survive', () => {
    assert.equal(replicaFromReverseDns('my-stack-api-3.my-stack_default', 'my-stack'), 'api-3');
    assert.equal(replicaFromReverseDns('scaleout-nginx-exporter-1.scaleout_default', 'scaleout'), 'nginx-exporter-1');
    // Without the project name only the last two parts can be trusted.
    assert.equal(replicaFromReverseDns('scaleout-nginx-exporter-1.scaleout_default'), 'exporter-1');
  });
  it('falls back to the last two parts when the project name does not match', () => {
    assert.equal(replicaFromReverseDns('other-api-1.other_default', 'scaleout'), 'api-1');
  });
  it('rejects names that are not compose containers', () => {
    assert.equal(replicaFromReverseDns('ip-10-0-0-5.ec2.internal'), undefined);
    assert.equal(replicaFromReverseDns('localhost'), undefined);
    assert.equal(replicaFromReverseDns('api-2.scaleout_default'), undefined, 'needs <project>-<service>-<n>');
    assert.equal(replicaFromReverseDns('scaleout-api-x.scaleout_default'), undefined);
    assert.equal(replicaFromReverseDns(''), undefined);
  });
});

describe('replicaFromReverseDns on Docker Swarm', () => {
  // What Docker's DNS answered on the local swarm (make swarm-up) for a task's address.
  const ptr = 's1_api.3.18gq624qms5wt4abhvo2ub9fc.s1_default';
  it('turns a task PTR into <service>-<slot>', () => {
    assert.equal(replicaFromReverseDns(ptr, 's1'), 'api-3');
    assert.equal(replicaFromReverseDns(`${ptr}.`, 's1'), 'api-3');
    assert.equal(replicaFromReverseDns(ptr), 'api-3');
    assert.equal(replicaFromReverseDns('scaleout-swarm_nginx-exporter.1.18gq624qms5wt4abhvo2ub9fc.scaleout-swarm_default', 'scaleout-swarm'), 'nginx-exporter-1');
  });
  it('keeps a stack name that has underscores out of the service name', () => {
    assert.equal(replicaFromSwarmTask('my_stack_api.12.18gq624qms5wt4abhvo2ub9fc.my_stack_default', 'my_stack'), 'api-12');
  });
  it('rejects tasks without a slot and names that are not tasks', () => {
    // A global service's task: <service>.<node id>.<task id>.
    assert.equal(replicaFromSwarmTask('s1_agent.owxs6j3q1x5dur0nn41a8phsq.18gq624qms5wt4abhvo2ub9fc.s1_default'), undefined);
    assert.equal(replicaFromSwarmTask('s1_api.3.short.s1_default'), undefined);
    assert.equal(replicaFromSwarmTask('scaleout-api-2.scaleout_default'), undefined);
  });
});

describe('ipv4ArpaName', () => {
  it('reverses the octets under in-addr.arpa', () => {
    assert.equal(ipv4ArpaName('172.20.0.5'), '5.0.20.172.in-addr.arpa');
  });
});
