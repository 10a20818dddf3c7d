// The session routes (public interface): a visit counter kept in the session, and who served it.
//   POST   /session/visits  -> { visits, sessionId, replica, worker }   (creates the session on first call)
//   GET    /session         -> the same, without counting (visits 0 and sessionId null when there is none)
//   DELETE /session         -> 204, the session is gone from the store and the cookie is cleared

import { Controller, Delete, Get, HttpCode, Inject, Post, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IDENTITY } from '../core.module.js';
import type { Identity } from '../identity/identity.js';
import { SESSION_COOKIE } from './session.middleware.js';

export interface SessionView {
  visits: number;
  sessionId: string | null;
  replica: string;
  worker: string;
}

function storeCall(run: (cb: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((err) => (err ? reject(new ServiceUnavailableException('Session store unavailable, try again shortly.')) : resolve())));
}

@Controller('session')
export class SessionController {
  constructor(@Inject(IDENTITY) private readonly identity: Identity) {}

  @Post('visits')
  @HttpCode(200)
  async visit(@Req() req: Request): Promise<SessionView> {
    const visits = (req.session.visits ?? 0) + 1;
    req.session.visits = visits;
    // Saved before answering, so a count the client sees is a count the store holds (a failed save is a 503).
    await storeCall((cb) => req.session.save(cb));
    return this.view(visits, req.sessionID);
  }

  @Get()
  read(@Req() req: Request): SessionView {
    const visits = req.session.visits;
    return visits === undefined ? this.view(0, null) : this.view(visits, req.sessionID);
  }

  @Delete()
  @HttpCode(204)
  async end(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await storeCall((cb) => req.session.destroy(cb));
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
  }

  private view(visits: number, sessionId: string | null): SessionView {
    return { visits, sessionId, replica: this.identity.replica, worker: this.identity.worker };
  }
}
