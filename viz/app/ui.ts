/** Small DOM helpers of the page: elements by id, the error bar and the status line. */

export const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export function showError(msg: string): void {
  const el = $('error');
  el.hidden = false;
  $('error-text').textContent = msg;
}
export function hideError(): void {
  $('error').hidden = true;
}
export function setStatus(s: string): void {
  $('status').textContent = s;
}

/** An element's size for drawing (at least 200 wide and `minH` high). */
export function size(el: HTMLElement, minH = 120): { width: number; height: number } {
  return { width: Math.max(200, el.clientWidth), height: Math.max(minH, el.clientHeight) };
}
