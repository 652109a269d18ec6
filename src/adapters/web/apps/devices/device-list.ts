/**
 * The phones (`GET /devices`), for fleets of thousands: narrowed on the server by domain,
 * category, state, part of the MAC, model and firmware; newest first, paged; each links to its history.
 */
import { fill, h, keepFocus, labelled, select, table } from '../shared/dom';
import { formatMac, formatTime, stateName, timeText } from '../shared/format';
import { Notice } from '../shared/notice';
import { ADMIN, domainAndCategory, type Context } from './context';
import { viewCard, type View } from './view';
import type { DeviceSummary } from '../../../../application/devices/device-queries';

export type { DeviceSummary };

const STATES = ['active', 'awaiting-approval', 'claimed', 'released'] as const;
const PAGE = 100;

export const deviceLink = (mac: string, id?: string): HTMLAnchorElement => h('a', { href: `#device/${mac}`, class: 'mono', id }, formatMac(mac));

export async function deviceListView(context: Context): Promise<View> {
  const error = new Notice('alert', 'devices-error');
  const list = h('div', { id: 'device-list', 'aria-live': 'off' });
  const status = h('p', { class: 'hint', role: 'status' });
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  let shown: DeviceSummary[] = [];
  let next: string | undefined;

  const state = select('filter-state', 'state', [['', 'Any state'], ...STATES.map((s) => [s, stateName(s)] as const)]);
  const filter = await domainAndCategory(context, { domain: 'filter-domain', category: 'filter-category' }, {
    allDomains: 'Every domain',
    firstCategory: ['', 'Every category'],
    onChange: () => void reload(),
  });
  state.addEventListener('change', () => void reload());
  const text = (id: string, name: string, placeholder: string): HTMLInputElement => {
    const input = h('input', { id, name, placeholder, autocomplete: 'off', spellcheck: false });
    let timer: number | undefined;
    // the server searches: ask it once typing pauses
    input.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void reload(), 300);
    });
    return input;
  };
  const mac = text('filter-mac', 'mac', '00:90:33 or aa:bb');
  const model = text('filter-model', 'model', 'IP112');
  const firmware = text('filter-firmware', 'firmware', '13r3 sr5');

  const query = (limit: number, cursor?: string): Record<string, string | undefined> => ({
    domain: filter.domain() || undefined,
    category: filter.category() || undefined,
    state: state.value || undefined,
    mac: mac.value.trim() || undefined,
    model: model.value.trim() || undefined,
    firmware: firmware.value.trim() || undefined,
    limit: String(limit),
    cursor,
  });

  const draw = (): void => {
    status.textContent = `${shown.length} phone${shown.length === 1 ? '' : 's'} shown${next ? ' (there may be more: Show more)' : ''}.`;
    more.hidden = next === undefined;
    keepFocus(list, () => fill(
      list,
      shown.length === 0
        ? h('p', { class: 'hint' }, 'No phone matches.')
        : table(
            'Phones, newest first',
            ['Phone (MAC)', 'Domain', 'Category', 'Model', 'Firmware', 'State', 'Last seen'],
            shown.map((d) => [
              deviceLink(d.mac, `device-${d.mac}`),
              d.domain,
              d.category,
              d.model ?? '—',
              d.firmware ?? '—',
              h('span', { class: 'badge', 'data-state': d.state }, stateName(d.state)),
              d.lastSeen ? h('time', { datetime: d.lastSeen, title: timeText(d.lastSeen) }, formatTime(d.lastSeen)) : 'never',
            ]),
            { id: 'devices-table' },
          ),
    ));
  };

  /** the first page again, or as many as are shown (a refresh keeps "show more") */
  const reload = async (limit = PAGE): Promise<void> => {
    try {
      const answer = await context.api.call<DeviceSummary[]>(`${ADMIN}/devices`, { query: query(Math.min(1000, Math.max(PAGE, limit))) });
      shown = answer.data;
      next = answer.headers.get('x-next-cursor') ?? undefined;
      error.clear();
      draw();
    } catch (failure) {
      context.fail(failure, error);
    }
  };

  more.addEventListener('click', async () => {
    try {
      const answer = await context.api.call<DeviceSummary[]>(`${ADMIN}/devices`, { query: query(PAGE, next) });
      shown = [...shown, ...answer.data];
      next = answer.headers.get('x-next-cursor') ?? undefined;
      draw();
    } catch (failure) {
      context.fail(failure, error);
    }
  });

  await reload();
  return {
    element: viewCard(
      'Phones',
      h(
        'form',
        { class: 'inline-form', 'aria-label': 'Filter the phones', onsubmit: (e: Event) => (e.preventDefault(), void reload()) },
        filter.element,
        labelled('State', state),
        labelled('MAC', mac),
        labelled('Model', model),
        labelled('Firmware', firmware),
      ),
      error.element,
      status,
      list,
      h('div', { class: 'actions' }, more),
    ),
    refresh: () => reload(shown.length),
  };
}
