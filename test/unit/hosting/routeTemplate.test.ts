import { describe, expect, it } from 'vitest';
import { compileRoute } from '../../../dev/routeTemplate.js';

describe('compileRoute', () => {
  it('when the path has the literal segments, then the parameters are extracted and decoded', () => {
    expect(compileRoute('users/{userId}/meetings/{meetingId}').match('/users/u%201/meetings/m1')).toEqual({
      userId: 'u 1',
      meetingId: 'm1',
    });
  });

  it('when a parameter holds a malformed percent escape, then it is passed on undecoded, as the Functions host does', () => {
    expect(compileRoute('users/{userId}/meetings').match('/users/%zz%E0/meetings')).toEqual({
      userId: '%zz%E0',
    });
  });

  it('when a segment differs or is missing, then there is no match', () => {
    const route = compileRoute('users/{userId}/meetings');
    expect(route.match('/users/u1/events')).toBeUndefined();
    expect(route.match('/users/meetings')).toBeUndefined();
  });

  it('when a parameter is optional, constrained or catch-all, then it matches like the Functions host', () => {
    expect(compileRoute('traces/{eventId?}').match('/traces')).toEqual({});
    expect(compileRoute('items/{id:int}').match('/items/42')).toEqual({ id: '42' });
    expect(compileRoute('files/{*rest}').match('/files/a/b/c')).toEqual({ rest: 'a/b/c' });
  });

  it('when a literal contains regex characters, then they are matched literally', () => {
    expect(compileRoute('a.b').match('/aXb')).toBeUndefined();
    expect(compileRoute('a.b').match('/a.b')).toEqual({});
  });
});
