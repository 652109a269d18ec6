/** A progress bar on a terminal; plain lines now and then when output is not a TTY. */
export interface Progress {
  update(done: number, total: number, note?: string): void;
  finish(note?: string): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let lastLine = 0;
  let lastPercent = -1;
  const started = Date.now();
  const render = (done: number, total: number, note = ''): string => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(ratio * width);
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${total} ${elapsed}s${note ? ` ${note}` : ''}`;
  };
  return {
    update(done, total, note) {
      if (tty) {
        const now = Date.now();
        if (now - lastLine < 80 && done < total) return;
        lastLine = now;
        stream.write(`\r\u001b[2K${render(done, total, note)}`);
        return;
      }
      const percent = total > 0 ? Math.floor((done / total) * 10) * 10 : 100;
      if (percent !== lastPercent) {
        lastPercent = percent;
        stream.write(`${render(done, total, note)}\n`);
      }
    },
    finish(note) {
      if (tty) stream.write(`\r\u001b[2K${label} done in ${((Date.now() - started) / 1000).toFixed(1)}s${note ? ` ${note}` : ''}\n`);
      else stream.write(`${label} done in ${((Date.now() - started) / 1000).toFixed(1)}s${note ? ` ${note}` : ''}\n`);
    },
  };
}
