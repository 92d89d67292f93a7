import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';

import { parseBindAddress, parseIpv4BindAddress } from './bind-address.js';
import { adminSchema, meshConfigProblems, meshSchema } from '../mesh/mesh-config.js';
import { parseCidr } from '../security/cidr.js';

/** One bad key: `path` is the key (e.g. `security.allow_destinations[1]`), `problem` says what is wrong. */
export interface ConfigIssue {
  path: string;
  problem: string;
}

/**
 * A configuration problem: `path` and `problem` describe the first bad key, `issues` every one found
 * (the message lists them all, one per line).
 */
export class ConfigError extends Error {
  readonly path: string;
  readonly problem: string;
  readonly issues: readonly ConfigIssue[];

  constructor(path: string, problem: string, more: readonly ConfigIssue[] = []) {
    const issues = [{ path, problem }, ...more];
    super(issues.map((i) => (i.path === '' ? i.problem : `${i.path}: ${i.problem}`)).join('\n'));
    this.name = 'ConfigError';
    this.path = path;
    this.problem = problem;
    this.issues = issues;
  }
}

const bind = (ipv4Only: boolean) =>
  z.string().superRefine((value, ctx) => {
    const parsed = ipv4Only ? parseIpv4BindAddress(value) : parseBindAddress(value);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });

const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const positiveInt = (max = Number.MAX_SAFE_INTEGER) => z.number().int().min(1).max(max);

/** Largest per-source rate or burst nft takes (its burst is a u32). */
const FIREWALL_MAX = 4_294_967_295;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const schema = z.strictObject({
  server: z
    .strictObject({
      node_id: z.string().min(1).max(64).default(hostname()),
      region: z.string().min(1).max(64).default('unknown'),
      data_bind: bind(true).default('0.0.0.0:4434'),
      control_bind: bind(false).default('0.0.0.0:4433'),
      health_bind: bind(false).default('127.0.0.1:8080'),
    })
    .prefault({}),
  security: z
    .strictObject({
      require_auth: z.boolean().default(true),
      allow_destinations: z.array(cidr).default([]),
      max_sessions: positiveInt(1_000_000).default(10_000),
      max_sessions_per_ip: positiveInt(1_000_000).default(16),
      max_destinations_per_client: positiveInt(1024).default(8),
      destination_window_s: z.number().positive().max(86_400).default(10),
      // Session creation per source IP: a token bucket (a session costs an upstream socket).
      session_rate_per_ip: z.number().positive().max(1_000_000).default(2),
      // Default: max_sessions_per_ip (a source may open all its sessions at once, then the rate applies).
      session_burst_per_ip: positiveInt(1_000_000).optional(),
    })
    .prefault({}),
  rate_limit: z
    .strictObject({
      pps: positiveInt().default(1000),
      bps: positiveInt().default(1_000_000),
    })
    .prefault({}),
  session: z
    .strictObject({
      timeout_s: z.number().positive().max(86_400).default(300),
      // Upstream sockets bound ahead of need, so a burst of new sessions does not bind on the packet path.
      upstream_pool: z.number().int().min(0).max(65_536).default(256),
    })
    .prefault({}),
  fec: z
    .strictObject({
      k: z.number().int().min(2).max(16).default(4),
      flush_ms: z.number().positive().max(1000).default(5),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(LOG_LEVELS).default('info'),
    })
    .prefault({}),
  // QUIC control plane on server.control_bind (see docs/control-plane.md).
  control: z
    .strictObject({
      enabled: z.boolean().default(true),
      cert: z.string().min(1).optional(),
      key: z.string().min(1).optional(),
      cert_dir: z.string().min(1).optional(),
      register_burst: positiveInt(10_000).default(5),
      register_per_minute: positiveInt(1_000_000).default(10),
      idle_timeout_s: z.number().positive().max(3600).default(60),
      peers: z
        .array(
          z
            .string()
            .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'expected "host" or "host:data_port"'),
        )
        .max(1024)
        .default([]),
    })
    .prefault({}),
  // Kernel-side per-source limits on the data port (`lightspeed-proxy firewall apply`, nftables).
  // per_source_pps and burst default from [rate_limit] (see resolvedSchema below).
  firewall: z
    .strictObject({
      enabled: z.boolean().default(false),
      per_source_pps: positiveInt(FIREWALL_MAX).optional(),
      burst: positiveInt(FIREWALL_MAX).optional(),
      max_sources: positiveInt(16_777_216).default(65_536),
      source_timeout_s: positiveInt(86_400).default(60),
    })
    .prefault({}),
  // Relay mesh: sealed inter-relay tunnels, latency matrix, entry/exit sessions (docs/mesh.md).
  mesh: meshSchema,
  admin: adminSchema,
});

/** Default per-source kernel limit: room for a few clients behind one address at their full rate_limit.pps. */
export const FIREWALL_PPS_PER_CLIENT_RATE = 4;

const resolvedSchema = schema
  .superRefine((c, ctx) => {
    const fw = c.firewall;
    if (fw.per_source_pps !== undefined && fw.per_source_pps < Math.min(c.rate_limit.pps, FIREWALL_MAX)) {
      ctx.addIssue({
        code: 'custom',
        path: ['firewall', 'per_source_pps'],
        message: `must be at least rate_limit.pps (${c.rate_limit.pps}): the kernel would drop traffic the relay allows`,
      });
    }
    const bind = parseIpv4BindAddress(c.server.data_bind);
    if (fw.enabled && typeof bind !== 'string' && bind.port === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['firewall', 'enabled'],
        message: 'the firewall needs a fixed server.data_bind port, not port 0',
      });
    }
    for (const [path, message] of meshConfigProblems(c)) {
      ctx.addIssue({ code: 'custom', path: path.split('.'), message });
    }
  })
  .transform((c) => ({
    ...c,
    security: {
      ...c.security,
      session_burst_per_ip: c.security.session_burst_per_ip ?? c.security.max_sessions_per_ip,
    },
    firewall: {
      ...c.firewall,
      per_source_pps:
        c.firewall.per_source_pps ?? Math.min(FIREWALL_MAX, c.rate_limit.pps * FIREWALL_PPS_PER_CLIENT_RATE),
      burst: c.firewall.burst ?? Math.min(FIREWALL_MAX, c.rate_limit.pps),
    },
  }));

/** The relay configuration: the TOML shape and key names, every default applied. */
export type RelayConfig = z.infer<typeof resolvedSchema>;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Applies defaults and validates; throws ConfigError naming every bad key. */
export function resolveConfig(input: unknown): RelayConfig {
  const result = resolvedSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        problem: 'unknown key (check the spelling against config.example.toml)',
      }));
    }
    if (issue.code === 'invalid_type' && issue.path.length === 0) {
      return [{ path: '', problem: 'the configuration must be a table of sections' }];
    }
    return [{ path: formatPath(issue.path), problem: issue.message }];
  });
  const [first, ...rest] = issues;
  throw new ConfigError(first?.path ?? '', first?.problem ?? 'invalid configuration', rest);
}

/** Things a valid configuration should not usually do; `check-config` prints them. */
export function configWarnings(config: RelayConfig): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  if (!config.security.require_auth) {
    warnings.push({
      path: 'security.require_auth',
      problem:
        'false: any host can relay through this node without registering (an open relay, limited only ' +
        'by the destination policy and rate limits)',
    });
  }
  const health = parseBindAddress(config.server.health_bind);
  if (typeof health !== 'string' && !isLoopback(health.host)) {
    warnings.push({
      path: 'server.health_bind',
      problem:
        `${config.server.health_bind} is not a loopback address: /metrics (and /health, /telemetry) can be ` +
        'reached from outside this host unless a firewall blocks the port',
    });
  }
  return warnings;
}

function isLoopback(host: string): boolean {
  return host === '::1' || host === 'localhost' || /^127\./.test(host);
}

/** Reads a TOML file and resolves it; throws ConfigError for unreadable files, TOML syntax and bad values. */
export function loadConfigFile(path: string): RelayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('', `cannot read config file ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) {
      throw new ConfigError(
        '',
        `${path}:${err.line}:${err.column}: TOML syntax error: ${err.message.split('\n')[0]}`,
      );
    }
    throw new ConfigError('', `${path}: ${(err as Error).message}`);
  }
  return resolveConfig(data);
}
