/** The worker thread of `kafkasim explore --workers K`: runs one search run per task (tinypool). */
import { type RunResult, type RunTask, runTask } from './explore-task.js';

export default function exploreWorker(task: RunTask): RunResult {
  return runTask(task);
}
