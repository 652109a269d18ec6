/**
 * The Devices admin (`/apps/devices`): domains and categories, the phones (filter, state,
 * versions, last seen) and each phone's history, update jobs with their waves and phones,
 * config jobs, the outbox; for the global admin, the administrators of each domain. It
 * speaks the Devices admin HTTP API (`/devices/v1/admin`) with the token the person typed,
 * the global admin's or a domain admin's (which sees only its domain), and reloads what it
 * shows every few seconds.
 */
import '../shared/styles.css';
import { fill, h } from '../shared/dom';
import { AppError, describeError } from '../shared/errors';
import { AdminApi } from '../shared/http';
import { frame } from '../shared/layout';
import { Notice } from '../shared/notice';
import { adminPrompt, appLogin } from '../shared/session';
import { configJobsView } from './config-jobs';
import { adminsView } from './admins';
import { ADMIN, type Category, type Context, type Who } from './context';
import { deviceHistoryView } from './device-history';
import { deviceListView } from './device-list';
import { domainsView } from './domains';
import { outboxView } from './outbox';
import { updateJobsView } from './update-jobs';
import type { View } from './view';

const app = frame('Devices admin');
const REFRESH_MS = 5000;
const CACHE_MS = 10_000;

const TABS: ReadonlyArray<readonly [string, string]> = [
  ['devices', 'Phones'],
  ['update-jobs', 'Update jobs'],
  ['config-jobs', 'Config jobs'],
  ['domains', 'Domains'],
  ['outbox', 'Outbox'],
];
/** only the global admin manages domain administrators */
const GLOBAL_TABS: ReadonlyArray<readonly [string, string]> = [...TABS, ['admins', 'Administrators']];

let close: (() => void) | undefined;
const login = appLogin(app, 'zerotouch.devices.token', adminPrompt('the Devices admin'), open, () => {
  close?.();
  close = undefined;
});

/** a value fetched at most every CACHE_MS */
function cached<T>(load: () => Promise<T>): { get(): Promise<T>; forget(): void } {
  let kept: { at: number; value: Promise<T> } | undefined;
  return {
    get() {
      if (!kept || Date.now() - kept.at > CACHE_MS) {
        const value = load();
        kept = { at: Date.now(), value };
        value.catch(() => (kept = undefined));
      }
      return kept.value;
    },
    forget: () => (kept = undefined),
  };
}

function open(token: string): void {
  const api = new AdminApi(token);
  const failed = new Notice('alert', 'login-error');
  api.get<Who>(`${ADMIN}/whoami`).then(
    (who) => start(api, who),
    (error: unknown) => {
      if (error instanceof AppError && error.code === 'unauthorized') login.ask('The admin token was refused. Check it and log in again.');
      else {
        fill(app.main, failed.element);
        failed.error(error);
      }
    },
  );
}

function start(api: AdminApi, who: Who): void {
  const tabList = who.kind === 'global' ? GLOBAL_TABS : TABS;
  /** the server did not answer during this round of reloading */
  let unreachable = false;
  let bannerUp = false;

  const domains = cached(async () => (await api.get<Array<{ name: string }>>(`${ADMIN}/domains`, { limit: '1000' })).map((d) => d.name));
  const categories = new Map<string, ReturnType<typeof cached<readonly Category[]>>>();
  const context: Context = {
    api,
    who,
    fail(error, notice) {
      if (error instanceof AppError && error.code === 'unauthorized') {
        login.ask('The admin token was refused. Check it and log in again.');
      } else if (error instanceof AppError && (error.code === 'unreachable' || error.status >= 502)) {
        unreachable = true;
        bannerUp = true;
        app.banner.show(`${describeError(error)} Trying again every ${REFRESH_MS / 1000} s; what you see may be out of date.`);
      } else notice.error(error);
    },
    domains: () => domains.get(),
    categories(domain) {
      let entry = categories.get(domain);
      if (!entry) {
        entry = cached(() => api.get<Category[]>(`${ADMIN}/domains/${encodeURIComponent(domain)}/categories`));
        categories.set(domain, entry);
      }
      return entry.get();
    },
    forget() {
      domains.forget();
      categories.clear();
    },
    announce: (text) => app.announce.show(text, 'ok'),
  };

  const viewError = new Notice('alert', 'view-error');
  const tabs = h('ul', { class: 'tabs' });
  const viewBox = h('div', { id: 'view' });
  fill(app.main, h('h1', { class: 'visually-hidden' }, 'Devices admin'), h('nav', { 'aria-label': 'Sections' }, tabs), viewError.element, viewBox);
  app.session(h('span', { id: 'who' }, who.kind === 'global' ? 'Administrator' : `Administrator of ${who.domain}`), () => login.ask());

  let current: View | undefined;
  let showing = 0;

  const route = (): { tab: string; build: () => Promise<View> } => {
    const [name = 'devices', ...rest] = location.hash.slice(1).split('/');
    const arg = decodeURIComponent(rest.join('/'));
    switch (name) {
      case 'device':
        return { tab: 'devices', build: () => deviceHistoryView(context, arg) };
      case 'update-jobs':
        return { tab: name, build: () => updateJobsView(context) };
      case 'config-jobs':
        return { tab: name, build: () => configJobsView(context) };
      case 'domains':
        return { tab: name, build: () => domainsView(context) };
      case 'outbox':
        return { tab: name, build: () => outboxView(context) };
      case 'admins':
        if (who.kind === 'global') return { tab: name, build: () => adminsView(context) };
        return { tab: 'devices', build: () => deviceListView(context) };
      default:
        return { tab: 'devices', build: () => deviceListView(context) };
    }
  };

  /** draw the view the URL names; `focus` after the person navigated */
  const show = async (focus: boolean): Promise<void> => {
    const { tab, build } = route();
    const mine = ++showing;
    fill(tabs, tabList.map(([id, text]) => h('li', {}, h('a', { href: `#${id}`, 'aria-current': id === tab ? 'page' : null }, text))));
    viewError.clear();
    current = undefined;
    try {
      const view = await build();
      if (mine !== showing) return;
      current = view;
      fill(viewBox, view.element);
      if (focus) viewBox.querySelector<HTMLElement>('#view-title')?.focus();
    } catch (failure) {
      if (mine !== showing) return;
      fill(viewBox);
      context.fail(failure, viewError);
    }
  };

  let polling = false;
  const poll = async (): Promise<void> => {
    if (polling || document.hidden) return;
    polling = true;
    unreachable = false;
    try {
      if (current) await current.refresh();
      else await show(false);
      if (!unreachable && bannerUp) {
        bannerUp = false;
        app.banner.show('Connected again.', 'ok');
        window.setTimeout(() => !bannerUp && app.banner.clear(), 4000);
      }
    } finally {
      polling = false;
    }
  };

  const onHash = (): void => void show(true);
  window.addEventListener('hashchange', onHash);
  const timer = window.setInterval(() => void poll(), REFRESH_MS);
  close = () => {
    window.clearInterval(timer);
    window.removeEventListener('hashchange', onHash);
  };
  void show(false);
}

login.start();
