// HTTPS with HTTP/2 at nginx (conf.d/25-https.conf), against the real nginx of the running stack, verified against
// the local CA that `make up` created (.secrets/tls/ca.crt): never with certificate checks turned off.
// Also: the app sees the truth (X-Forwarded-Proto https, the client's address), TLS 1.1 is refused, bad TLS input is
// answered or closed without harming nginx, the key is unreadable by nginx's workers, and HTTP_TO_HTTPS redirects.
// About 10 s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { once } from 'node:events';
import { repoRoot } from '../../tools/lib/repo.js';
import { httpsPort as httpsPortText } from '../../tools/lib/stackUrls.js';
import { compose, stackComposeCommand } from '../../tools/lib/docker.js';
import { baseUrl } from '../lib/stack.js';

const httpsPort = Number(httpsPortText);
const caFile = process.env.TLS_CA_FILE ?? path.join(repoRoot, '.secrets/tls/ca.crt');
let ca: Buffer;

interface Whoami {
  replica: string;
  client: { ip: string; protocol: string };
}

before(() => {
  ca = readFileSync(caFile);
});

/** GET over HTTPS/1.1 with Node's https module, trusting only `ca`. */
function httpsGet(pathname: string, options: https.RequestOptions = {}): Promise<{ status: number; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', servername: 'localhost', port: httpsPort, path: pathname, ca, agent: false, ...options },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol: (res.socket as tls.TLSSocket).getProtocol() ?? '' }));
      },
    );
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
  });
}

/** A TLS handshake with these options; resolves with the negotiated socket facts, rejects with the TLS error. */
function handshake(options: tls.ConnectionOptions): Promise<{ protocol: string | null; alpn: string | false | null; reused: boolean; session?: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: httpsPort, servername: 'localhost', ca, ...options }, () => {
      const facts = { protocol: socket.getProtocol(), alpn: socket.alpnProtocol, reused: socket.isSessionReused() };
      // TLS 1.3 sends its session tickets after the handshake: read one response so they arrive, then close.
      let session: Buffer | undefined;
      socket.on('session', (s: Buffer) => (session = s));
      socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      socket.resume();
      socket.on('end', () => resolve({ ...facts, session: session ?? socket.getSession() }));
    });
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('timeout')));
  });
}

/** Connects with raw TCP, writes `bytes`, half-closes, and resolves with what came back once nginx closed. */
function rawExchange(bytes: Buffer | string, halfClose = true): Promise<{ reply: string; closedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(httpsPort, '127.0.0.1', () => {
      socket.write(bytes);
      if (halfClose) socket.end();
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve({ reply: Buffer.concat(chunks).toString('latin1'), closedMs: Date.now() - started }));
    socket.on('error', () => undefined); // a reset is a clean enough close; 'close' follows
    socket.setTimeout(15_000, () => reject(new Error(`nginx kept the connection open 15 s after ${JSON.stringify(String(bytes).slice(0, 40))}`)));
  });
}

async function nginxStillServes(): Promise<void> {
  const res = await httpsGet('/whoami');
  assert.equal(res.status, 200, res.body);
}

test('HTTPS/1.1 verified against the local CA; the app sees https and the client address', async () => {
  const res = await httpsGet('/whoami');
  assert.equal(res.status, 200, res.body);
  const body = JSON.parse(res.body) as Whoami;
  assert.equal(body.client.protocol, 'https', `the app saw ${JSON.stringify(body.client)}`);
  // Over plain HTTP the same client is seen as http, with the same address (both arrive through the published port).
  const plain = (await (await fetch(`${baseUrl}/whoami`)).json()) as Whoami;
  assert.equal(plain.client.protocol, 'http');
  assert.equal(body.client.ip, plain.client.ip, 'HTTP and HTTPS from one client must show one address');
  assert.match(body.client.ip, /^\d+\.\d+\.\d+\.\d+$/);
});

test('the client address the app sees is the client, not nginx (trust proxy = exactly 1 hop)', async () => {
  // A request made inside the nginx container comes from 127.0.0.1 there: the app must report that, and not nginx's
  // own address on the network (what it would report with trust proxy off).
  const out = await compose(stackComposeCommand(), ['exec', '-T', 'nginx', 'wget', '-q', '-O', '-', 'http://127.0.0.1:8080/whoami']);
  const body = JSON.parse(out) as Whoami;
  assert.deepEqual(body.client, { ip: '127.0.0.1', protocol: 'http' });
  // And a client cannot choose its address: nginx overwrites X-Forwarded-For.
  const spoofed = (await (await fetch(`${baseUrl}/whoami`, { headers: { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https' } })).json()) as Whoami;
  assert.notEqual(spoofed.client.ip, '203.0.113.9');
  assert.equal(spoofed.client.protocol, 'http');
});

test('HTTP/2: ALPN h2, several streams on one connection, verified against the local CA', async () => {
  const session = http2.connect(`https://localhost:${httpsPort}`, { ca });
  try {
    await once(session, 'connect');
    assert.equal(session.alpnProtocol, 'h2');
    const one = (): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const stream = session.request({ ':path': '/whoami' });
        let status = 0;
        let body = '';
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (body += c));
        stream.on('end', () => resolve({ status, body }));
        stream.on('error', reject);
      });
    const answers = await Promise.all(Array.from({ length: 8 }, one));
    for (const a of answers) {
      assert.equal(a.status, 200, a.body);
      assert.equal((JSON.parse(a.body) as Whoami).client.protocol, 'https');
    }
  } finally {
    session.close();
  }
});

test('TLS 1.2 and 1.3 are accepted; a client without the CA is refused (verification is on)', async () => {
  assert.equal((await handshake({ minVersion: 'TLSv1.3' })).protocol, 'TLSv1.3');
  const v12 = await handshake({ maxVersion: 'TLSv1.2' });
  assert.equal(v12.protocol, 'TLSv1.2');
  await assert.rejects(handshake({ ca: undefined }), (err: NodeJS.ErrnoException) => {
    assert.match(String(err.code), /UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    return true;
  });
});

test('TLS 1.1 is refused by nginx (and the same client does speak 1.1 to a server that allows it)', async (t) => {
  // OpenSSL 3's default security level forbids TLS < 1.2 in the client too; SECLEVEL=0 lifts that, so what refuses
  // below is nginx's ssl_protocols.
  const legacy: tls.ConnectionOptions = { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };
  // Control: an in-process server that allows TLS 1.1 with nginx's certificate accepts this very client.
  const control = tls.createServer({
    cert: await compose(stackComposeCommand(), ['exec', '-T', 'nginx', 'cat', '/run/secrets/tls_cert']),
    key: await compose(stackComposeCommand(), ['exec', '-T', 'nginx', 'cat', '/run/secrets/tls_key']),
    minVersion: 'TLSv1.1',
    ciphers: 'DEFAULT@SECLEVEL=0',
  });
  control.listen(0, '127.0.0.1');
  await once(control, 'listening');
  try {
    const port = (control.address() as net.AddressInfo).port;
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...legacy });
    await once(socket, 'secureConnect');
    assert.equal(socket.getProtocol(), 'TLSv1.1', 'the control must negotiate TLS 1.1');
    socket.destroy();
  } finally {
    control.close();
  }
  await assert.rejects(handshake(legacy), (err: NodeJS.ErrnoException) => {
    t.diagnostic(`nginx answered a TLS 1.1 ClientHello with: ${err.code ?? ''} ${err.message}`);
    assert.match(`${err.code} ${err.message}`, /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|no protocols available/i);
    return true;
  });
  await nginxStillServes();
});

test('session resumption: a second connection resumes the first one\'s session (TLS 1.2 and 1.3)', async () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    const first = await handshake({ minVersion: version, maxVersion: version });
    assert.ok(first.session, `no ${version} session to resume`);
    const second = await handshake({ minVersion: version, maxVersion: version, session: first.session });
    assert.equal(second.reused, true, `${version}: the second handshake was a full one`);
  }
});

test('plain HTTP on the TLS port gets a JSON 400 and the connection closes; nginx keeps serving', async () => {
  const { reply } = await rawExchange('GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n', false);
  assert.match(reply, /^HTTP\/1\.1 400 /);
  assert.match(reply, /"message":"Plain HTTP request sent to the HTTPS port; use https:\/\/\."/);
  await nginxStillServes();
});

test('a truncated handshake and non-TLS bytes are closed promptly; nginx keeps serving', async (t) => {
  // The first 40 bytes of a real ClientHello, then EOF.
  const hello = await new Promise<Buffer>((resolve) => {
    const server = net.createServer((s) => s.once('data', (b: Buffer) => { resolve(b); s.destroy(); server.close(); }));
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      tls.connect({ host: '127.0.0.1', port, servername: 'localhost' }).on('error', () => undefined);
    });
  });
  const truncated = await rawExchange(hello.subarray(0, 40));
  assert.ok(truncated.closedMs < 5_000, `closed after ${truncated.closedMs} ms`);
  const garbage = await rawExchange(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x00, 0x01, 0x02, 0x03, 0x04]));
  assert.ok(garbage.closedMs < 5_000, `closed after ${garbage.closedMs} ms`);
  t.diagnostic(`truncated ClientHello: closed after ${truncated.closedMs} ms (${truncated.reply.length} bytes back); garbage: closed after ${garbage.closedMs} ms (${garbage.reply.length} bytes back)`);
  await nginxStillServes();
});

test('a wrong SNI: the certificate does not match the name, the client ends the handshake; nginx keeps serving', async () => {
  await assert.rejects(handshake({ servername: 'wrong.example' }), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    return true;
  });
  await nginxStillServes();
});

test('the private key is readable by nginx\'s master (root) only, not by its workers\' user', async () => {
  await assert.rejects(compose(stackComposeCommand(), ['exec', '-T', '-u', 'nginx', 'nginx', 'cat', '/run/secrets/tls_key']), /Permission denied/);
  const mode = await compose(stackComposeCommand(), ['exec', '-T', 'nginx', 'stat', '-c', '%a', '/run/secrets/tls_key']);
  assert.equal(mode.trim(), '600');
});

let redirectContainer: string | undefined;
after(async () => {
  if (redirectContainer) await compose(stackComposeCommand(), ['rm', '-f', '-s', redirectContainer]).catch(() => undefined);
});

test('HTTP_TO_HTTPS=true: plain HTTP answers 308 to the published HTTPS port', async () => {
  // A second nginx of the same service, with the option on and nothing published; asked from inside it.
  const out = await compose(stackComposeCommand(), [
    'run', '--rm', '--no-deps', '-T', '-e', 'HTTP_TO_HTTPS=true', '-e', 'HTTPS_PUBLIC_PORT=9443', 'nginx',
    'sh', '-c', '/docker-entrypoint.sh nginx >/dev/null && sleep 0.5 && (wget -S -O /dev/null http://127.0.0.1:8080/whoami?a=1 2>&1 || true)',
  ]);
  assert.match(out, /HTTP\/1\.1 308/, out);
  assert.match(out, /Location: https:\/\/127\.0\.0\.1:9443\/whoami\?a=1/, out);
});

test('a certificate file that holds no certificate stops nginx at start, naming the file', async () => {
  await assert.rejects(
    compose(stackComposeCommand(), ['run', '--rm', '--no-deps', '-T', 'nginx', 'nginx', '-t'], { TLS_CERT_FILE: path.join(repoRoot, 'services/api/no-extra-ca.pem') }),
    (err: Error & { stderr?: string }) => {
      assert.match(String(err.stderr), /\/run\/secrets\/tls_cert \(from TLS_CERT_FILE\) holds no PEM block of type CERTIFICATE/);
      return true;
    },
  );
});
