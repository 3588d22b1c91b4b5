import { z } from 'zod';

export const serverSectionSchema = z
  .strictObject({
    /** 127.0.0.1 by default; 0.0.0.0 serves the LAN and then requires the pairing token. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
  })
  .prefault({});
