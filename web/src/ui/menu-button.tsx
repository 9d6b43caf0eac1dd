// A menu button as WAI-ARIA's menu pattern describes it (arrows, Home/End, Escape returns focus), written here so
// the header, on every page, does not load react-aria for one menu. The menu floats over the page below its button
// (opening it moves nothing), with an optional heading above its items (who the account menu is about).
import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';

export interface MenuAction {
  id: string;
  label: string;
  onAction: () => void;
}

function focusMenuItem(menu: HTMLElement | null, index: number): void {
  const all = menu?.querySelectorAll<HTMLElement>('[role="menuitem"]');
  if (!all?.length) return;
  all[(index + all.length) % all.length]?.focus();
}

export function MenuButton({
  label,
  children,
  items,
  heading,
  className = 'button button-quiet',
}: {
  label: string;
  children: ReactNode;
  items: MenuAction[];
  heading?: ReactNode;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const popup = useRef<HTMLDivElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const id = useId();

  const focusItem = (index: number) => focusMenuItem(menu.current, index);

  useEffect(() => {
    if (!open) return;
    focusMenuItem(menu.current, 0);
    // A pointer (mouse, finger, pen) pressed anywhere else closes it.
    const outside = (event: PointerEvent) => {
      if (!popup.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node))
        setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const onMenuKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const all = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLElement);
    switch (event.key) {
      case 'ArrowDown':
        focusItem(at + 1);
        break;
      case 'ArrowUp':
        focusItem(at - 1);
        break;
      case 'Home':
        focusItem(0);
        break;
      case 'End':
        focusItem(all.length - 1);
        break;
      case 'Escape':
        close(true);
        break;
      case 'Tab':
        close(false);
        return;
      default:
        return;
    }
    event.preventDefault();
  };

  return (
    <div className="menu-button">
      <button
        ref={button}
        type="button"
        className={className}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        {children}
      </button>
      {open && (
        <div ref={popup} className="popover menu-popup">
          {heading}
          <div ref={menu} id={id} role="menu" aria-label={label} className="menu" onKeyDown={onMenuKey}>
            {items.map((item) => (
              <div
                key={item.id}
                role="menuitem"
                tabIndex={-1}
                className="menu-item"
                onClick={() => {
                  close(false);
                  item.onAction();
                }}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' || event.key === ' ') {
                    event.preventDefault();
                    close(false);
                    item.onAction();
                  }
                }}
              >
                {item.label}
              </div>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
