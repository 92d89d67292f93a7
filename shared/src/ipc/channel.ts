/**
 * Channel builders for the IPC contract (Mullvad style). A channel is a marker object that carries its
 * kind, the schema that validates what the UI sends, and phantom types for the typed functions both
 * sides derive with mapped types (see `derive.ts`).
 */
import type { z } from 'zod';

/** UI → main, answered: `(arg) => Promise<Result>`. */
export interface InvokeChannel<Arg, Result> {
  readonly kind: 'invoke';
  readonly arg: z.ZodType<Arg>;
  /** Phantom: never set; carries the result type. */
  readonly _result?: (result: Result) => void;
}

/** UI → main, fire and forget. */
export interface SendChannel<Arg> {
  readonly kind: 'send';
  readonly arg: z.ZodType<Arg>;
}

/** Main → UI push. Main is trusted, so payloads are typed but not re-validated. */
export interface NotifyChannel<Payload> {
  readonly kind: 'notify';
  /** Phantom: never set; carries the payload type. */
  readonly _payload?: (payload: Payload) => void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyChannel = InvokeChannel<any, any> | SendChannel<any> | NotifyChannel<any>;

/** A contract: groups of named channels, e.g. `{ boost: { start: invoke(...) } }`. */
export type IpcSchema = Record<string, Record<string, AnyChannel>>;

/** Declares a request/response channel whose argument `arg` validates. */
export function invoke<Arg, Result>(arg: z.ZodType<Arg>): InvokeChannel<Arg, Result> {
  return { kind: 'invoke', arg };
}

/** Declares a one-way UI → main channel whose argument `arg` validates. */
export function send<Arg>(arg: z.ZodType<Arg>): SendChannel<Arg> {
  return { kind: 'send', arg };
}

/** Declares a main → UI notification. */
export function notify<Payload>(): NotifyChannel<Payload> {
  return { kind: 'notify' };
}

/** The one place a channel's wire name is made: `group.key`. */
export function channelName(group: string, key: string): string {
  return `${group}.${key}`;
}

/** One channel of a schema with its wire name. */
export interface ChannelInfo {
  group: string;
  key: string;
  name: string;
  channel: AnyChannel;
}

/** Every channel of a schema, in declaration order. */
export function listChannels(schema: IpcSchema): ChannelInfo[] {
  const out: ChannelInfo[] = [];
  for (const [group, channels] of Object.entries(schema)) {
    for (const [key, channel] of Object.entries(channels)) {
      out.push({ group, key, name: channelName(group, key), channel });
    }
  }
  return out;
}

/** Renderer-side name of a notification listener: `state` → `onState`. */
export function listenerKey(key: string): `on${string}` {
  return `on${key.charAt(0).toUpperCase()}${key.slice(1)}`;
}
