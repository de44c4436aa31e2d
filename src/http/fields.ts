/**
 * One field of a request part (`req.params`, `req.query`, `req.body`) read where the route is not known
 * (hooks, limits, error pages): the part is whatever the route's schema made of it, so it is `unknown` here.
 */
export function fieldOf(part: unknown, name: string): unknown {
  return typeof part === 'object' && part !== null && name in part ? Reflect.get(part, name) : undefined;
}
