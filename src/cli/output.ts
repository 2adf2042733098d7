/// <reference types="node" />
// What the CLI prints: results as text or JSON, progress bars with ETA, loss and accuracy during
// training (on a terminal), tables, and explained sentences with coloured words.

import { SingleBar } from 'cli-progress';
import type { TextExplanation } from '../pipeline/classifier.js';
import type { Progress as DownloadProgress } from '../node/fetch.js';
import type { EpochInfo, EvalInfo, StepInfo } from '../train/train.js';

export class Output {
  json = false;
  /** Colours and progress bars only on a terminal (and never with --json). */
  readonly tty: boolean;
  private readonly stdout: (s: string) => void;
  private readonly stderr: (s: string) => void;

  constructor(stdout: (s: string) => void, stderr: (s: string) => void, tty: boolean) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.tty = tty;
  }

  static console(): Output {
    return new Output((s) => process.stdout.write(s), (s) => process.stderr.write(s), !!process.stdout.isTTY && !process.env.NO_COLOR);
  }

  write(s: string): void {
    this.stdout(s);
  }

  error(s: string): void {
    this.stderr(s);
  }

  /** Status lines go to stderr, so stdout stays clean for results. */
  status(s: string): void {
    if (!this.json) this.stderr(`${s}\n`);
  }

  /** The command's result: JSON with --json, else the text. */
  result(value: unknown, text: () => string): void {
    this.stdout(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
  }

  readonly download = (p: DownloadProgress): void => {
    if (this.json || !this.tty) return;
    const total = p.total ? ` / ${(p.total / 2 ** 20).toFixed(0)} MiB` : '';
    this.stderr(`\rdownloading ${(p.bytes / 2 ** 20).toFixed(1)} MiB${total} at ${(p.rate / 2 ** 20).toFixed(1)} MiB/s   `);
  };

  paint(text: string, rgb: [number, number, number] | undefined): string {
    if (!this.tty || !rgb) return text;
    return `\x1b[48;2;${rgb[0]};${rgb[1]};${rgb[2]}m\x1b[38;2;0;0;0m${text}\x1b[0m`;
  }
}

/** Training progress: a bar per epoch on a terminal, plain lines otherwise (never with --json). */
export class Progress {
  private readonly out: Output;
  private readonly name: string;
  private bar: SingleBar | undefined;
  private epochShown = -1;

  constructor(out: Output, name: string) {
    this.out = out;
    this.name = name;
  }

  step(s: StepInfo): void {
    if (this.out.json || !this.out.tty) return;
    if (s.epoch !== this.epochShown) {
      this.bar?.stop();
      this.bar = new SingleBar({
        format: `${this.name} epoch ${s.epoch + 1} {bar} {percentage}% | loss {loss} | acc {acc} | {rate} ex/s | ETA {eta_formatted}`,
        stream: process.stderr, hideCursor: true, clearOnComplete: false,
      });
      this.bar.start(s.batchesPerEpoch, 0, { loss: '-', acc: '-', rate: '-' });
      this.epochShown = s.epoch;
    }
    this.bar!.update(s.batch, { loss: s.epochLoss.toFixed(4), acc: s.epochAccuracy.toFixed(3), rate: s.examplesPerSecond.toFixed(0) });
  }

  evaluation(e: EvalInfo): void {
    if (this.out.tty) return; // the bar shows progress; evaluation lines are for logs
    const parts = Object.entries(e.reports).map(([split, r]) => `${split} loss ${r.loss.toFixed(4)} acc ${r.accuracy.toFixed(3)}`);
    this.out.status(`${this.name} step ${e.step}: ${parts.join(', ')}${e.best ? ' (best)' : ''}`);
  }

  epoch(e: EpochInfo): void {
    if (this.out.tty) return;
    this.out.status(`${this.name} epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(3)} (${e.seconds.toFixed(1)} s)`);
  }

  stop(): void {
    this.bar?.stop();
  }
}

/** Rows of flat objects as an aligned text table. */
export function printTable(_out: Output, rows: Record<string, unknown>[]): string {
  if (!rows.length) return '';
  const keys = Object.keys(rows[0]!);
  const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1e-2 ? 5 : 3)) : v === null || v === undefined ? '–' : String(v));
  const cells = [keys, ...rows.map((r) => keys.map((k) => cell(r[k])))];
  const widths = keys.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c, r) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ') + (r === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : '')).join('\n');
}

/** One explained text: the prediction, then each word coloured green (towards) or red (away) by its score. */
export function explainLine(out: Output, e: TextExplanation): string {
  const max = Math.max(1e-9, ...e.words.map((w) => Math.abs(w.score)));
  const words = e.words.map((w) => {
    const a = Math.min(1, Math.abs(w.score) / max);
    const mix = (c: number) => Math.round(255 - (255 - c) * a);
    const rgb: [number, number, number] = w.score >= 0 ? [mix(46), mix(160), mix(67)] : [mix(207), mix(34), mix(46)];
    return out.tty ? out.paint(w.word, rgb) : `${w.word}(${w.score >= 0 ? '+' : ''}${w.score.toFixed(2)})`;
  });
  return `${e.label.padEnd(8)} ${(e.score * 100).toFixed(0).padStart(3)}%  ${words.join(' ')}`;
}
