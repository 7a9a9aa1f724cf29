/**
 * The page's state, in one object passed to every module of viz/app/: the run shown (A), the compare run
 * (B), the loading request and the little caches the panels keep between renders.
 */
import type { Counterexample, RunSummary } from '../../sim/index.js';
import { Model } from '../derive/model.js';
import type { WhyStep } from '../derive/why.js';
import type { TraceBlockDecoder } from '../io/trace-file.js';
import type { LogWindow } from '../views/partitions.js';
import type { Knobs, SettingsInForce } from './knobs.js';
import type { Settings } from './settings.js';

export interface Source {
  kind: 'scenario' | 'trace';
  /** Scenario name (bundled) or file name. */
  name: string;
  text: string;
  /** A bundled scenario, unmodified: the URL reproduces it. */
  bundled: boolean;
  /** A trace file opened from disk (read by the worker; `text` is empty). */
  file?: Blob;
  /** A scenario that is not a bundled file: its text packed for the URL (viz/app/url-pack.ts), once ready. */
  packed?: string;
}

/** Records highlighted in the partitions view: a violation's partition and offsets (inclusive ranges). */
export interface Highlight {
  tp: string;
  offsets: Array<[number, number]>;
  /** What the highlight is (its tooltip). */
  label: string;
}

/** The run shown (A) and how it is shown; `window.kafkasimViz.state` for tests and the console. */
export function createRunState() {
  return {
    model: new Model(),
    source: undefined as Source | undefined,
    seed: undefined as number | undefined,
    hash: '',
    summary: null as RunSummary | null,
    done: false,
    runMs: 0,
    cursorI: -1,
    cursorT: 0,
    playing: false,
    /** log10 of simulated seconds per real second. */
    speedLog: -1,
    /** The user chose the speed (slider or keys): a new run keeps it instead of picking its own. */
    speedChosen: false,
    window: 'tail' as LogWindow,
    large: false,
    charts: true,
    /** The main knobs applied to bundled scenarios (empty: the file's own values). */
    knobs: {} as Knobs,
    /** The knobs' values in force in the run shown (undefined for a trace file), as the settings bar shows them. */
    settings: undefined as SettingsInForce | undefined,
    /** The scenario's `counterexample:` block, when it is one. */
    counterexample: undefined as Counterexample | undefined,
    /** Records a violation involves, highlighted in the partitions view (its partition and offset ranges). */
    highlight: undefined as Highlight | undefined,
    /** Seek here (event index) once loaded. */
    pendingAt: undefined as number | undefined,
    pendingT: undefined as number | undefined,
  };
}
export type RunState = ReturnType<typeof createRunState>;

/** A second run (B), shown beside the first at the same simulated time. */
export function createCompareState() {
  return {
    on: false,
    model: new Model(),
    worker: undefined as Worker | undefined,
    id: 0,
    name: '',
    seed: undefined as number | undefined,
    hash: '',
    done: false,
    /** B's settings on top of A's knobs (e.g. acks=1, enable.idempotence=false). */
    knobs: {} as Settings,
    /** For "same as A": the A scenario text B was run from (B is stale when A's differs). */
    aText: undefined as string | undefined,
    summary: null as RunSummary | null,
  };
}
export type CompareState = ReturnType<typeof createCompareState>;

/** The request loading A (viz/app/worker-client.ts). */
export interface LoadState {
  worker: Worker | undefined;
  requestId: number;
  /** The model being filled by the current request; swapped in at its first events. */
  incoming: Model | undefined;
  /** The source and seed of the request under way. */
  pendingSource: { source: Source; seed: number | undefined } | undefined;
  /** The run shown before the one loading (restored if the new one fails part way). */
  previous: Partial<RunState> | undefined;
  lastLoadingRender: number;
  lastLoadingStatus: number;
  /** Makes the events of a trace file's blocks (the worker has checked and hashed them). */
  blockDecoder: TraceBlockDecoder | undefined;
  /** A request that failed: anything its worker still sends is ignored. */
  failedRequest: number;
}

/** What the panels remember between renders so that they redraw only on change. */
export interface ViewCache {
  renderQueued: boolean;
  lastTick: number;
  urlTimer: number | undefined;
  violations: { summary: RunSummary; out: Array<{ t: number; text: string }> } | undefined;
  checksFor: RunSummary | null | undefined;
  whySteps: WhyStep[];
  whyCurrent: number;
  aSettings: { text: string; keys: string; out: string } | undefined;
  narrativeLen: number;
  narrativeCurrent: number;
}

/**
 * What the modules of viz/app/ call on the page without importing it: main.ts wires them, so the imports
 * form a tree (state, ui, … ← compare, playback, panels, … ← render ← controls, keyboard ← main).
 */
export interface AppHooks {
  /** Draws the page at the cursor now (render.ts). */
  render: (app: App) => void;
}

export interface App {
  state: RunState;
  cmp: CompareState;
  load: LoadState;
  view: ViewCache;
  hooks: AppHooks;
}

export function createApp(hooks: AppHooks): App {
  return {
    state: createRunState(),
    cmp: createCompareState(),
    load: {
      worker: undefined,
      requestId: 0,
      incoming: undefined,
      pendingSource: undefined,
      previous: undefined,
      lastLoadingRender: -Infinity,
      lastLoadingStatus: -Infinity,
      blockDecoder: undefined,
      failedRequest: -1,
    },
    view: {
      renderQueued: false,
      lastTick: 0,
      urlTimer: undefined,
      violations: undefined,
      checksFor: undefined,
      whySteps: [],
      whyCurrent: -2,
      aSettings: undefined,
      narrativeLen: -1,
      narrativeCurrent: -2,
    },
    hooks,
  };
}
