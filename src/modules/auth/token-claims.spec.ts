import { UnauthenticatedError } from './auth.errors';
import { claimsToUser } from './token-claims';

const USER = '0193a9b4-0000-7000-8000-000000000001';
const exp = 2_000_000_000;

describe(claimsToUser.name, () => {
  it('accepts well-formed claims and removes duplicate roles', () => {
    expect(claimsToUser({ sub: USER, roles: ['user', 'user'], exp })).toEqual({ sub: USER, roles: ['user'] });
    expect(claimsToUser({ sub: 'client-7', roles: ['service'], exp })).toEqual({ sub: 'client-7', roles: ['service'] });
  });

  it.each([
    ['no exp', { sub: USER, roles: ['user'] }],
    ['no sub', { roles: ['user'], exp }],
    ['empty roles', { sub: USER, roles: [], exp }],
    ['roles not an array', { sub: USER, roles: 'admin', exp }],
    ['an unknown role', { sub: USER, roles: ['root'], exp }],
    ['a user subject that is not a uuid', { sub: 'alice', roles: ['user'], exp }],
  ])('refuses %s', (_, claims) => {
    expect(() => claimsToUser(claims)).toThrow(UnauthenticatedError);
  });
});
