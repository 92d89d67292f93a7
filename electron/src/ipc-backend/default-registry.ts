/**
 * The relay registry the app ships with, so Boost works from the first run: a signed registry under the
 * project's domain and the Ed25519 key it must be signed with (pinned here, in the app). The user turns it
 * off in Settings (`defaultRegistry`); tests and operators point it elsewhere through the environment:
 *   LIGHTSPEED_REGISTRY_URL  another URL (a mirror, a staging registry, a test server), or `off`
 *   LIGHTSPEED_REGISTRY_KEY  the public key that registry is signed with (default: the pinned one)
 * How to run a registry: docs/relays.md.
 */
import { settingsSchema } from '@lightspeed/shared';

export interface RegistryLocation {
  url: string;
  /** Ed25519 public key, 32 bytes as base64 or hex. */
  publicKey: string;
}

/** LightSpeed's registry and its pinned signing key (see docs/relays.md, "The default registry"). */
export const DEFAULT_REGISTRY: RegistryLocation = {
  url: 'https://relays.lightspeed.gg/v1/registry.json',
  publicKey: '2whgs+zGeEY2Auk4ZsdMxGF0mm7Pr+1wHN02/h5sem8=',
};

/** The default registry with the environment's overrides applied; null when turned off (`off`). */
export function defaultRegistryFromEnv(env: NodeJS.ProcessEnv): RegistryLocation | null {
  const url = env.LIGHTSPEED_REGISTRY_URL?.trim() || DEFAULT_REGISTRY.url;
  if (url === 'off') return null;
  const publicKey = env.LIGHTSPEED_REGISTRY_KEY?.trim() || DEFAULT_REGISTRY.publicKey;
  if (!settingsSchema.shape.registryUrl.safeParse(url).success)
    throw new Error(`LIGHTSPEED_REGISTRY_URL: expected an http(s) URL or 'off', got '${url}'`);
  if (!settingsSchema.shape.registryKey.safeParse(publicKey).success)
    throw new Error('LIGHTSPEED_REGISTRY_KEY: expected an Ed25519 public key (32 bytes as base64 or hex)');
  return { url, publicKey };
}
