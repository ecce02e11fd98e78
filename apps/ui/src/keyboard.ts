/**
 * Keyboard navigation: "/" focuses the search box, "g" then s/n/k/c/t opens Services, Nodes,
 * Key/Value, Cluster or Token, j/k or ↓/↑ move between rows of a list, Escape leaves a field.
 * Links and buttons are native elements, so Tab/Enter work everywhere as well.
 */
const GO_KEYS: Record<string, string> = { s: 'services', n: 'nodes', k: 'kv/', c: 'cluster', t: 'token' };
const SEQUENCE_MS = 1500;

function typing(el: EventTarget | null): boolean {
  const e = el as HTMLElement | null;
  return !!e && (e.tagName === 'INPUT' || e.tagName === 'TEXTAREA' || e.tagName === 'SELECT' || e.isContentEditable);
}

function moveFocus(step: number): void {
  const items = [...document.querySelectorAll<HTMLElement>('main [data-nav]')];
  if (items.length === 0) return;
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next = at < 0 ? (step > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, at + step));
  items[next]!.focus();
  items[next]!.scrollIntoView({ block: 'nearest' });
}

export function installKeyboard(go: (section: string) => void): () => void {
  let gAt = 0;
  const onKey = (ev: KeyboardEvent) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (typing(ev.target)) {
      if (ev.key === 'Escape') (ev.target as HTMLElement).blur();
      return;
    }
    if (document.querySelector('dialog[open]')) return;
    if (gAt && Date.now() - gAt < SEQUENCE_MS && GO_KEYS[ev.key]) {
      gAt = 0;
      ev.preventDefault();
      go(GO_KEYS[ev.key]!);
      return;
    }
    gAt = 0;
    switch (ev.key) {
      case 'g':
        gAt = Date.now();
        break;
      case '/': {
        const search = document.querySelector<HTMLInputElement>('[data-search]');
        if (search) {
          ev.preventDefault();
          search.focus();
        }
        break;
      }
      case 'j':
      case 'ArrowDown':
        ev.preventDefault();
        moveFocus(1);
        break;
      case 'k':
      case 'ArrowUp':
        ev.preventDefault();
        moveFocus(-1);
        break;
    }
  };
  addEventListener('keydown', onKey);
  return () => removeEventListener('keydown', onKey);
}
