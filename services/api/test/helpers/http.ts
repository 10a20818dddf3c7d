// Minimal HTTP client for tests (node:http, no dependencies). One new connection per request unless an
// agent is passed, so requests spread over cluster workers like independent clients.

import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: Agent | false;
  timeoutMs?: number;
}

export function httpRequest(port: number, path: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const { method = 'GET', headers = {}, body, agent = false, timeoutMs = 10_000 } = options;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers, agent, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => {
              try {
                return JSON.parse(text) as T;
              } catch {
                throw new Error(`expected JSON from ${method} ${path}, got: ${text.slice(0, 200)}`);
              }
            },
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function postJson(port: number, path: string, body: string | Buffer, contentType = 'application/json'): Promise<HttpResponse> {
  return httpRequest(port, path, { method: 'POST', body, headers: { 'content-type': contentType } });
}
