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
  private readonly byHandler = new WeakMap<Target, WeakMap<Target, Map<unknown, unknown>>>();

  override getAllAndOverride<T = unknown>(key: unknown, targets: (Target | undefined)[]): T {
    const [handler, controller] = targets;
    if (targets.length !== 2 || !handler || !controller) return super.getAllAndOverride(key as string, targets as never) as T;
    let byController = this.byHandler.get(handler);
    if (!byController) this.byHandler.set(handler, (byController = new WeakMap()));
    let values = byController.get(controller);
    if (!values) byController.set(controller, (values = new Map()));
    if (!values.has(key)) values.set(key, super.getAllAndOverride(key as string, targets as never));
    return values.get(key) as T;
  }
}
