import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiMetrics } from './api-metrics.js';
import { ContainerMetrics } from './container-metrics.js';

@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ApiMetrics,
    private readonly containerMetrics: ContainerMetrics,
  ) {}

  /** Prometheus text for every live worker of this container (see container-metrics.ts). */
  @Get()
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.setHeader('Content-Type', this.metrics.contentType);
    return this.containerMetrics.collect();
  }
}
