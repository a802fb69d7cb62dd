import { SetMetadata } from '@nestjs/common';
import { RouteMetadata } from './route-metadata';

@SetMetadata('scope', 'class')
class Items {
  @SetMetadata('scope', 'handler')
  own(): void {}

  inherited(): void {}
}

@SetMetadata('scope', 'other-class')
class Other {}

describe('RouteMetadata', () => {
  it('answers like Reflector.getAllAndOverride: the handler’s value, else the class’s, else undefined', () => {
    const metadata = new RouteMetadata();
    expect(metadata.getAllAndOverride('scope', [Items.prototype.own, Items])).toBe('handler');
    expect(metadata.getAllAndOverride('scope', [Items.prototype.inherited, Items])).toBe('class');
    expect(metadata.getAllAndOverride('missing', [Items.prototype.own, Items])).toBeUndefined();
    // The same handler under another controller class is its own route.
    expect(metadata.getAllAndOverride('scope', [Items.prototype.inherited, Other])).toBe('other-class');
  });

  it('reads the decorators once per route and key', () => {
    const metadata = new RouteMetadata();
    const get = jest.spyOn(metadata, 'get');
    for (let i = 0; i < 5; i++) metadata.getAllAndOverride('scope', [Items.prototype.inherited, Items]);
    for (let i = 0; i < 5; i++) metadata.getAllAndOverride('missing', [Items.prototype.inherited, Items]);
    expect(get).toHaveBeenCalledTimes(4);
  });
});
