import { Controller, Get, Inject } from '@nestjs/common';
import { IDENTITY } from '../core.module.js';
import { identityView, type Identity, type IdentityView } from './identity.js';

@Controller()
export class IdentityController {
  constructor(@Inject(IDENTITY) private readonly identity: Identity) {}

  @Get()
  root(): IdentityView & { message: string } {
    return { message: `Hello from ${this.identity.servedBy}`, ...identityView(this.identity) };
  }

  @Get('whoami')
  whoami(): IdentityView {
    return identityView(this.identity);
  }
}
