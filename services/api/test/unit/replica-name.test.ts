import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv4ArpaName, replicaFromReverseDns } from '../../src/identity/replica-name.js';

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

describe('ipv4ArpaName', () => {
  it('reverses the octets under in-addr.arpa', () => {
    assert.equal(ipv4ArpaName('172.20.0.5'), '5.0.20.172.in-addr.arpa');
  });
});
