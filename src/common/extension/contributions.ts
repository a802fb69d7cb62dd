import type { Provider, Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { TYPE_NAME } from '../http/query-fields';

const CONTRIBUTES_TO = Symbol('contributes-to');

/**
 * Multi-providers for NestJS (which has none): any module lists `contributeTo(TOKEN, Class)` among its providers,
 * and whoever injects `TOKEN` gets `Contributions` holding every such instance, from every module. The module
 * that owns the token never names its contributors, so a new one needs no edit there.
 */
export function contributeTo<T>(token: symbol, cls: Type<T>): Provider {
  const tokens = (Reflect.getMetadata(CONTRIBUTES_TO, cls) as symbol[] | undefined) ?? [];
  if (!tokens.includes(token)) Reflect.defineMetadata(CONTRIBUTES_TO, [...tokens, token], cls);
  return cls;
}

/** Every instance contributed to one token. Resolved on first use, once the application has been built. */
export class Contributions<T> {
  private resolved?: readonly T[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly token: symbol,
  ) {}

  all(): readonly T[] {
    this.resolved ??= this.discovery
      .getProviders()
      .filter((wrapper) => {
        const tokens = wrapper.metatype
          ? (Reflect.getMetadata(CONTRIBUTES_TO, wrapper.metatype) as symbol[] | undefined)
          : undefined;
        return tokens?.includes(this.token) === true && wrapper.instance !== undefined && wrapper.instance !== null;
      })
      .map((wrapper) => wrapper.instance as T);
    return this.resolved;
  }
}

/** Lets `@Inject(token)` receive the token's `Contributions` (the owning module needs `DiscoveryModule`). */
export function contributionsProvider(token: symbol): Provider {
  return {
    provide: token,
    useFactory: (discovery: DiscoveryService) => new Contributions(discovery, token),
    inject: [DiscoveryService],
  };
}

/**
 * Checks contributed plugins (miners, generators) once the application is built: each one's name and the type it
 * publishes are short snake_case names, and no two share a name. A bad contribution stops the boot.
 */
export function checkPluginNames<T extends { name: string }>(
  kind: string,
  plugins: readonly T[],
  typeOf: (p: T) => string,
) {
  const names = new Set<string>();
  for (const plugin of plugins) {
    if (!TYPE_NAME.test(plugin.name) || !TYPE_NAME.test(typeOf(plugin)))
      throw new Error(`${kind} "${plugin.name}" (type "${typeOf(plugin)}"): names must match ${TYPE_NAME.source}`);
    if (names.has(plugin.name)) throw new Error(`Two ${kind.toLowerCase()}s are named "${plugin.name}"`);
    names.add(plugin.name);
  }
}
