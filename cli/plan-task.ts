/**
 * One point of a capacity plan, as a worker thread (or the main thread, with one worker) runs it: the
 * public API's {@link runPlanPoint} (the visualizer's what-if tab runs the same), with an internal error of
 * the simulator kept as the point's result.
 */
import { internalErrorText } from './explore-task.js';
import { type PointFigures, runPlanPoint, type SettingValue } from '../sim/index.js';

export interface PointTask {
  index: number;
  baseText: string;
  baseFile: string;
  settings: Record<string, SettingValue>;
}

export interface PointResult {
  index: number;
  settings: Record<string, SettingValue>;
  figures?: PointFigures;
  /** The simulator stopped with an internal error. */
  error?: string;
}

/** A point's run and figures; an internal error of the simulator is a result too. */
export function runPoint(task: PointTask): PointResult {
  const { index, settings } = task;
  try {
    return { index, settings, figures: runPlanPoint(task.baseText, task.baseFile, settings) };
  } catch (e) {
    return { index, settings, error: internalErrorText(e) };
  }
}
