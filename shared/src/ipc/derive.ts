/**
 * Both sides of a contract, derived from its schema: the renderer's typed API over any transport, the
 * main side's validating dispatcher, and its typed notifier. Transports (Electron IPC, the dashboard's
 * WebSocket, an in-memory pair for tests) only move `(channel name, JSON-safe value)` pairs.
 */
import {
  listChannels,
  listenerKey,
  type ChannelInfo,
  type InvokeChannel,
  type IpcSchema,
  type NotifyChannel,
  type SendChannel,
} from './channel.js';
import { IpcError, isIpcErrorCode, toErrorBody, type IpcResult } from './errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- `any` is the only way to match generic channel types */

type ArgList<A> = [A] extends [undefined] ? [] : [arg: A];

/** The UI's view: invoke → `(arg) => Promise<R>`, send → `(arg) => void`, notify `x` → `onX(listener)`. */
export type RendererApi<S extends IpcSchema> = {
  [G in keyof S]: {
    [
      K in keyof S[G] as S[G][K] extends NotifyChannel<any> ? `on${Capitalize<K & string>}` : K
    ]: S[G][K] extends InvokeChannel<infer A, infer R>
      ? (...args: ArgList<A>) => Promise<R>
      : S[G][K] extends SendChannel<infer A>
        ? (...args: ArgList<A>) => void
        : S[G][K] extends NotifyChannel<infer P>
          ? (listener: (payload: P) => void) => () => void
          : never;
  };
};

/** What the main side implements: one handler per invoke/send channel, called with a validated argument. */
export type MainHandlers<S extends IpcSchema> = {
  [G in keyof S]: {
    [K in keyof S[G] as S[G][K] extends NotifyChannel<any> ? never : K]: S[G][K] extends InvokeChannel<
      infer A,
      infer R
    >
      ? (arg: A) => R | Promise<R>
      : S[G][K] extends SendChannel<infer A>
        ? (arg: A) => void
        : never;
  };
};

type NotifyKeys<G> = { [K in keyof G]: G[K] extends NotifyChannel<any> ? K : never }[keyof G];

/** What the main side calls to push to the UI: one function per notify channel (groups without any are left out). */
export type MainNotifier<S extends IpcSchema> = {
  [G in keyof S as NotifyKeys<S[G]> extends never ? never : G]: {
    [K in NotifyKeys<S[G]>]: S[G][K] extends NotifyChannel<infer P> ? (payload: P) => void : never;
  };
};

/* eslint-enable @typescript-eslint/no-explicit-any */

/** Moves calls from the UI to the main side. `invoke` resolves to the envelope, never rejects on handler errors. */
export interface RendererTransport {
  invoke(channel: string, arg: unknown): Promise<IpcResult>;
  send(channel: string, arg: unknown): void;
  listen(channel: string, listener: (payload: unknown) => void): () => void;
}

type Fn = (arg: unknown) => unknown;

/** Builds the UI's typed API for `schema` over `transport`. */
export function createRendererApi<S extends IpcSchema>(
  schema: S,
  transport: RendererTransport,
): RendererApi<S> {
  const api: Record<string, Record<string, unknown>> = {};
  for (const { group, key, name, channel } of listChannels(schema)) {
    const target = (api[group] ??= {});
    switch (channel.kind) {
      case 'invoke':
        target[key] = async (arg?: unknown): Promise<unknown> =>
          unwrap(await transportInvoke(transport, name, arg));
        break;
      case 'send':
        target[key] = (arg?: unknown): void => transport.send(name, arg);
        break;
      case 'notify':
        target[listenerKey(key)] = (listener: (payload: unknown) => void): (() => void) =>
          transport.listen(name, listener);
        break;
    }
  }
  return api as RendererApi<S>;
}

async function transportInvoke(transport: RendererTransport, name: string, arg: unknown): Promise<IpcResult> {
  try {
    return await transport.invoke(name, arg);
  } catch (err) {
    return {
      ok: false,
      error: { code: 'disconnected', message: err instanceof Error ? err.message : String(err) },
    };
  }
}

function unwrap(result: IpcResult): unknown {
  if (result.ok) return result.value;
  const code = isIpcErrorCode(result.error.code) ? result.error.code : 'internal';
  throw new IpcError(code, result.error.message);
}

/** The main side's entry point for any transport: validates, routes to a handler, wraps the outcome. */
export interface MainDispatcher {
  /** Every channel of the schema (transports register the invoke/send ones by name). */
  readonly channels: readonly ChannelInfo[];
  invoke(channel: string, arg: unknown): Promise<IpcResult>;
  /** Fire-and-forget; a bad argument or a failing handler goes to `onSendError`. */
  send(channel: string, arg: unknown): void;
}

/** Builds a dispatcher that validates every inbound argument with the schema before calling `handlers`. */
export function createDispatcher<S extends IpcSchema>(
  schema: S,
  handlers: MainHandlers<S>,
  onSendError: (channel: string, err: IpcError) => void = () => {},
): MainDispatcher {
  const channels = listChannels(schema);
  const table = new Map<string, { info: ChannelInfo; fn: Fn }>();
  const groups = handlers as unknown as Record<string, Record<string, Fn | undefined> | undefined>;
  for (const info of channels) {
    if (info.channel.kind === 'notify') continue;
    const fn = groups[info.group]?.[info.key];
    if (typeof fn !== 'function') throw new Error(`no handler for IPC channel ${info.name}`);
    const owner = groups[info.group];
    table.set(info.name, { info, fn: (arg) => fn.call(owner, arg) });
  }

  const parse = (name: string, kind: 'invoke' | 'send', arg: unknown): { fn: Fn; value: unknown } => {
    const entry = table.get(name);
    const channel = entry?.info.channel;
    if (!entry || !channel || channel.kind !== kind)
      throw new IpcError('unknown-channel', `no ${kind} channel '${name}'`);
    const parsed = channel.arg.safeParse(arg);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new IpcError('invalid-argument', `${name}: ${where}${issue?.message ?? 'invalid argument'}`);
    }
    return { fn: entry.fn, value: parsed.data };
  };

  return {
    channels,
    async invoke(name, arg) {
      try {
        const { fn, value } = parse(name, 'invoke', arg);
        return { ok: true, value: await fn(value) };
      } catch (err) {
        return { ok: false, error: toErrorBody(err) };
      }
    },
    send(name, arg) {
      try {
        const { fn, value } = parse(name, 'send', arg);
        const out = fn(value);
        if (out instanceof Promise) out.catch((err: unknown) => onSendError(name, asIpcError(err)));
      } catch (err) {
        onSendError(name, asIpcError(err));
      }
    },
  };
}

function asIpcError(err: unknown): IpcError {
  const body = toErrorBody(err);
  return err instanceof IpcError ? err : new IpcError(body.code, body.message);
}

/** Builds the typed notifier for `schema`; `emit` carries `(channel name, payload)` to every UI. */
export function createNotifier<S extends IpcSchema>(
  schema: S,
  emit: (channel: string, payload: unknown) => void,
): MainNotifier<S> {
  const out: Record<string, Record<string, (payload: unknown) => void>> = {};
  for (const { group, key, name, channel } of listChannels(schema)) {
    if (channel.kind !== 'notify') continue;
    (out[group] ??= {})[key] = (payload: unknown) => emit(name, payload);
  }
  return out as MainNotifier<S>;
}
