import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { Request } from 'express';
import { IDENTITY } from '../core.module.js';
import { identityView, type Identity, type IdentityView } from './identity.js';

/** What the app believes about the request's origin, after `trust proxy` (create-api.ts). */
export interface ClientView {
  /** The client's address: X-Forwarded-For's last entry when the peer is a trusted proxy, else the peer's address. */
  ip: string | undefined;
  /** "https" when the request reached the edge over TLS (X-Forwarded-Proto from a trusted proxy), else "http". */
  protocol: string;
}

@Controller()
export class IdentityController {
  constructor(@Inject(IDENTITY) private readonly identity: Identity) {}

  @Get()
  root(): IdentityView & { message: string } {
    return { message: `Hello from ${this.identity.servedBy}`, ...identityView(this.identity) };
  }

  @Get('whoami')
  whoami(@Req() req: Request): IdentityView & { client: ClientView } {
    return { ...identityView(this.identity), client: { ip: req.ip, protocol: req.protocol } };
  }
}
