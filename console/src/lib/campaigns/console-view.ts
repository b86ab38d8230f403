/** The console's top-level views, in the navigation's order: the live map, the campaign workflow, the staff's pickup board and the menu editor. */
export const CONSOLE_VIEWS = ['map', 'campaigns', 'pickup', 'menu'] as const;
export type ConsoleView = (typeof CONSOLE_VIEWS)[number];

/** Reads the view from a URL fragment such as `#view=campaigns`; the live map when absent or unknown. */
export function readView(hash: string): ConsoleView {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get('view');
  return CONSOLE_VIEWS.find((view) => view === value) ?? 'map';
}

/** Returns the fragment for a view, keeping the fragment's other parameters; the map, the default, has none. */
export function viewHash(hash: string, view: ConsoleView): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (view === 'map') params.delete('view');
  else params.set('view', view);
  const text = params.toString();
  return text ? `#${text}` : '';
}
