/** The outbox (`GET /outbox`): PhoneProvisioned notices Users has not acknowledged yet, in the order they are sent. */
import { fill, h, keepFocus, table } from '../shared/dom';
import { formatTime, groupCode } from '../shared/format';
import { Notice } from '../shared/notice';
import { ADMIN, type Context } from './context';
import { deviceLink } from './device-list';
import { viewCard, type View } from './view';

interface OutboxEntry {
  readonly domain: string;
  readonly id: string;
  readonly mac: string;
  readonly code: string | null;
  readonly model: string;
  readonly at: string;
}

export async function outboxView(context: Context): Promise<View> {
  const error = new Notice('alert', 'outbox-error');
  const list = h('div', { id: 'outbox' });

  const load = async (): Promise<void> => {
    try {
      const answer = await context.api.call<OutboxEntry[]>(`${ADMIN}/outbox`, { query: { limit: '1000' } });
      error.clear();
      keepFocus(list, () =>
        fill(
          list,
          answer.data.length === 0
            ? h('p', { class: 'hint', id: 'outbox-empty' }, 'Empty: Users has acknowledged every provisioned phone.')
            : table(
                `${answer.data.length}${answer.headers.has('x-next-cursor') ? '+' : ''} notices waiting for Users`,
                ['Domain', 'Phone (MAC)', 'Model', 'Code', 'Provisioned', 'Notice'],
                answer.data.map((n) => [n.domain, deviceLink(n.mac), n.model, n.code ? groupCode(n.code) : 'pre-claimed', formatTime(n.at), h('span', { class: 'mono' }, n.id)]),
                { id: 'outbox-table' },
              ),
        ),
      );
    } catch (failure) {
      context.fail(failure, error);
    }
  };

  await load();
  return {
    element: viewCard(
      'Outbox',
      h('p', {}, 'Each provisioned phone is announced to the Users of its domain, which acknowledges it. Notices wait here while no Users of the domain is connected.'),
      error.element,
      list,
    ),
    refresh: load,
  };
}
