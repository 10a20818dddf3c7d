// The pictures people look at (make compare's report.html, make panel's SVG) opened in a real browser: Debian's
// `chromium`, driven by playwright-core. Never `npx playwright install`: it downloads a browser, and the machines
// this runs on reach only Debian's mirror and npm (tools/host/install-engine.sh installs `chromium` for make test).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

// Debian's package puts it here; GitHub's Ubuntu runners link their Chromium here too (actions/runner-images,
// install-google-chrome.sh), so install-engine.sh finds it there and installs nothing.
export const CHROMIUM = '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps trying to reach Google's hosts (updates, sync, field
// trials), which these machines cannot reach; QUIC and the GPU are not there either.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Chromium {
  /** The one tab every file is opened in (a new tab per file costs 0.2-0.4 s here). */
  readonly page: Page;
  /**
   * Opens a local file in the tab and waits for it to load. Returns what went wrong on the way, as the browser
   * reported it: console errors, uncaught exceptions, failed loads, XML parse errors.
   */
  open(file: string): Promise<string[]>;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Starts Chromium with a new empty profile (playwright passes it as --user-data-dir). */
export async function startChromium(): Promise<Chromium> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'scaleout-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  }).catch(async (e: unknown) => {
    await rm(profile, { recursive: true, force: true });
    throw new Error(`cannot start ${CHROMIUM} (make setup SETUP_FOR=test installs Debian's chromium): ${e instanceof Error ? e.message : String(e)}`);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed to load ${r.url()}: ${r.failure()?.errorText ?? '?'}`));
  return {
    page,
    open: async (file) => {
      problems = [];
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      // A malformed SVG shows Chromium's "This page contains the following errors" and logs nothing to the console.
      const parseError = await page.evaluate(() => (globalThis as unknown as { document: MiniDocument }).document.querySelector('parsererror')?.textContent ?? null);
      if (parseError !== null) problems.push(`not well-formed: ${parseError.trim()}`);
      return problems;
    },
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An element as drawn: what it says, where it is on screen, and the box it must stay inside. */
export interface DrawnElement {
  readonly tag: string;
  /** A <text>'s text, else the element's own <title> (a bar's tooltip), else the data-series of its series. */
  readonly label: string;
  readonly box: Box;
  /** Its nearest enclosing <svg> (whose viewport clips it, or would overlap the page), else the whole page. */
  readonly frame: Box;
  /** Chromium's checkVisibility(): not display:none, visibility:hidden or opacity 0, itself or an ancestor. */
  readonly rendered: boolean;
}

// The few DOM members the page-side code uses: tools/tsconfig.json has no "dom" lib (it is Node code), and adding it
// would put browser globals into every file of the project.
interface MiniElement {
  readonly localName: string;
  readonly textContent: string | null;
  readonly parentElement: MiniElement | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): MiniElement | null;
  closest(selector: string): MiniElement | null;
  getBoundingClientRect(): Box;
  checkVisibility(options: Record<string, boolean>): boolean;
  readonly children: ArrayLike<MiniElement>;
}
interface MiniDocument {
  readonly documentElement: MiniElement & { readonly scrollWidth: number; readonly scrollHeight: number };
  querySelector(selector: string): MiniElement | null;
  querySelectorAll(selector: string): ArrayLike<MiniElement>;
}

/** Every element matching `selector`, as drawn (one round trip to the page). */
export async function drawnElements(page: Page, selector: string): Promise<DrawnElement[]> {
  return page.evaluate((sel) => {
    const doc = (globalThis as unknown as { document: MiniDocument }).document;
    const plain = (b: Box): Box => ({ x: b.x, y: b.y, width: b.width, height: b.height });
    const whole = { x: 0, y: 0, width: doc.documentElement.scrollWidth, height: doc.documentElement.scrollHeight };
    return Array.from(doc.querySelectorAll(sel)).map((el) => {
      const own = Array.from(el.children).find((c) => c.localName === 'title');
      const label = el.localName === 'text' || el.localName === 'th' || el.localName === 'span' ? el.textContent ?? '' : own?.textContent ?? el.closest('[data-series]')?.getAttribute('data-series') ?? '';
      const svg = el.parentElement?.closest('svg');
      return {
        tag: el.localName,
        label: label.trim(),
        box: plain(el.getBoundingClientRect()),
        frame: svg ? plain(svg.getBoundingClientRect()) : whole,
        rendered: el.checkVisibility({ visibilityProperty: true, opacityProperty: true }),
      };
    });
  }, selector);
}

/** Pure: what is wrong with how an element is drawn (empty when it is whole and on screen), 0.5 px of slack. */
export function drawingProblems(e: DrawnElement, { mustHaveArea = true }: { mustHaveArea?: boolean } = {}): string[] {
  const out: string[] = [];
  const what = `<${e.tag}> "${e.label}"`;
  if (!e.rendered) out.push(`${what} is hidden`);
  if (mustHaveArea && (e.box.width <= 0 || e.box.height <= 0)) out.push(`${what} has no size (${e.box.width} x ${e.box.height})`);
  const slack = 0.5;
  const cut = [
    e.box.x < e.frame.x - slack ? `left by ${(e.frame.x - e.box.x).toFixed(1)} px` : '',
    e.box.y < e.frame.y - slack ? `top by ${(e.frame.y - e.box.y).toFixed(1)} px` : '',
    e.box.x + e.box.width > e.frame.x + e.frame.width + slack ? `right by ${(e.box.x + e.box.width - e.frame.x - e.frame.width).toFixed(1)} px` : '',
    e.box.y + e.box.height > e.frame.y + e.frame.height + slack ? `bottom by ${(e.box.y + e.box.height - e.frame.y - e.frame.height).toFixed(1)} px` : '',
  ].filter(Boolean);
  if (cut.length > 0) out.push(`${what} sticks out of its frame (${cut.join(', ')})`);
  return out;
}

/** A PNG of the whole document: the full page of an HTML file, the root element of an SVG one. */
export async function screenshot(page: Page, file: string): Promise<void> {
  const root = await page.evaluate(() => (globalThis as unknown as { document: MiniDocument }).document.documentElement.localName);
  // fullPage measures an HTML body; on an SVG document it waits for one that never comes.
  if (root === 'html') await page.screenshot({ path: file, fullPage: true });
  else await page.locator(':root').screenshot({ path: file });
}
