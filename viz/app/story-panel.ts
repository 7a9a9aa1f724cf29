/**
 * What the run shown teaches: the scenario's title, the question it answers with its short answer, and its
 * description (the long explanation), in a collapsible panel above the narrative; in compare mode, B's
 * title and answer above B's views.
 */
import { BY_NAME, SAME, STORIES, storyOf, type Story } from './scenarios.js';
import { formatSettings } from './settings.js';
import type { App, Source } from './state.js';
import { $ } from './ui.js';

/** The story of a run: a bundled scenario's, an opened file's own, or (a trace) its scenario's if bundled. */
export function storyOfRun(source: Source | undefined, headerScenario: string | undefined): Story | undefined {
  if (source?.kind === 'scenario') return source.bundled ? STORIES.get(source.name) : storyOf(source.text, source.name);
  if (headerScenario === undefined) return undefined;
  const key = BY_NAME.get(headerScenario);
  return key === undefined ? { name: headerScenario, title: headerScenario, description: '' } : STORIES.get(key);
}

let shownFor: { source: Source | undefined; header: string | undefined } | undefined;

/** Fills the story panel when the run shown changes (cheap otherwise). */
export function renderStory(app: App): void {
  const { state } = app;
  const h = state.model.index.events[0];
  const header = h?.type === 'header' ? h.scenario : undefined;
  if (shownFor !== undefined && shownFor.source === state.source && shownFor.header === header) return;
  shownFor = { source: state.source, header };
  const story = storyOfRun(state.source, header);
  const panel = $('story');
  panel.hidden = story === undefined;
  if (story === undefined) return;
  $('story-title').textContent = story.title;
  $('story-question').textContent = story.question ?? '';
  $('story-answer').textContent = story.answer ?? '';
  $('story-qa').hidden = story.question === undefined;
  $('story-description').textContent = story.description;
  $('story-more').hidden = story.description === '';
  // With a short answer shown, the long explanation waits behind a click; without one it is the story.
  $<HTMLDetailsElement>('story-more').open = story.question === undefined;
  $('story-more-label').textContent = story.question === undefined ? 'what happens' : 'why, in detail';
}

/** B's title (and answer): another scenario's own, or A's with the settings B changes. */
export function renderCompareStory(app: App): void {
  const { cmp, state } = app;
  let title = '';
  let answer = '';
  if (cmp.name === SAME) {
    const a = storyOfRun(state.source, undefined);
    const set = formatSettings(cmp.knobs);
    title = a === undefined ? '' : `${a.title}${set === '' ? '' : `, with ${set}`}`;
  } else {
    const b = STORIES.get(cmp.name);
    title = b?.title ?? '';
    answer = b?.answer ?? '';
  }
  if ($('cmp-story-title').textContent !== title) $('cmp-story-title').textContent = title;
  if ($('cmp-story-answer').textContent !== answer) $('cmp-story-answer').textContent = answer;
}
