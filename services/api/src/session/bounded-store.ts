// An express-session Store that bounds every operation of the store it wraps: after `timeoutMs` the operation fails
// with SessionStoreUnavailableError instead of waiting. A paused or half-dead Redis keeps its TCP connection open and
// simply never answers, so without a bound every session request would hang until nginx's proxy_read_timeout (35 s)
// and pile up in the worker. With it, the session routes answer 503 within the bound and the worker stays healthy.
// (A stopped store is caught faster still: the client has disableOfflineQueue, so commands fail at once.)

import session from 'express-session';

export class SessionStoreUnavailableError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`session store ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SessionStoreUnavailableError';
  }
}

type Callback<T> = (err?: unknown, value?: T) => void;

/** Runs `operation` (callback style) and calls `done` once: with its result, or with an error after `timeoutMs`. */
export function withTimeout<T>(name: string, timeoutMs: number, operation: (cb: Callback<T>) => void, done: Callback<T>, onError: (name: string) => void): void {
  let settled = false;
  const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const finish: Callback<T> = (err, value) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (err) {
      onError(name);
      done(new SessionStoreUnavailableError(name, err));
    } else done(undefined, value);
  };
  try {
    operation(finish);
  } catch (error) {
    finish(error);
  }
}

export class BoundedStore extends session.Store {
  constructor(
    private readonly inner: session.Store,
    private readonly timeoutMs: number,
    private readonly onError: (operation: string) => void = () => undefined,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    withTimeout<session.SessionData | null>('get', this.timeoutMs, (cb) => this.inner.get(sid, cb), (err, value) => callback(err, value), this.onError);
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    withTimeout('set', this.timeoutMs, (cb) => this.inner.set(sid, data, cb), (err) => callback?.(err), this.onError);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    withTimeout('destroy', this.timeoutMs, (cb) => this.inner.destroy(sid, cb), (err) => callback?.(err), this.onError);
  }

  override touch(sid: string, data: session.SessionData, callback?: () => void): void {
    const touch = this.inner.touch?.bind(this.inner);
    if (!touch) {
      callback?.();
      return;
    }
    // express-session's touch callback takes an error too (it passes it to next()), whatever the typings say.
    const done = callback as ((err?: unknown) => void) | undefined;
    withTimeout('touch', this.timeoutMs, (cb) => touch(sid, data, cb as () => void), (err) => done?.(err), this.onError);
  }
}
