/**
 * Frames of the dashboard's WebSocket bridge: the IPC contract as JSON text messages. Client → server:
 * `invoke` (answered by `result` with the same id) and `send`; server → client: `result` and `notify`.
 * Both ends parse every frame with these schemas; a malformed frame is counted and dropped.
 */
import { z } from 'zod';

import { IPC_ERROR_CODES, type IpcResult } from './errors.js';

/** Largest frame either side accepts, in bytes. The snapshot is the biggest message. */
export const WS_MAX_FRAME_BYTES = 1 << 20;

const channelSchema = z.string().min(1).max(64);

export const clientFrameSchema = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('invoke'),
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    ch: channelSchema,
    arg: z.unknown().optional(),
  }),
  z.strictObject({ t: z.literal('send'), ch: channelSchema, arg: z.unknown().optional() }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

const resultSchema = z.union([
  z.strictObject({ ok: z.literal(true), value: z.unknown().optional() }),
  z.strictObject({
    ok: z.literal(false),
    error: z.strictObject({ code: z.enum(IPC_ERROR_CODES), message: z.string() }),
  }),
]);

export const serverFrameSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('result'), id: z.number().int().min(0), result: resultSchema }),
  z.strictObject({ t: z.literal('notify'), ch: channelSchema, payload: z.unknown().optional() }),
]);
export type ServerFrame =
  { t: 'result'; id: number; result: IpcResult } | { t: 'notify'; ch: string; payload: unknown };

/** Parses a text frame; null when it is not JSON or not a valid frame. */
function parseFrame<T>(schema: z.ZodType<T>, text: string): T | null {
  if (text.length > WS_MAX_FRAME_BYTES) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Parses a frame from the UI; null when malformed. */
export function parseClientFrame(text: string): ClientFrame | null {
  return parseFrame(clientFrameSchema, text);
}

/** Parses a frame from the server; null when malformed. */
export function parseServerFrame(text: string): ServerFrame | null {
  return parseFrame(serverFrameSchema, text) as ServerFrame | null;
}
