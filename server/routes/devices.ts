import { Hono } from 'hono';
import { z } from 'zod';
import { registerDevice } from '../repos/devices.js';
import { parseInput } from '../../common/validation.js';
import type { ServerServices } from '../services.js';
import { readJson } from './json-body.js';

const registrationSchema = z.object({
  platform: z.string().max(64).optional(),
});

/** Public device endpoints under `/v1/devices`. */
export function deviceRoutes(services: ServerServices): Hono {
  const app = new Hono();

  // POST / { platform? } → 201 { deviceId, token }; the token is shown once.
  app.post('/', async (c) => {
    const input = parseInput(registrationSchema, await readJson(c, { allowEmpty: true }));
    const device = await registerDevice(services.db, input.platform ?? null);
    return c.json(device, 201);
  });

  return app;
}
