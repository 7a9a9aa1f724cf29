/** The worker thread of `kafkasim plan --workers K`: runs one point of the plan per task (tinypool). */
import { type PointResult, type PointTask, runPoint } from './plan-task.js';

export default function planWorker(task: PointTask): PointResult {
  return runPoint(task);
}
