import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

type Target = object;

/**
 * A Reflector whose `getAllAndOverride` over (handler, class) answers from memory after the first lookup: route
 * metadata is fixed by decorators when the application starts, and the guards ask for the same few keys on every
 * request (the rate limiter alone six). Other lookups go to the plain Reflector.
 */
@Injectable()
export class RouteMetadata extends Reflector {
  /** Per handler: the controller it was first asked with, and the answers so far by key. */
  private readonly byHandler = new WeakMap<Target, { controller: Target; values: Map<unknown, unknown> }>();

  override getAllAndOverride<T = unknown>(key: unknown, targets: (Target | undefined)[]): T {
    const [handler, controller] = targets;
    if (targets.length !== 2 || !handler || !controller)
      return super.getAllAndOverride<T>(key as string, targets as never);
    let known = this.byHandler.get(handler);
    if (!known) this.byHandler.set(handler, (known = { controller, values: new Map() }));
    // A handler inherited by another controller class: asked afresh (a handler belongs to one class almost always).
    if (known.controller !== controller) return super.getAllAndOverride<T>(key as string, targets as never);
    const value = known.values.get(key);
    if (value !== undefined || known.values.has(key)) return value as T;
    const found = super.getAllAndOverride<T>(key as string, targets as never);
    known.values.set(key, found);
    return found;
  }
}
