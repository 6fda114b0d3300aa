import { param, type Params } from './params.js';
import { TASKROUTER_BASE } from './views.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

function pageRequest(params: Params): { page: number; pageSize: number } {
  const pageSize = Number.parseInt(param(params, 'PageSize') ?? '', 10);
  const page = Number.parseInt(param(params, 'Page') ?? '', 10);
  return {
    pageSize: Number.isFinite(pageSize) && pageSize > 0 ? Math.min(pageSize, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE,
    page: Number.isFinite(page) && page >= 0 ? page : 0,
  };
}

function pageQuery(filters: Record<string, string>, pageSize: number, page: number): string {
  const query = new URLSearchParams({ ...filters, PageSize: String(pageSize), Page: String(page) });
  if (page > 0) query.set('PageToken', `PT${page}`);
  return query.toString();
}

/** A TaskRouter (v1-style) list page: records under `key`, paging in `meta` with absolute URLs. */
export function taskRouterPage<T>(key: string, items: T[], listPath: string, filters: Record<string, string>, params: Params) {
  const { page, pageSize } = pageRequest(params);
  const pageUrl = (n: number) => `${TASKROUTER_BASE}${listPath}?${pageQuery(filters, pageSize, n)}`;
  const hasNext = (page + 1) * pageSize < items.length;
  return {
    [key]: items.slice(page * pageSize, (page + 1) * pageSize),
    meta: {
      first_page_url: pageUrl(0),
      key,
      next_page_url: hasNext ? pageUrl(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_url: page > 0 ? pageUrl(page - 1) : null,
      url: pageUrl(page),
    },
  };
}

/** A 2010 API list page: records under `key`, paging as relative `*_uri` fields. */
export function api2010Page<T>(key: string, items: T[], listUri: string, filters: Record<string, string>, params: Params) {
  const { page, pageSize } = pageRequest(params);
  const pageUri = (n: number) => `${listUri}?${pageQuery(filters, pageSize, n)}`;
  const records = items.slice(page * pageSize, (page + 1) * pageSize);
  const start = page * pageSize;
  return {
    [key]: records,
    end: start + Math.max(records.length - 1, 0),
    first_page_uri: pageUri(0),
    next_page_uri: (page + 1) * pageSize < items.length ? pageUri(page + 1) : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 ? pageUri(page - 1) : null,
    start,
    uri: pageUri(page),
  };
}
