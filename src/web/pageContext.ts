/**
 * Who a console page is rendered for, without passing the request through every page function: the
 * HTTP edge runs each handler inside a page context (src/http/server.ts), and the layout reads the
 * signed-in principal and the route table's declared permissions from it to build the navigation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from '../core/policies/permissions.ts';
import type { Language } from '../core/register/schema.ts';

export type PageContext = {
  /** The caller, once authenticated (undefined on public routes). */
  principal: () => Principal | undefined;
  /** The permission a route declares (the route table), or undefined when there is no such route. */
  permissionOf: (method: string, url: string) => string | undefined;
  /** The path of the page being rendered, without the query. */
  path: string;
  /** The console language of the page: the person's choice, else the browser's, else English. */
  language: () => Language;
};

const storage = new AsyncLocalStorage<PageContext>();

export function runInPageContext(context: PageContext, fn: () => void): void {
  storage.run(context, fn);
}

export function pageContext(): PageContext | undefined {
  return storage.getStore();
}
