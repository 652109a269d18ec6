/**
 * UsersAdmin, "Register phones" (`/apps/users-admin`): in four steps — the connection to
 * Devices, the category and phone app, the users, the codes — an administrator hands one
 * code to each user, watches each turn from Pending to Registered, downloads the list as
 * CSV, issues new codes for expired ones and prints a welcome sheet per user; the past
 * rollouts, newest first, can be reopened live, their CSV and sheets had again. It speaks
 * the UsersAdmin WebSocket (`/users/v1/admin`) and, for the CSV, the admin HTTP API.
 */
import '../shared/styles.css';
import { AppSocket, type Message } from '../shared/app-socket';
import { busy, fill, h } from '../shared/dom';
import { AdminApi, saveFile } from '../shared/http';
import { frame } from '../shared/layout';
import { connectionMessage, Notice } from '../shared/notice';
import { adminPrompt, appLogin } from '../shared/session';
import { choiceStep, connectionStep, STEP_NAMES, type Choice } from './steps';
import { UserPicker, type User } from './user-picker';
import { CodesView, type Rollout, type RolloutEntry } from './codes';
import { pastRollouts, PAST_ROLLOUTS_PAGE, type RolloutSummary } from './past-rollouts';
import { welcomeSheets } from './welcome-sheet';

const app = frame('Register phones');
let socket: AppSocket | undefined;
const login = appLogin(app, 'zerotouch.users-admin.token', adminPrompt('Register phones'), open, () => {
  socket?.stop();
  socket = undefined;
});

/** the rollout on screen, in the URL so a reload comes back to it */
const rolloutInUrl = (): string | undefined => new URLSearchParams(location.hash.slice(1)).get('rollout') ?? undefined;
const setRolloutInUrl = (rolloutId: string | undefined): void => history.replaceState(null, '', rolloutId ? `#rollout=${encodeURIComponent(rolloutId)}` : location.pathname);

type Step = 1 | 2 | 3 | 4;

function open(token: string): void {
  const api = new AdminApi(token);
  let step: Step = 1;
  let devices: { connected: boolean; detail: string } = { connected: false, detail: 'not logged in yet' };
  let category: Choice | undefined;
  let phoneApp: Choice | undefined;
  let rollout: Rollout | undefined;
  /** step 4 shows the welcome sheets instead of the codes */
  let printing = false;
  let codes: CodesView | undefined;
  const picker = new UserPicker();

  const stepper = h('ol', { class: 'stepper no-print', 'aria-label': 'The four steps' });
  const error = new Notice('alert', 'step-error');
  const body = h('div', { id: 'step-body' });
  fill(app.main, h('h1', { class: 'no-print' }, 'Register phones'), stepper, error.element, body);

  const request = <T extends object>(mt: string, fields?: Record<string, unknown>, timeoutMs?: number): Promise<T> =>
    socket ? socket.request<T>(mt, fields, timeoutMs) : Promise.reject(new Error('not logged in'));

  const renderStepper = (): void =>
    fill(
      stepper,
      STEP_NAMES.map((name, i) => h('li', { 'aria-current': i + 1 === step ? 'step' : null, 'data-done': i + 1 < step ? '' : null }, name)),
    );

  /** show a step; its heading takes the focus so a screen reader starts there */
  const go = async (next: Step, sheets = false): Promise<void> => {
    error.clear();
    step = next;
    printing = sheets;
    renderStepper();
    try {
      fill(body, await stepView());
    } catch (failure) {
      fill(body);
      error.error(failure);
    }
    body.querySelector<HTMLElement>('h2')?.focus();
  };

  const stepView = async (): Promise<HTMLElement> => {
    switch (step) {
      case 1:
        return h(
          'div',
          {},
          connectionStep(devices, { recheck: () => socket?.reconnect(), next: () => void go(2) }),
          await pastRollouts({
            load: (cursor) => request<{ rollouts: RolloutSummary[]; next: string | null }>('GetRollouts', { limit: PAST_ROLLOUTS_PAGE, ...(cursor ? { cursor } : {}) }),
            open: (rolloutId, sheets) => void showRollout(rolloutId, sheets).catch((failure: unknown) => error.error(failure)),
            download: (rolloutId, button) => downloadCsv(button, rolloutId),
          }),
        );
      case 2: {
        const [categories, apps] = await Promise.all([
          request<{ categories: Choice[] }>('GetCategories'),
          request<{ phoneApps: Choice[] }>('GetPhoneApps'),
        ]);
        return choiceStep(categories.categories, apps.phoneApps, category?.id, phoneApp?.id, {
          back: () => void go(1),
          next: (c, p) => {
            category = c;
            phoneApp = p;
            void go(3);
          },
        });
      }
      case 3:
        await picker.load((after, limit) => request<{ users: User[] }>('GetUsers', { limit, ...(after ? { after } : {}) }).then((r) => r.users));
        return picker.view({ category, phoneApp, back: () => void go(2), start: startRollout });
      case 4:
        if (!rollout) throw new Error('no rollout yet');
        if (printing) return welcomeSheets(rollout, { back: () => void go(4) });
        codes = new CodesView({
          download: downloadCsv,
          reissue,
          sheets: () => void go(4, true),
          restart: () => {
            rollout = undefined;
            picker.clear();
            setRolloutInUrl(undefined);
            void go(1);
          },
        });
        codes.render(rollout);
        return codes.element;
    }
  };

  async function startRollout(users: readonly string[], button: HTMLButtonElement): Promise<void> {
    if (!category || !phoneApp) return void go(2);
    error.clear();
    try {
      const started = await busy(button, () =>
        request<{ rolloutId: string }>('StartRollout', { category: category?.id, phoneApp: phoneApp?.id, users }, 10 * 60_000),
      );
      await showRollout(started.rolloutId);
    } catch (failure) {
      error.error(failure);
    }
  }

  async function showRollout(rolloutId: string, sheets = false): Promise<void> {
    rollout = await request<Rollout>('GetRollout', { rolloutId });
    setRolloutInUrl(rolloutId);
    await go(4, sheets);
  }

  async function downloadCsv(button: HTMLButtonElement, rolloutId = rollout?.rolloutId): Promise<void> {
    if (!rolloutId) return;
    error.clear();
    try {
      const file = await busy(button, () => api.download(`/users/v1/admin/rollouts/${encodeURIComponent(rolloutId)}.csv`));
      saveFile(file.blob, file.filename ?? `rollout-${rolloutId}.csv`);
      app.announce.show('The CSV file is downloaded.', 'ok');
    } catch (failure) {
      error.error(failure);
    }
  }

  async function reissue(entry: RolloutEntry, button: HTMLButtonElement): Promise<void> {
    if (!rollout) return;
    error.clear();
    try {
      const answer = await busy(button, () => request<{ entry: RolloutEntry }>('ReissueCode', { rolloutId: rollout!.rolloutId, user: entry.user }));
      updateEntry({ ...answer.entry });
    } catch (failure) {
      error.error(failure);
    }
  }

  const updateEntry = (change: Partial<RolloutEntry> & { user: string }): void => {
    if (!rollout) return;
    const entries = rollout.entries.map((e) => (e.user === change.user ? { ...e, ...change } : e));
    rollout = { ...rollout, entries };
    if (step === 4 && !printing) codes?.render(rollout);
  };

  const onPush = (message: Message): void => {
    if (message.mt !== 'RolloutEntryUpdated' || !rollout || message['rolloutId'] !== rollout.rolloutId) return;
    const user = String(message['user']);
    const change = {
      user,
      state: String(message['state']),
      mac: typeof message['mac'] === 'string' ? message['mac'] : null,
      ...(typeof message['code'] === 'string' ? { code: message['code'] } : {}),
      ...(typeof message['expiresAt'] === 'string' ? { expiresAt: message['expiresAt'] } : {}),
    };
    updateEntry(change);
    const name = rollout.entries.find((e) => e.user === user)?.name ?? user;
    app.announce.show(change.state === 'registered' ? `The phone of ${name} is registered.` : `${name} has a new code.`, 'ok');
  };

  socket?.stop();
  socket = new AppSocket('/users/v1/admin', token, {
    status(status) {
      if (status.kind === 'refused') {
        login.ask(`The admin token was refused (${status.detail}). Check it and log in again.`);
        return;
      }
      const message = connectionMessage(status);
      if (message) app.banner.show(message.text, message.tone);
      else app.banner.clear();
      if (status.kind !== 'online') return;
      app.session(h('span', {}, 'Administrator'), () => {
        setRolloutInUrl(undefined);
        login.ask();
      });
      const reported = status.login['devices'] as { connected?: unknown; detail?: unknown } | undefined;
      devices = { connected: reported?.connected === true, detail: String(reported?.detail ?? 'Users did not say') };
      if (status.reconnected) window.setTimeout(() => socket?.status.kind === 'online' && app.banner.clear(), 4000);
      const wanted = rollout?.rolloutId ?? rolloutInUrl();
      if (wanted) void showRollout(wanted).catch((failure: unknown) => error.error(failure));
      else if (step === 1) void go(1);
    },
    push: onPush,
  });
  socket.start();
  renderStepper();
}

login.start();
