/**
 * Profile (`/apps/profile`): a user logs in with their token, asks for a code for a new
 * phone (category, then the code large, grouped, with its expiry and a QR code), and sees
 * their phones, pending and registered, change as phones come up. It speaks the Profile
 * WebSocket (`/users/v1/profile`) only.
 */
import '../shared/styles.css';
import { AppSocket, type Message } from '../shared/app-socket';
import { busy, byId, fill, h, labelled, select, table } from '../shared/dom';
import { formatMac, formatTime, groupCode, stateName, timeText } from '../shared/format';
import { frame } from '../shared/layout';
import { connectionMessage, Notice } from '../shared/notice';
import { qrImage } from '../shared/qr';
import { appLogin } from '../shared/session';
import { codeSteps } from '../shared/steps';

interface Category {
  readonly id: string;
  readonly name: string;
}
interface CodeView {
  readonly code: string;
  readonly category: string | null;
  readonly expiresAt: string;
  readonly state: string;
}
interface DeviceView {
  readonly mac: string;
  readonly model: string;
  readonly category: string | null;
  readonly registeredAt: string;
}
interface Phones {
  readonly codes: readonly CodeView[];
  readonly devices: readonly DeviceView[];
}

const app = frame('Profile');
let socket: AppSocket | undefined;
const login = appLogin(
  app,
  'zerotouch.profile.token',
  {
    title: 'Log in to Profile',
    intro: 'Your administrator gave you a Profile token. Paste it here: it stays in this browser tab only.',
    label: 'Profile token',
    hint: 'A long string of letters, digits, - and _.',
  },
  open,
  () => {
    socket?.stop();
    socket = undefined;
  },
);

function open(token: string): void {
  let categories: readonly Category[] = [];
  let phones: Phones = { codes: [], devices: [] };
  /** the code shown large, if any */
  let shown: CodeView | undefined;
  /** the phone each code registered, as pushed */
  const registeredBy = new Map<string, string>();
  let categorySelect: HTMLSelectElement | undefined;

  const categoryName = (id: string | null): string => (id === null ? 'assigned by an administrator' : (categories.find((c) => c.id === id)?.name ?? id));

  const addError = new Notice('alert', 'add-error');
  const listError = new Notice('alert', 'phones-error');
  const addButton = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Get a code');
  const categoryBox = h('div', { id: 'category-box' }, h('p', { class: 'hint' }, 'Loading categories…'));
  const form = h('form', { id: 'add-form', onsubmit: (event: Event) => void addPhone(event) }, categoryBox, h('div', { class: 'actions' }, addButton));
  const codeCard = h('div', { id: 'code-card' });
  const phoneList = h('div', { id: 'phone-list' });

  fill(
    app.main,
    h('h1', {}, 'My phones'),
    h(
      'div',
      { class: 'columns' },
      h('section', { class: 'card', 'aria-labelledby': 'add-title' }, h('h2', { id: 'add-title' }, 'Add a phone'), form, addError.element, codeCard),
      h('section', { class: 'card', 'aria-labelledby': 'list-title' }, h('h2', { id: 'list-title' }, 'Phones and codes'), listError.element, phoneList),
    ),
  );

  const renderCategories = (devices: { connected?: unknown; detail?: unknown } | undefined): void => {
    if (devices && devices.connected === false) {
      fill(categoryBox, h('p', { class: 'notice', 'data-tone': 'warning' }, `Phones cannot be added right now: ${String(devices.detail ?? 'Devices is not connected')}.`));
      addButton.disabled = true;
      return;
    }
    if (categories.length === 0) {
      fill(categoryBox, h('p', { class: 'notice', 'data-tone': 'warning' }, 'No category is open for new phones. Ask your administrator.'));
      addButton.disabled = true;
      return;
    }
    categorySelect = select('category', 'category', categories.map((c) => [c.id, c.name] as const), categorySelect?.value);
    fill(categoryBox, labelled('Category', categorySelect, 'What kind of phone is it?'));
    addButton.disabled = false;
  };

  const renderCode = (): void => {
    if (!shown) {
      fill(codeCard);
      return;
    }
    const { code } = shown;
    const mac = registeredBy.get(code);
    const state = mac !== undefined ? 'registered' : (phones.codes.find((c) => c.code === code)?.state ?? shown.state);
    const registered = state === 'registered';
    const device = phones.devices.find((d) => d.mac === mac);
    const grouped = groupCode(code);
    fill(
      codeCard,
      h(
        'div',
        { class: 'code-card', 'data-state': state },
        h('h3', {}, registered ? 'Your phone is registered' : 'Your code'),
        h('p', { class: 'code', id: 'code-value' }, grouped),
        registered
          ? h('p', { class: 'state-line', 'data-tone': 'ok' }, `Registered${mac ? `: ${formatMac(mac)}${device ? ` (${device.model})` : ''}` : ''}.`)
          : state === 'expired'
            ? h('p', { class: 'state-line', 'data-tone': 'error' }, 'This code has expired. Get a new one.')
            : [
                h('p', {}, 'Valid until ', h('time', { datetime: shown.expiresAt }, timeText(shown.expiresAt)), ` · ${categoryName(shown.category)}`),
                qrImage(code, `QR code of the code ${grouped}`),
                codeSteps(),
                h('p', { class: 'state-line', 'data-tone': 'info' }, 'Waiting for the phone…'),
              ],
      ),
    );
  };

  const renderPhones = (): void => {
    const devices = phones.devices.length
      ? table(
          'My phones',
          ['Phone (MAC)', 'Model', 'Category', 'Registered'],
          phones.devices.map((d) => [h('span', { class: 'mono' }, formatMac(d.mac)), d.model, categoryName(d.category), formatTime(d.registeredAt)]),
          { id: 'devices-table' },
        )
      : h('p', { class: 'hint' }, 'No phone is registered to you yet.');
    const codes = phones.codes.length
      ? table(
          'My codes',
          ['Code', 'Category', 'Valid until', 'State', ''],
          phones.codes.map((c) => [
            h('span', { class: 'mono' }, groupCode(c.code)),
            categoryName(c.category),
            formatTime(c.expiresAt),
            h('span', { class: 'badge', 'data-state': c.state }, stateName(c.state)),
            c.state === 'pending'
              ? h('button', { type: 'button', class: 'quiet', onclick: () => showCode(c), 'aria-label': `Show the code ${groupCode(c.code)}` }, 'Show')
              : '',
          ]),
          { id: 'codes-table' },
        )
      : h('p', { class: 'hint' }, 'No codes yet.');
    fill(phoneList, devices, codes);
  };

  const showCode = (code: CodeView): void => {
    shown = code;
    renderCode();
    byId('code-value').scrollIntoView({ block: 'nearest' });
  };

  const loadPhones = async (): Promise<void> => {
    try {
      phones = await request<Phones>('GetPhones');
      listError.clear();
    } catch (error) {
      listError.error(error);
    }
    renderPhones();
    renderCode();
  };

  const loadCategories = async (devices: { connected?: unknown; detail?: unknown } | undefined): Promise<void> => {
    if (devices?.connected !== false) {
      try {
        categories = (await request<{ categories: Category[] }>('GetCategories')).categories;
        addError.clear();
      } catch (error) {
        addError.error(error);
      }
    }
    renderCategories(devices);
  };

  async function addPhone(event: Event): Promise<void> {
    event.preventDefault();
    const category = categorySelect?.value;
    if (!category) return;
    addError.clear();
    try {
      const added = await busy(addButton, () => request<{ code: string; expiresAt: string }>('AddPhone', { category }));
      shown = { code: added.code, expiresAt: added.expiresAt, category, state: 'pending' };
      renderCode();
      app.announce.show(`Your code is ${groupCode(added.code)}.`, 'info');
      await loadPhones();
    } catch (error) {
      addError.error(error);
    }
  }

  const request = <T extends object>(mt: string, fields?: Record<string, unknown>): Promise<T> => {
    if (!socket) return Promise.reject(new Error('not logged in'));
    return socket.request<T>(mt, fields);
  };

  socket?.stop();
  socket = new AppSocket('/users/v1/profile', token, {
    status(status) {
      if (status.kind === 'refused') {
        login.ask(`This token was refused (${status.detail}). Check it and log in again.`);
        return;
      }
      const message = connectionMessage(status);
      if (message) app.banner.show(message.text, message.tone);
      else app.banner.clear();
      if (status.kind !== 'online') return;
      const user = status.login['user'] as { name?: string; id?: string } | undefined;
      app.session(h('span', {}, 'Logged in as ', h('strong', {}, user?.name ?? user?.id ?? 'you')), () => login.ask());
      void loadCategories(status.login['devices'] as { connected?: unknown; detail?: unknown } | undefined);
      void loadPhones();
      if (status.reconnected) window.setTimeout(() => socket?.status.kind === 'online' && app.banner.clear(), 4000);
    },
    push(message: Message) {
      if (message.mt !== 'PhoneRegistered') return;
      const mac = typeof message['mac'] === 'string' ? message['mac'] : undefined;
      if (mac !== undefined && typeof message['code'] === 'string') registeredBy.set(message['code'], mac);
      app.announce.show(`Your phone ${mac ? formatMac(mac) : ''} is registered.`, 'ok');
      void loadPhones();
    },
  });
  socket.start();
}

login.start();
